/**
 * Where a step finds the run ledger, from its flags: the run id (`--run-id`, the owner's uid),
 * the scenario (`--scenario-number`) and the namespace (`--ledger-namespace`, else the pod's
 * own, `$POD_NAMESPACE` from the downward API). select, the node steps and verdict share it.
 */
import { UsageError } from '../core/errors.js';
import { runIdProblem } from './netfilter/index.js';

/** The ledger flags as commander parses them. */
export interface LedgerFlags {
  readonly runId: string;
  readonly scenarioNumber: string;
  readonly ledgerNamespace?: string;
}

/** A run's ledger: namespace, run id and scenario. */
export interface LedgerAddress {
  readonly namespace: string;
  readonly runId: string;
  readonly scenario: number;
}

/** @throws UsageError (exit 2) naming the flag that is unusable or missing. */
export function ledgerAddress(flags: LedgerFlags, env: Readonly<Record<string, string | undefined>>): LedgerAddress {
  const problem = runIdProblem(flags.runId);
  if (problem) throw new UsageError(`--run-id: ${problem}`);
  if (!/^[1-9]\d{0,3}$/.test(flags.scenarioNumber)) throw new UsageError(`--scenario-number must be a positive integer, not "${flags.scenarioNumber}"`);
  const namespace = flags.ledgerNamespace ?? env.POD_NAMESPACE;
  if (!namespace) throw new UsageError("the run ledger's namespace is unknown: give --ledger-namespace, or $POD_NAMESPACE (the downward API)");
  return { namespace, runId: flags.runId, scenario: Number(flags.scenarioNumber) };
}

/**
 * Where a step finds the run ledger, from its flags: the run id (`--run-id`, the owner's uid),
 * the scenario (`--scenario-number`) and the namespace (`--ledger-namespace`, else the pod's
 * own, `$POD_NAMESPACE` from the downward API). select, the node steps and verdict share it.
 */
import { UsageError } from '../core/errors.js';
import { OWNER_KINDS, type LedgerOwner, type OwnerKind, type RecordName } from '../kube/index.js';
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

/** The run owning the ledger (and the node pods), from `--owner Workflow/NAME|PipelineRun/NAME`. @throws UsageError. */
export function ledgerOwner(owner: string | undefined, runId: string): LedgerOwner {
  const parsed = /^(Workflow|PipelineRun)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(owner ?? '');
  if (!parsed) throw new UsageError(`--owner must be Workflow/NAME or PipelineRun/NAME, not "${owner ?? ''}"`);
  const kind = parsed[1] as OwnerKind;
  return { apiVersion: OWNER_KINDS[kind], kind, name: parsed[2]!, uid: runId };
}

/** The record `--record-as` names for `step`: the step's own, or exit-rollback for a rollback. @throws UsageError. */
export function recordOf(step: 'inject' | 'verify' | 'rollback', recordAs: string | undefined): RecordName {
  const record = recordAs === undefined || recordAs === '' ? step : recordAs;
  if (record !== step && !(step === 'rollback' && record === 'exit-rollback')) throw new UsageError(`--record-as ${record}: ${step} writes the "${step}" record${step === 'rollback' ? ' or "exit-rollback"' : ''}`);
  return record;
}

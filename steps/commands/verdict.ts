import { Command } from 'commander';
import type { Io } from '../../core/io.js';
import { UsageError } from '../../core/errors.js';
import { judgeScenario } from '../ledger-verdict.js';
import { stepLogger, type StepLogger } from '../../core/log.js';
import { ledgerAddress } from '../ledger-options.js';
import { addKubeconfigOptions, kubeconfigChoice, type KubeconfigFlags } from '../kube-options.js';
import { writeResult } from '../result.js';

/** inject or verify did not succeed: the branch must fail even though its rollback succeeded. */
export class FaultNotHeldError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly vmi: string,
    readonly injectStatus: string,
    readonly verifyStatus: string,
  ) {
    super(`the fault on ${vmi} did not hold (inject ${injectStatus}, verify ${verifyStatus}); its rules were rolled back`);
  }
}
FaultNotHeldError.prototype.name = 'FaultNotHeldError';

/**
 * `step verdict`: the last task of a VMI's branch, run only when inject or verify did not
 * succeed. Argo judges a DAG by its leaf tasks, and the leaf `rollback` succeeds after a failed
 * verify (it depends on `verify.Failed`), so without this step a lost fault (a VMI that migrated
 * during the hold) would end in a Succeeded workflow.
 */
export function verdictCommand(io: Io): Command {
  return addKubeconfigOptions(
    new Command('verdict')
    .description("fail a VMI's branch whose inject or verify did not succeed (--target), or a scenario whose ledger shows a VMI that did not hold or was not rolled back (--run-id)")
    .option('--target <json>', "the VMI: one element of select's output, or a serial key (only its namespace and name are read)")
    .option('--inject <status>', 'with --target: Argo status of the inject task')
    .option('--verify <status>', 'with --target: Argo status of the verify task')
    .option('--run-id <id>', "judge the scenario from this run's ledger instead")
    .option('--scenario-number <n>', "with --run-id: the scenario's number in its file", '1')
    .option('--ledger-namespace <ns>', "with --run-id: the ledger's namespace (default: $POD_NAMESPACE, the run's)")
    .option('--out <file>', 'with --run-id: write the verdict JSON to FILE'),
  )
    .action(async (options: { target?: string; inject?: string; verify?: string; runId?: string; scenarioNumber: string; ledgerNamespace?: string; out?: string } & KubeconfigFlags) => {
      const log = stepLogger(io, 'verdict').log;
      if (options.runId !== undefined) return ledgerVerdict(io, { ...options, runId: options.runId }, log);
      if (options.target === undefined || options.inject === undefined || options.verify === undefined) throw new UsageError('give --target, --inject and --verify, or --run-id');
      const vmi = vmiName(options.target);
      if (options.inject === 'Succeeded' && options.verify === 'Succeeded') {
        log('info', `the fault on ${vmi} held and was verified`, { vmi });
        return;
      }
      const error = new FaultNotHeldError(vmi, options.inject, options.verify);
      log('error', error.message, { vmi, inject: options.inject, verify: options.verify });
      throw error;
    });
}

/** Some VMI of the scenario did not hold, or has no confirmed rollback: exit 1. */
export class ScenarioNotHeldError extends Error {
  readonly exitCode = 1;
}
ScenarioNotHeldError.prototype.name = 'ScenarioNotHeldError';

const LISTED_PROBLEMS = 20;

async function ledgerVerdict(io: Io, options: { runId: string; scenarioNumber: string; ledgerNamespace?: string; out?: string } & KubeconfigFlags, log: StepLogger['log']): Promise<void> {
  const { namespace, scenario } = ledgerAddress(options, io.env);
  const kube = await import('../../kube/index.js');
  const client = new kube.KubeClient({ env: io.env, log, ...kubeconfigChoice(options) });
  const ledger = await kube.readRunLedger(client, { namespace, runId: options.runId }, log, scenario);
  const index = ledger.indexes.find((i) => i.scenario === scenario);
  if (!index) throw new ScenarioNotHeldError(`scenario ${scenario} of run ${options.runId} has no ledger in namespace ${namespace}: select did not write one`);
  const verdict = judgeScenario(index, ledger.nodes);
  writeResult(options.out, { ok: verdict.problems.length === 0, ...verdict, problems: verdict.problems.slice(0, LISTED_PROBLEMS) });
  for (const p of verdict.problems.slice(0, LISTED_PROBLEMS)) log('error', `${p.vmi} on node ${p.node}: ${p.problem}`, { vmi: p.vmi, node: p.node });
  if (verdict.problems.length === 0) {
    log('info', `scenario ${scenario}: the fault held on all ${verdict.targets} VMIs, verified, and every rollback is confirmed`, { scenario, targets: verdict.targets, nodes: index.nodes.length });
    return;
  }
  const vmis = new Set(verdict.problems.map((p) => p.vmi)).size;
  const first = verdict.problems[0]!;
  throw new ScenarioNotHeldError(`scenario ${scenario}: ${vmis} of ${verdict.targets} VMIs did not hold or were not rolled back; first: ${first.vmi} on node ${first.node}: ${first.problem}`);
}

/** "namespace/name" of a target JSON; the text itself when it is not one (the message must still say something). */
function vmiName(target: string): string {
  try {
    const t = JSON.parse(target) as { namespace?: unknown; name?: unknown };
    if (typeof t.namespace === 'string' && typeof t.name === 'string') return `${t.namespace}/${t.name}`;
    if (typeof (t as { vmi?: unknown }).vmi === 'string') return (t as { vmi: string }).vmi;
  } catch {
    // not JSON: fall through
  }
  return target;
}

/**
 * How a node step (inject, verify, rollback) runs:
 *   --target JSON  one VMI: its result JSON to --out, the exit status its own;
 *   --node NAME    the VMIs select put in the run ledger for this node (or the one at --index):
 *                  each on its own, so that one VMI's failure is recorded and the next is still
 *                  acted on; every outcome written back in one merge patch; exit 1 when any
 *                  VMI failed. One pod per node and step, whatever the number of VMIs there.
 */
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { ScenarioError } from '../../scenario/index.js';
import type { LedgerRecord, NodeLedger } from '../../kube/index.js';
import { stepLogger, type StepLogger } from '../../core/log.js';
import { InterruptedError } from '../netfilter/index.js';
import { writeResult } from '../result.js';
import type { Target } from '../../kube/target.js';
import { ledgerAddress, recordOf } from '../ledger-options.js';
import { kubeconfigChoice } from '../kube-options.js';
import { checkTarget, parseTarget, runStep, TargetError, type NodeStepFlags } from './node-step.js';

/** What a node step does to one VMI, and how its result is recorded. */
export interface NodeStepSpec {
  readonly name: 'inject' | 'verify' | 'rollback';
  /**
   * Acts on one VMI; returns its result JSON, throws its failure (which may carry a `result`).
   * `earlier`: the VMI's records of the earlier steps in the ledger (none with --target).
   */
  readonly one: (target: Target, logger: StepLogger, earlier: VmiRecords) => Promise<Record<string, unknown>>;
  /** The record of a successful result: one line and a few small facts. */
  readonly summarize: (result: Record<string, unknown>) => Pick<LedgerRecord, 'detail' | 'data'>;
  /** A stop request seen so far: no further VMI is started after one. */
  readonly stopRequested?: () => NodeJS.Signals | undefined;
}

/** One VMI's records in the run ledger, by step. */
export type VmiRecords = NodeLedger['records'][number];

/** Some VMIs of the node failed (each recorded in the ledger); the others were acted on. */
export class NodeStepError extends Error {
  readonly exitCode = 1;
}
NodeStepError.prototype.name = 'NodeStepError';

/** Runs `spec` in the mode the flags ask for. @throws UsageError (exit 2) for flags that do not say one. */
export async function runNodeStep(io: Io, flags: NodeStepFlags, spec: NodeStepSpec): Promise<void> {
  if ((flags.target === undefined) === (flags.node === undefined)) throw new UsageError('give exactly one of --target (one VMI) and --node (a node\'s VMIs in the run ledger)');
  if (flags.target !== undefined) {
    if (flags.simulate) throw new UsageError('--simulate works with --node only');
    const json = flags.target;
    return runStep(io, spec.name, flags.out, (logger) => spec.one(parseTarget(json, flags), logger, {}));
  }
  return runOnNode(io, flags, flags.node!, spec);
}

async function runOnNode(io: Io, flags: NodeStepFlags, node: string, spec: NodeStepSpec): Promise<void> {
  const { namespace, runId, scenario } = ledgerAddress(flags, io.env);
  const record = recordOf(spec.name, flags.recordAs);
  const logger = stepLogger(io, spec.name);
  const { log } = logger;
  // Loaded here: the client library costs every other use of the node steps ~0.6 s.
  const kube = await import('../../kube/index.js');
  const client = new kube.KubeClient({ env: io.env, log, ...kubeconfigChoice(flags) });
  const place = { namespace, runId };
  const ledger = await kube.readNodeLedger(client, place, scenario, node);
  const indexes = chosenIndexes(flags.index, ledger.targets.length);
  // Simulation (fleet benchmarks): the engines, the ledger and the pods are real, no namespace is touched.
  const act: Pick<NodeStepSpec, 'one' | 'summarize'> = flags.simulate ? SIMULATED : spec;
  if (flags.simulate) log('warn', `simulation: no network namespace is touched on node ${node}`, { node });
  log('info', `${spec.name} of ${indexes.length} VMI${indexes.length === 1 ? '' : 's'} on node ${node}`, { node, scenario, vmis: indexes.length });

  const records = new Map<number, LedgerRecord>();
  let firstFailure: string | undefined;
  // Bad input that is the same for every VMI (the scenario, a flag) ends the loop; what was done
  // until then is still recorded.
  let fatal: Error | undefined;
  for (const i of indexes) {
    const raw = ledger.targets[i]!;
    const vmi = `${raw.namespace}/${raw.name}`;
    const stopped = spec.stopRequested?.();
    if (stopped) {
      records.set(i, { ok: false, at: new Date().toISOString(), detail: `not started: stopped by ${stopped}` });
      continue;
    }
    const vmiLogger: StepLogger = { log: (level, msg, fields = {}) => log(level, msg, { vmi, ...fields }) };
    try {
      const result = await act.one(checkTarget(raw, flags), vmiLogger, ledger.records[i] ?? {});
      records.set(i, { ok: true, at: new Date().toISOString(), ...act.summarize(result) });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      log('error', `${vmi}: ${error.message}`, { vmi, error: error.name });
      records.set(i, { ok: false, at: new Date().toISOString(), detail: error.message });
      firstFailure ??= `${vmi}: ${error.message}`;
      if (error instanceof ScenarioError || (error instanceof UsageError && !(error instanceof TargetError))) {
        fatal = error;
        break;
      }
    }
  }
  await kube.writeRecords(client, place, scenario, node, record, records);
  if (fatal) throw fatal;

  const failed = [...records.values()].filter((r) => !r.ok).length;
  const summary = { step: spec.name, node, scenario, runId, vmis: records.size, failed };
  writeResult(flags.out, { ok: failed === 0, ...summary });
  log(failed === 0 ? 'info' : 'error', `${spec.name}: ${records.size - failed} of ${records.size} VMIs done on node ${node}; recorded in the run ledger`, summary);
  const stopped = spec.stopRequested?.();
  // A stop request after every VMI was done stopped nothing: the status says what was done.
  if (stopped && failed > 0) throw new InterruptedError(stopped, `${failed} of ${records.size} VMIs on node ${node} not done`);
  if (failed > 0) throw new NodeStepError(`${spec.name} failed for ${failed} of ${records.size} VMIs on node ${node}; first: ${firstFailure ?? 'stopped'}`);
}

const SIMULATED: Pick<NodeStepSpec, 'one' | 'summarize'> = {
  one: async () => ({ simulated: true }),
  summarize: () => ({ detail: 'simulated: no network namespace touched', data: { simulated: true } }),
};

/** The indexes --index names: all of them when it is absent or empty. @throws UsageError. */
function chosenIndexes(index: string | undefined, count: number): number[] {
  if (index === undefined || index === '') return Array.from({ length: count }, (_, i) => i);
  const i = /^\d+$/.test(index) ? Number(index) : NaN;
  if (!(i < count)) throw new UsageError(`--index ${index} is not a VMI of this node's ledger (0-${count - 1})`);
  return [i];
}

/**
 * `step rollback`: remove exactly this run's rules, in every namespace of the launcher pod and
 * with both backends. Idempotent: a namespace, table or chain that is already gone is success,
 * so it can run after a failed or refused inject, twice, or after the VM is deleted. It reads
 * no scenario, so a broken scenario cannot keep a fault in place.
 */
import { Command } from 'commander';
import type { Io } from '../../core/io.js';
import type { StepLogger } from '../../core/log.js';
import { netnsAt, removeRun, runNames, type Removal } from '../netfilter/index.js';
import type { Target } from '../../kube/target.js';
import { runNodeStep } from './node-run.js';
import { addNodeStepOptions, checkRunId, launcherNamespacePaths, type NodeStepFlags } from './node-step.js';

/** Removes this run's rules of one VMI; the result JSON. */
async function rollback(target: Target, flags: NodeStepFlags, log: StepLogger['log']): Promise<Record<string, unknown>> {
  const runId = checkRunId(flags.runId);
  const names = runNames(runId);
  const vmi = `${target.namespace}/${target.name}`;
  const paths = await launcherNamespacePaths(flags, target);
  const results: (Removal & { netns: string })[] = [];
  for (const path of paths) results.push({ netns: path, ...(await removeRun(netnsAt(path), names)) });
  const removed = results.flatMap((r) => r.removed);
  const gone = results.every((r) => r.gone);
  const msg = gone
    ? `the launcher namespace of ${vmi} is gone; its rules went with it`
    : removed.length > 0 ? `removed ${removed.join(', ')}` : `no rules of run ${runId} left (already rolled back, or never injected)`;
  log('info', msg, { vmi, netns: results.map((r) => r.netns) });
  return { ok: true, runId, vmi, netns: results.map((r) => r.netns), removed, gone, message: msg };
}

/** The `rollback` step. Exit 0 removed or nothing to remove, 1 runtime failure, 2 bad input. */
export function rollbackCommand(io: Io): Command {
  return addNodeStepOptions(new Command('rollback').description("remove this run's rules of one VMI (--target) or of a node's VMIs in the run ledger (--node); idempotent"))
    .action((flags: NodeStepFlags) =>
      runNodeStep(io, flags, {
        name: 'rollback',
        one: (target, { log }) => rollback(target, flags, log),
        summarize: (r) => ({ detail: String(r.message), data: { removed: (r.removed as unknown[]).length, gone: r.gone as boolean } }),
      }),
    );
}

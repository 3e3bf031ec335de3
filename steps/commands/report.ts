import { Command } from 'commander';
import type { Io } from '../../core/io.js';
import { stepLogger } from '../../core/log.js';
import { addKubeconfigOptions, kubeconfigChoice, type KubeconfigFlags } from '../kube-options.js';
import { writeResult } from '../result.js';
import { tektonOutcome, type SkippedTask, type TektonOutcome } from '../tekton-outcome.js';

/**
 * `step report`: the exit handler's (or finally's) last word, a summary line of how the run
 * ended. The workflow's own status carries the verdict, so this step succeeds whatever it
 * reports. For Tekton (`--pipeline-run-namespace`), a `Completed` status is checked against the
 * PipelineRun's skipped tasks: a run stopped or timed out between two tasks is not a success.
 */
export function reportCommand(io: Io): Command {
  return addKubeconfigOptions(
    new Command('report')
    .description('log how the run ended (exit handler, finally)')
    .requiredOption('--status <status>', "workflow status (Succeeded, Failed, Error) or Tekton's $(tasks.status) (Succeeded, Failed, Completed, None)")
    .option('--workflow <name>', 'workflow (or PipelineRun) name')
    .option('--pipeline-run-namespace <ns>', 'the PipelineRun named by --workflow lives here: read its skipped tasks when the status is Completed')
    .option('--run-id <id>', 'run id (workflow uid)')
    .option('--out <file>', 'write the report JSON to FILE'),
  )
    .action(async (options: { status: string; workflow?: string; pipelineRunNamespace?: string; runId?: string; out?: string } & KubeconfigFlags) => {
      const outcome = options.pipelineRunNamespace ? await tektonRunOutcome(io, options.status, options.pipelineRunNamespace, options.workflow, options) : { status: options.status };
      const report = {
        workflow: options.workflow ?? null,
        runId: options.runId ?? null,
        status: outcome.status,
        ...('detail' in outcome && outcome.detail ? { detail: outcome.detail } : {}),
        succeeded: outcome.status === 'Succeeded',
      };
      stepLogger(io, 'report').log(report.succeeded ? 'info' : 'warn', `run ${report.succeeded ? 'succeeded' : 'did not succeed'}; every selected VMI was rolled back by the exit handler`, report);
      writeResult(options.out, report);
    });
}

/** The outcome of a Tekton run, reading the PipelineRun only when the aggregate is ambiguous. */
async function tektonRunOutcome(io: Io, aggregate: string, namespace: string, name: string | undefined, flags: KubeconfigFlags): Promise<TektonOutcome> {
  if (aggregate !== 'Completed') return tektonOutcome(aggregate, []);
  if (!name) return tektonOutcome(aggregate, undefined, 'no --workflow name');
  try {
    // Loaded only here: the client library costs ~0.9 s to load.
    const kube = await import('../../kube/index.js');
    const run = (await new kube.KubeClient({ env: io.env, ...kubeconfigChoice(flags) }).getPipelineRun(namespace, name)) as { status?: { skippedTasks?: SkippedTask[] } };
    return tektonOutcome(aggregate, run.status?.skippedTasks ?? []);
  } catch (e) {
    return tektonOutcome(aggregate, undefined, (e as Error).message);
  }
}

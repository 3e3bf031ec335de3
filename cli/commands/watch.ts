import { Command } from 'commander';
import type { Io } from '../../core/io.js';
import { addWatchOptions, followOptionsFrom } from './watch-options.js';

/**
 * `watch NAME`: follow a running (or finished) run of this tool, an Argo Workflow or (with
 * `--engine tekton`) a Tekton PipelineRun, with the live per-VMI view and the final report.
 * Exit 0 only when it succeeded and every rollback is confirmed.
 */
export function watchCommand(io: Io): Command {
  return addWatchOptions(
    new Command('watch')
      .description('follow a Workflow (or PipelineRun): live per-VMI view, final report; exit 0 only when it succeeded and every rollback is confirmed')
      .argument('<name>', 'name of the Workflow (or, with --engine tekton, of the PipelineRun)')
      .addHelpText(
        'after',
        '\nExamples:\n  vmi-network-filter watch vmi-network-filter-x7k2p --namespace-of-workflow argo --output junit report.xml\n  vmi-network-filter watch --engine tekton dns-blackout-8xk2q --namespace-of-workflow chaos',
      ),
  ).action(async (name: string, options: Record<string, unknown>) => {
    const followOptions = followOptionsFrom(options, name, io);
    // Loaded here: the Kubernetes client costs ~0.5 s that other commands should not pay.
    const { followRun } = await import('../../submit/follow-run.js');
    await followRun(followOptions, io);
  });
}

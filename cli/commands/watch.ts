import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { loadChosenKubeConfig } from './cluster-options.js';
import { addWatchOptions, followOptionsFrom, REPORT_FILE_HINT } from './watch-options.js';

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
      // The report files were `--output junit FILE` once: say where they went.
      .addOption(new Option('-o, --output <format...>').hideHelp())
      .addHelpText(
        'after',
        '\nExamples:\n  vmi-network-filter watch vmi-network-filter-x7k2p -n argo --report-junit report.xml\n  vmi-network-filter watch --engine tekton dns-blackout-8xk2q -n chaos',
      ),
  ).action(async (name: string, options: Record<string, unknown>) => {
    if (options.output !== undefined) throw new UsageError(`watch prints the live view and the report; ${REPORT_FILE_HINT}`);
    // The configuration first: a --context it lacks is said before any namespace is chosen.
    const kubeConfig = await loadChosenKubeConfig(options, io);
    const followOptions = followOptionsFrom(options, name, io);
    // Loaded here: the Kubernetes client costs ~0.5 s that other commands should not pay.
    const { followRun } = await import('../../submit/follow-run.js');
    await followRun({ ...followOptions, kubeConfig }, io);
  });
}

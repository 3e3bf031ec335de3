/**
 * The options `submit --watch` and `watch` share: the engine (`--engine`), where the run is
 * (`-n/--namespace-of-workflow`, `--kubeconfig`, `--context`), how to show it (`--view`), the
 * report files (`--report-junit FILE`, `--report-json FILE`) and how long to wait for the exit
 * handler after Ctrl-C (`--stop-timeout`).
 */
import process from 'node:process';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import type { FollowRunOptions, ReportOutput } from '../../submit/follow-run.js';
import { WATCH_ENGINES, type WatchEngine } from '../../submit/followed-run.js';
import { addClusterOptions, workflowNamespace } from './cluster-options.js';

/** What `--output junit FILE` became: the report has its own file options. */
export const REPORT_FILE_HINT = 'write the report with --report-junit FILE or --report-json FILE';

/** Adds the watch options to `command`. */
export function addWatchOptions(command: Command): Command {
  return addClusterOptions(command.addOption(new Option('--engine <engine>', 'argo: an Argo Workflow; tekton: a Tekton PipelineRun').choices(WATCH_ENGINES).default('argo')))
    .addOption(new Option('--view <mode>', 'live view: tty (redrawn), json (one line per change), auto (tty on a terminal)').choices(['auto', 'tty', 'json']).default('auto'))
    .option('--report-junit <file>', 'write the report as JUnit XML to FILE')
    .option('--report-json <file>', 'write the report as JSON to FILE')
    .option('--stop-timeout <seconds>', 'after Ctrl-C/SIGTERM, wait this long for the exit handler to roll back', '300');
}

/**
 * The FollowRunOptions of the parsed options (the namespace announced when defaulted).
 * @throws UsageError (exit 2) for a bad --stop-timeout or namespace.
 */
export function followOptionsFrom(options: Readonly<Record<string, unknown>>, name: string, io: Io): FollowRunOptions {
  const engine = options.engine as WatchEngine;
  const timeout = String(options.stopTimeout);
  if (!/^\d+$/.test(timeout) || Number(timeout) < 1) throw new UsageError(`--stop-timeout must be a whole number of seconds >= 1, not "${timeout}"`);
  const namespace = workflowNamespace(options, engine, io);
  const view = options.view === 'auto' ? (process.stdout.isTTY ? 'tty' : 'json') : (options.view as 'tty' | 'json');
  const columns = Number(io.env.COLUMNS);
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return {
    engine,
    namespace,
    name,
    view,
    width: Number.isInteger(columns) && columns > 0 ? columns : (process.stdout.columns ?? 80),
    color: view === 'tty' && process.stdout.isTTY === true && !noColor,
    outputs: reportOutputs(options),
    stopTimeoutSeconds: Number(timeout),
  };
}

/** The report files asked for. */
export function reportOutputs(options: Readonly<Record<string, unknown>>): ReportOutput[] {
  return [
    ...(typeof options.reportJunit === 'string' ? [{ format: 'junit' as const, file: options.reportJunit }] : []),
    ...(typeof options.reportJson === 'string' ? [{ format: 'json' as const, file: options.reportJson }] : []),
  ];
}

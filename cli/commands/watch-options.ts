/**
 * The options `submit --watch` and `watch` share: the engine (`--engine`), where the run is
 * (`--namespace-of-workflow`), how to show it (`--view`), the report files (`--output junit FILE`, `--output json FILE`) and how long to wait for the exit handler
 * after Ctrl-C (`--stop-timeout`).
 */
import process from 'node:process';
import { Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { resourceNameProblem } from '../../generator/names.js';
import type { FollowRunOptions, ReportOutput } from '../../submit/follow-run.js';
import { WATCH_ENGINES, type WatchEngine } from '../../submit/followed-run.js';

/** Adds the watch options to `command`. */
export function addWatchOptions(command: Command): Command {
  return command
    .addOption(new Option('--engine <engine>', 'argo: an Argo Workflow; tekton: a Tekton PipelineRun').choices(WATCH_ENGINES).default('argo'))
    .option('--namespace-of-workflow <ns>', 'namespace of the Workflow (or PipelineRun)', 'argo')
    .addOption(new Option('--view <mode>', 'live view: tty (redrawn), json (one line per change), auto (tty on a terminal)').choices(['auto', 'tty', 'json']).default('auto'))
    .option('--output <format-and-file...>', 'write the report: junit FILE and/or json FILE (repeatable)')
    .option('--stop-timeout <seconds>', 'after Ctrl-C/SIGTERM, wait this long for the exit handler to roll back', '300');
}

/**
 * The FollowRunOptions of the parsed options.
 * @throws UsageError (exit 2) for a bad --output, --stop-timeout or namespace.
 */
export function followOptionsFrom(options: Readonly<Record<string, unknown>>, name: string, io: Io): FollowRunOptions {
  const namespace = String(options.namespaceOfWorkflow);
  const problem = resourceNameProblem(namespace, false);
  if (problem) throw new UsageError(`--namespace-of-workflow: ${problem}`);
  const timeout = String(options.stopTimeout);
  if (!/^\d+$/.test(timeout) || Number(timeout) < 1) throw new UsageError(`--stop-timeout must be a whole number of seconds >= 1, not "${timeout}"`);
  const view = options.view === 'auto' ? (process.stdout.isTTY ? 'tty' : 'json') : (options.view as 'tty' | 'json');
  const columns = Number(io.env.COLUMNS);
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return {
    engine: options.engine as WatchEngine,
    namespace,
    name,
    view,
    width: Number.isInteger(columns) && columns > 0 ? columns : (process.stdout.columns ?? 80),
    color: view === 'tty' && process.stdout.isTTY === true && !noColor,
    outputs: parseOutputs(options.output as string[] | undefined),
    stopTimeoutSeconds: Number(timeout),
  };
}

function parseOutputs(values: readonly string[] | undefined): ReportOutput[] {
  if (!values) return [];
  if (values.length % 2 !== 0) throw new UsageError(`--output takes a format and a file (--output junit report.xml), got: ${values.join(' ')}`);
  const outputs: ReportOutput[] = [];
  for (let i = 0; i < values.length; i += 2) {
    const format = values[i]!;
    if (format !== 'junit' && format !== 'json') throw new UsageError(`--output: unknown format "${format}"; use junit or json`);
    outputs.push({ format, file: values[i + 1]! });
  }
  return outputs;
}

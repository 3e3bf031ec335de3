/**
 * `--watch` and `watch NAME`: follow a run (an Argo Workflow or a Tekton PipelineRun) to its
 * end, show it live, write the report and decide the exit status. Ctrl-C or SIGTERM asks the
 * engine to *stop* the run gracefully (Argo: `spec.shutdown: Stop`; Tekton: `StoppedRunFinally`
 * and the holds cancelled), so its exit handler (finally) still rolls every VMI back, and waits,
 * bounded, for that to finish; a second signal stops the waiting, never the rollback.
 */
import process from 'node:process';
import type { KubeConfig } from '@kubernetes/client-node';
import { emit, type Io } from '../core/io.js';
import type { FollowedRun, WatchEngine } from './followed-run.js';
import { junitXml } from './junit.js';
import { LedgerFeed } from './ledger-feed.js';
import { RunDisplay, type ViewMode } from './run-display.js';
import { describeFailure, formatReport, runReportOf, type RunReport } from './run-report.js';
import { exitHandlerName, NO_LEDGER, runStateOf, type LedgerView } from './run-state.js';

/** How often the run ledger (and Tekton's TaskRuns) are read when the run does not change. */
const LEDGER_EVERY_MS = 2000;

/** A report file to write: `--report-junit FILE`, `--report-json FILE`. */
export interface ReportOutput {
  readonly format: 'junit' | 'json';
  readonly file: string;
}

/** How to follow. */
export interface FollowRunOptions {
  /** argo: a Workflow; tekton: a PipelineRun. */
  readonly engine: WatchEngine;
  readonly namespace: string;
  readonly name: string;
  readonly view: ViewMode;
  readonly width: number;
  readonly color: boolean;
  readonly outputs: readonly ReportOutput[];
  /** Longest wait for the exit handler after a stop request, in seconds. */
  readonly stopTimeoutSeconds: number;
  /** The API configuration (`--kubeconfig`, `--context`). @default loaded from the Io's environment */
  readonly kubeConfig?: KubeConfig;
}

/** The run did not pass: exit status 1, or 128 + the signal's number after Ctrl-C/SIGTERM. */
export class RunFailedError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly report?: RunReport,
  ) {
    super(message);
  }
}
RunFailedError.prototype.name = 'RunFailedError';

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/** The run to follow, through the engine's client. */
async function followedRunOf(options: FollowRunOptions, io: Io, warn: (level: string, msg: string) => void): Promise<FollowedRun> {
  if (options.engine === 'tekton') {
    const { PipelineRunClient } = await import('../kube/pipeline-runs.js');
    const { followedPipelineRun } = await import('./follow-tekton.js');
    return followedPipelineRun(new PipelineRunClient({ env: io.env, log: warn, ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}) }), options.namespace, options.name);
  }
  const { WorkflowClient } = await import('../kube/workflows.js');
  const { followedWorkflow } = await import('./follow-argo.js');
  return followedWorkflow(new WorkflowClient({ env: io.env, log: warn, ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}) }), options.namespace, options.name);
}

/**
 * Follows the run to its end (or to the end of the bounded wait after a stop request), then
 * prints the report and writes the outputs.
 * @throws RunFailedError when the run did not succeed with every rollback confirmed; the API
 *   errors of kube/ (RunAccessError, KubeNotFoundError, KubeConnectionError…).
 */
export async function followRun(options: FollowRunOptions, io: Io): Promise<void> {
  const kube = await import('../kube/index.js');
  const warn = (_level: string, msg: string): void => io.err(`warning: ${msg}\n`);
  const ledgerClient = new kube.KubeClient({ env: io.env, log: warn, ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}) });
  const run = await followedRunOf(options, io, warn);
  const { words, kind } = run;
  const display = new RunDisplay(io, { mode: options.view, width: options.width, color: options.color });
  // The VMIs and their outcomes are in the run ledger, read (with what the watch does not
  // bring) after every change of the run and every few seconds; each read redraws the run.
  let ledger: LedgerView = NO_LEDGER;
  const problems = new Map<string, string>();
  const warnOnce = (what: string, problem: string | undefined): void => {
    if (problem && problem !== problems.get(what)) io.err(`warning: ${problem}\n`);
    if (problem) problems.set(what, problem);
    else problems.delete(what);
  };
  const readAll = async (): Promise<void> => {
    try {
      await run.refresh();
      warnOnce('engine', undefined);
    } catch (e) {
      warnOnce('engine', `cannot read the steps of ${options.name}: ${(e as Error).message}`);
    }
    const runId = run.current()?.runId;
    if (!runId) return;
    try {
      ledger = await kube.readRunLedger(ledgerClient, { namespace: options.namespace, runId }, warn);
      warnOnce('ledger', undefined);
    } catch (e) {
      warnOnce('ledger', `cannot read the run ledger (ConfigMaps labelled ${kube.ledgerSelector(runId)}): ${(e as Error).message}`);
    }
  };
  // Shown when it changed: a read that found nothing new draws no frame.
  let shown = '';
  const show = (): void => {
    const current = run.current();
    if (!current) return;
    const state = runStateOf(current, ledger);
    const key = JSON.stringify(state);
    if (key !== shown) display.show(state);
    shown = key;
  };
  const feed = new LedgerFeed(readAll, show, LEDGER_EVERY_MS);
  let signal: keyof typeof SIGNAL_EXIT | undefined;
  let gaveUp: string | undefined;
  const follow = new AbortController();
  let stopTimer: NodeJS.Timeout | undefined;
  const exitHandler = exitHandlerName(kind);

  const onSignal = (received: keyof typeof SIGNAL_EXIT): void => {
    if (signal) {
      gaveUp = `${received} again: stopped waiting; the ${exitHandler} may still be rolling back (${words.inspect})`;
      follow.abort();
      return;
    }
    signal = received;
    display.note(`${received}: asking ${words.engine} to stop ${kind} ${options.name} (${words.stopHow}); its ${exitHandler} rolls back every selected VMI. Waiting up to ${options.stopTimeoutSeconds} s for it (${received === 'SIGINT' ? 'Ctrl-C' : received} again to stop waiting).`, { signal: received });
    run.requestStop().then(
      () => {
        display.note(`stop requested: ${options.name} has ${words.stopHow}; waiting for the ${exitHandler}`);
        feed.refresh();
      },
      (e: unknown) => {
        gaveUp = `could not stop ${kind} ${options.name}: ${(e as Error).message}; it keeps running: ${words.stop}`;
        follow.abort();
      },
    );
    stopTimer = setTimeout(() => {
      gaveUp = `the ${exitHandler} did not finish within ${options.stopTimeoutSeconds} s; it may still be rolling back: ${words.inspect}`;
      follow.abort();
    }, options.stopTimeoutSeconds * 1000);
  };
  const sigint = (): void => onSignal('SIGINT');
  const sigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  const ticker = setInterval(() => display.tick(), 1000);
  try {
    await run.follow(follow.signal, () => feed.refresh());
  } finally {
    clearInterval(ticker);
    feed.stop();
    clearTimeout(stopTimer);
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }

  await feed.settle();
  const last = run.current()!;
  const report = runReportOf(runStateOf(last, ledger), last);
  if (options.view === 'json') io.out(`${JSON.stringify({ time: new Date().toISOString(), event: 'report', ...report })}\n`);
  else io.out(`\n${formatReport(report)}`);
  for (const output of options.outputs) emit(io, output.format === 'junit' ? junitXml(report) : `${JSON.stringify(report, null, 2)}\n`, output.file);

  const exitCode = signal ? SIGNAL_EXIT[signal] : 1;
  if (gaveUp) throw new RunFailedError(gaveUp, exitCode, report);
  if (!report.ok) {
    const why = report.failure ? describeFailure(report.failure) : `${kind} ${report.phase}`;
    throw new RunFailedError(signal ? `stopped by ${signal}; ${report.vmis.every((v) => v.rollback.confirmed) ? 'every rollback is confirmed' : `${why}`}` : why, exitCode, report);
  }
}

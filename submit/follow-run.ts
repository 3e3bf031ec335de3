/**
 * `--watch` and `watch NAME`: follow a workflow to its end, show it live, write the report and
 * decide the exit status. Ctrl-C or SIGTERM asks Argo to *stop* the run (`spec.shutdown: Stop`,
 * so its exit handler still rolls every VMI back) and waits, bounded, for that to finish; a
 * second signal stops the waiting, never the rollback.
 */
import process from 'node:process';
import { emit, type Io } from '../core/io.js';
import { isFinished, type ArgoWorkflow } from '../kube/argo-workflow.js';
import { junitXml } from './junit.js';
import { LedgerFeed } from './ledger-feed.js';
import { RunDisplay, type ViewMode } from './run-display.js';
import { describeFailure, formatReport, runReportOf, type RunReport } from './run-report.js';
import { NO_LEDGER, runStateOf, type LedgerView } from './run-state.js';

/** How often the run ledger is read when the workflow does not change: one list request per 500 objects. */
const LEDGER_EVERY_MS = 2000;

/** A report file to write: `--output junit FILE`, `--output json FILE`. */
export interface ReportOutput {
  readonly format: 'junit' | 'json';
  readonly file: string;
}

/** How to follow. */
export interface FollowRunOptions {
  readonly namespace: string;
  readonly name: string;
  readonly view: ViewMode;
  readonly width: number;
  readonly color: boolean;
  readonly outputs: readonly ReportOutput[];
  /** Longest wait for the exit handler after a stop request, in seconds. */
  readonly stopTimeoutSeconds: number;
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

/**
 * Follows the workflow to its end (or to the end of the bounded wait after a stop request),
 * then prints the report and writes the outputs.
 * @throws RunFailedError when the run did not succeed with every rollback confirmed; the API
 *   errors of kube/ (WorkflowAccessError, KubeNotFoundError, KubeConnectionError…).
 */
export async function followRun(options: FollowRunOptions, io: Io): Promise<void> {
  const { WorkflowClient } = await import('../kube/workflows.js');
  const { followWorkflow } = await import('../kube/workflow-watch.js');
  const kube = await import('../kube/index.js');
  const warn = (_level: string, msg: string): void => io.err(`warning: ${msg}\n`);
  const client = new WorkflowClient({ env: io.env, log: warn });
  const ledgerClient = new kube.KubeClient({ env: io.env, log: warn });
  const display = new RunDisplay(io, { mode: options.view, width: options.width, color: options.color });
  let last: ArgoWorkflow | undefined;
  // The VMIs and their outcomes are in the run ledger, read after every change of the workflow
  // and every few seconds; each read redraws the run.
  let ledger: LedgerView = NO_LEDGER;
  let ledgerProblem: string | undefined;
  const readLedger = async (): Promise<void> => {
    const runId = last?.metadata.uid;
    if (!runId) return;
    try {
      ledger = await kube.readRunLedger(ledgerClient, { namespace: options.namespace, runId }, warn);
      ledgerProblem = undefined;
    } catch (e) {
      const problem = `cannot read the run ledger (ConfigMaps labelled ${kube.ledgerSelector(runId)}): ${(e as Error).message}`;
      if (problem !== ledgerProblem) io.err(`warning: ${problem}\n`);
      ledgerProblem = problem;
    }
  };
  // Shown when it changed: a ledger read that found nothing new draws no frame.
  let shown = '';
  const show = (state: ReturnType<typeof runStateOf>): void => {
    const key = JSON.stringify(state);
    if (key !== shown) display.show(state);
    shown = key;
  };
  const feed = new LedgerFeed(readLedger, () => {
    if (last) show(runStateOf(last, ledger));
  }, LEDGER_EVERY_MS);
  let signal: keyof typeof SIGNAL_EXIT | undefined;
  let gaveUp: string | undefined;
  const follow = new AbortController();
  let stopTimer: NodeJS.Timeout | undefined;

  const onSignal = (received: keyof typeof SIGNAL_EXIT): void => {
    if (signal) {
      gaveUp = `${received} again: stopped waiting; the exit handler may still be rolling back (argo get -n ${options.namespace} ${options.name})`;
      follow.abort();
      return;
    }
    signal = received;
    display.note(`${received}: asking Argo to stop workflow ${options.name} (spec.shutdown: Stop); its exit handler rolls back every selected VMI. Waiting up to ${options.stopTimeoutSeconds} s for it (${received === 'SIGINT' ? 'Ctrl-C' : received} again to stop waiting).`, { signal: received });
    client.requestStop(options.namespace, options.name).then(
      () => display.note(`stop requested: ${options.name} has spec.shutdown: Stop; waiting for the exit handler`),
      (e: unknown) => {
        gaveUp = `could not stop workflow ${options.name}: ${(e as Error).message}; it keeps running: argo stop -n ${options.namespace} ${options.name}`;
        follow.abort();
      },
    );
    stopTimer = setTimeout(() => {
      gaveUp = `the exit handler did not finish within ${options.stopTimeoutSeconds} s; it may still be rolling back: argo get -n ${options.namespace} ${options.name}`;
      follow.abort();
    }, options.stopTimeoutSeconds * 1000);
  };
  const sigint = (): void => onSignal('SIGINT');
  const sigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  const ticker = setInterval(() => display.tick(), 1000);
  try {
    await followWorkflow(client, {
      namespace: options.namespace,
      name: options.name,
      signal: follow.signal,
      onUpdate: (workflow) => {
        last = workflow;
        feed.refresh();
        return isFinished(workflow);
      },
    });
  } finally {
    clearInterval(ticker);
    feed.stop();
    clearTimeout(stopTimer);
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }

  await feed.settle();
  const report = runReportOf(runStateOf(last!, ledger), last!);
  if (options.view === 'json') io.out(`${JSON.stringify({ time: new Date().toISOString(), event: 'report', ...report })}\n`);
  else io.out(`\n${formatReport(report)}`);
  for (const output of options.outputs) emit(io, output.format === 'junit' ? junitXml(report) : `${JSON.stringify(report, null, 2)}\n`, output.file);

  const exitCode = signal ? SIGNAL_EXIT[signal] : 1;
  if (gaveUp) throw new RunFailedError(gaveUp, exitCode, report);
  if (!report.ok) {
    const why = report.failure ? describeFailure(report.failure) : `workflow ${report.phase}`;
    throw new RunFailedError(signal ? `stopped by ${signal}; ${report.vmis.every((v) => v.rollback.confirmed) ? 'every rollback is confirmed' : `${why}`}` : why, exitCode, report);
  }
}

/**
 * How a Tekton run ended, for the report in its finally (pure). Tekton's aggregate
 * `$(tasks.status)` says `Completed` when every task succeeded or was skipped. Skips by a `when`
 * are normal here (the path not taken, serial rounds without a VMI), but a run stopped
 * gracefully, or timed out between two tasks, also skips what was left and still says Completed.
 * The PipelineRun's `status.skippedTasks` tells them apart.
 */

/** Skip reasons of a run cut short (Tekton's v1.SkippingReason values). */
export const CUT_SHORT_SKIP_REASONS: ReadonlySet<string> = new Set([
  'PipelineRun was stopping',
  'PipelineRun was gracefully cancelled',
  'PipelineRun was gracefully stopped',
  'PipelineRun timeout has been reached',
  'PipelineRun Tasks timeout has been reached',
  'PipelineRun Finally timeout has been reached',
]);

/** A skipped pipeline task as the PipelineRun's status lists it. */
export interface SkippedTask {
  readonly name: string;
  readonly reason: string;
}

/** The report's verdict. */
export interface TektonOutcome {
  /** Succeeded, Failed, Stopped (cut short) or Unknown (Completed, but the run could not be read). */
  readonly status: 'Succeeded' | 'Failed' | 'Stopped' | 'Unknown' | 'None';
  /** Why, when not plain. */
  readonly detail?: string;
}

/**
 * The outcome of a run whose tasks ended with `aggregate` (`$(tasks.status)`), given the
 * PipelineRun's skipped tasks, or `undefined` when it could not be read (`readError` says why).
 */
export function tektonOutcome(aggregate: string, skipped: readonly SkippedTask[] | undefined, readError?: string): TektonOutcome {
  if (aggregate === 'Succeeded' || aggregate === 'Failed') return { status: aggregate };
  if (aggregate !== 'Completed') return { status: 'None', detail: `tasks status ${JSON.stringify(aggregate)}` };
  if (!skipped) return { status: 'Unknown', detail: `every task that ran succeeded, but the skipped ones are unknown: ${readError ?? 'no PipelineRun to read'}` };
  const cut = skipped.filter((t) => CUT_SHORT_SKIP_REASONS.has(t.reason));
  if (cut.length === 0) return { status: 'Succeeded' };
  return { status: 'Stopped', detail: `${cut.map((t) => t.name).join(', ')} never ran: ${[...new Set(cut.map((t) => t.reason))].join('; ')}` };
}

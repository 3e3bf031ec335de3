/**
 * A run as `watch` follows it, whatever its engine: its latest EngineRun, how to follow it to
 * its end, what to re-read besides the watched object, and how to stop it so that its exit
 * handler (finally) still rolls every VMI back. submit/follow-argo.ts and submit/follow-tekton.ts
 * implement it; submit/follow-run.ts uses it.
 */
import type { EngineRun, RunKind } from './run-state.js';

/** The engines `watch` follows: argo (a Workflow), tekton (a PipelineRun). */
export const WATCH_ENGINES = ['argo', 'tekton'] as const;
/** One of WATCH_ENGINES. */
export type WatchEngine = (typeof WATCH_ENGINES)[number];

/** What the messages of follow-run say about an engine. */
export interface EngineWords {
  /** `Argo`, `Tekton`. */
  readonly engine: string;
  /** How it is asked to stop: `spec.shutdown: Stop`. */
  readonly stopHow: string;
  /** A command that shows the run: `argo get -n NS NAME`. */
  readonly inspect: string;
  /** A command that stops it gracefully. */
  readonly stop: string;
  /** A command that follows it with the engine's own tool. */
  readonly follow: string;
}

/** One run of one engine. */
export interface FollowedRun {
  /** What the engine calls the run. */
  readonly kind: RunKind;
  readonly words: EngineWords;
  /** The run as last read; undefined before the first read. */
  current(): EngineRun | undefined;
  /**
   * Follows the run until it has its final phase or `signal` aborts; `onChange` after every new
   * version of the watched object.
   */
  follow(signal: AbortSignal, onChange: () => void): Promise<void>;
  /** Reads what the watch does not bring (Tekton: the TaskRuns). */
  refresh(): Promise<void>;
  /** Asks the engine to stop the run; its exit handler (finally) then rolls back. */
  requestStop(): Promise<void>;
}

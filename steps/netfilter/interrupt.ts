/**
 * SIGTERM (a pod being stopped, `argo stop`) and SIGINT during a step: recorded instead of
 * killing the process, so a transaction in flight completes and the step can decide to undo it.
 */
import process from 'node:process';

/** The step was asked to stop; what it applied has been undone. */
export class InterruptedError extends Error {
  /** 128 + signal number, the status a shell reports for a signal. */
  readonly exitCode: number;
  constructor(readonly signal: NodeJS.Signals, detail: string) {
    super(`stopped by ${signal}: ${detail}`);
    this.exitCode = 128 + (signal === 'SIGINT' ? 2 : 15);
  }
}
InterruptedError.prototype.name = 'InterruptedError';

/**
 * The step was asked to stop and could not undo what it applied: the objects named are still
 * in the kernel. Exit 1, never the status that means "stopped and undone".
 */
export class UndoFailedError extends Error {
  readonly exitCode = 1;
  constructor(readonly signal: NodeJS.Signals, readonly left: readonly string[], cause: unknown) {
    super(
      `stopped by ${signal}, but the rules applied meanwhile could not be removed${cause instanceof Error ? ` (${cause.message})` : ''}: ${left.length === 0 ? 'whether any is left is unknown' : `${left.join(', ')} still in the namespace`}`,
      { cause },
    );
  }
}
UndoFailedError.prototype.name = 'UndoFailedError';

/** A termination request seen while the guard was installed. */
export interface TerminationGuard {
  /** The signal received, if any. */
  readonly signal: () => NodeJS.Signals | undefined;
  /** Stops intercepting signals. */
  readonly dispose: () => void;
}

/** Intercepts SIGTERM and SIGINT until disposed. */
export function guardTermination(): TerminationGuard {
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    received ??= signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: () => received,
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

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

/**
 * Step logging: one JSON object per line on stdout (what Argo and Tekton show and log
 * collectors parse), with a timestamp, level, step name and message first.
 */
import type { Io } from './io.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface StepLogger {
  readonly log: (level: Level, msg: string, fields?: Record<string, unknown>) => void;
}

export function stepLogger(io: Io, step: string, now: () => Date = () => new Date()): StepLogger {
  return {
    log: (level, msg, fields = {}) => {
      io.out(`${JSON.stringify({ time: now().toISOString(), level, step, msg, ...fields })}\n`);
    },
  };
}

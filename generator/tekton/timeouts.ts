/**
 * PipelineRun timeouts from the scenarios (pure). Tekton's default is one hour for the whole run,
 * which a serial scenario with long holds outgrows; a run without a bound is worse (a stuck step
 * would hold a fault, and a pod, forever). So the bound is computed from what the run will do.
 */
import type { Scenario } from '../../scenario/index.js';

/** Seconds allowed for select (pod start, image pull, the API listing). */
export const SELECT_SECONDS = 600;
/** Seconds allowed per fault round besides the hold: inject, verify and rollback pods. */
export const ROUND_OVERHEAD_SECONDS = 900;
/** Seconds allowed for the finally tasks (rollback of every VMI, the report). */
export const FINALLY_SECONDS = 900;

/** A PipelineRun's `spec.timeouts`. */
export interface Timeouts {
  readonly pipeline: string;
  readonly tasks: string;
  readonly finally: string;
}

/**
 * `timeouts` of a PipelineRun running `scenarios` in order, scenario i with `rounds[i]` serial
 * rounds (a parallel run takes about one round). Go duration strings, as Tekton takes them.
 */
export function timeoutsFor(scenarios: readonly Scenario[], rounds: readonly number[]): Timeouts {
  let tasks = 0;
  scenarios.forEach((scenario, i) => {
    const waitBefore = i === 0 ? 0 : scenarios[i - 1]!.wait_duration;
    const faultRounds = Math.max(1, rounds[i] ?? 0);
    tasks += waitBefore + SELECT_SECONDS + faultRounds * (scenario.test_duration + ROUND_OVERHEAD_SECONDS);
  });
  return { pipeline: `${tasks + FINALLY_SECONDS}s`, tasks: `${tasks}s`, finally: `${FINALLY_SECONDS}s` };
}

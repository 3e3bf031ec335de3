/**
 * verify's judgement of a run's deadline, pure: after it the kernel no longer applies the rules
 * (the fault is over: a problem); before it, the time left, and a warning when the nft timeouts
 * and the recorded deadline disagree (the node's clock moved since inject).
 */
import { isoSeconds } from './expiry.js';

/** Beyond this, the tag's deadline and the nft timeouts disagree: the clock moved since inject. */
export const CLOCK_MOVED_SECONDS = 2;

/** What a deadline is judged from, and what the judgement adds to. */
export interface DeadlineFacts {
  /** The deadline recorded in the run's tags (Unix seconds); undefined when none is readable. */
  readonly expiresAt?: number;
  /** nftables only: the kernel's count of the set elements' remaining life (whole seconds). */
  readonly kernelSecondsLeft?: number;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * `facts` with the deadline judged at `now` (Unix seconds): `secondsLeft` added, a passed
 * deadline first among the problems, a moved clock among the warnings. Unchanged without a
 * recorded deadline (its absence is a problem of its own, found where the tag is read).
 */
export function judgeDeadline<T extends DeadlineFacts>(facts: T, runId: string, now: number): T & { readonly secondsLeft?: number } {
  const { expiresAt, kernelSecondsLeft } = facts;
  if (expiresAt === undefined) return facts;
  const secondsLeft = expiresAt - now;
  const problems = [...facts.problems];
  const warnings = [...facts.warnings];
  if (secondsLeft <= 0) {
    problems.unshift(`the deadline of run ${runId} passed ${-secondsLeft} s ago (${isoSeconds(expiresAt)}): the kernel no longer applies its rules, the fault is over`);
  } else if (kernelSecondsLeft !== undefined && Math.abs(kernelSecondsLeft - secondsLeft) > CLOCK_MOVED_SECONDS) {
    warnings.push(
      `the nftables timeouts end in ${kernelSecondsLeft} s but the recorded deadline is in ${secondsLeft} s: the node's clock moved since inject (the kernel's timeouts do not follow it; the deadline in the tags does)`,
    );
  }
  return { ...facts, problems, warnings, secondsLeft };
}

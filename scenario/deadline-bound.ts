/**
 * How long a fault may last: as long as every backend can carry its deadline. The kernel ends
 * a run's rules by itself at inject + test_duration + expiry_grace (with a synchronized onset,
 * at the window's end + expiry_grace, the window starting up to the arm budget after select).
 *
 * - nftables: the deadline is a set timeout counted from inject, which inject writes in
 *   milliseconds (the clock's fraction counts). nft 1.0.6, the step image's, refuses a
 *   millisecond timeout of 100,000,000 ms (100,000 s) or more: "Error: value too large"
 *   (measured: 99999999ms accepted, 100000000ms refused; whole seconds are not so bounded).
 * - iptables: `-m time --datestop` takes no date past 2038 (1.8.9 refuses 2039-01-01; builds
 *   with a 32-bit time_t none past 2038-01-19T03:14:07). No deadline under 100,000 s from now
 *   reaches it before 2038, so the nft bound is the one to check.
 */
import { MAX_ARM_BUDGET, type Scenario } from './schema.js';

/** The longest nft set timeout the step image's nft (1.0.6) accepts, in whole seconds. */
export const MAX_KERNEL_TIMEOUT_SECONDS = 99_999;

/**
 * Why `scenario`'s deadline cannot be carried by every backend, or undefined when it can.
 * With onset synchronized the timeout also spans the wait from inject to the start: the
 * scenario's arm_budget, or when 0 (automatic) its most, MAX_ARM_BUDGET.
 */
export function deadlineBoundProblem(scenario: Pick<Scenario, 'test_duration' | 'expiry_grace' | 'onset' | 'arm_budget'>): string | undefined {
  const { test_duration: duration, expiry_grace: grace } = scenario;
  const synchronized = scenario.onset === 'synchronized';
  const budget = synchronized ? scenario.arm_budget || MAX_ARM_BUDGET : 0;
  const total = duration + grace + budget;
  if (total <= MAX_KERNEL_TIMEOUT_SECONDS) return undefined;
  const limit = MAX_KERNEL_TIMEOUT_SECONDS + 1;
  const room = MAX_KERNEL_TIMEOUT_SECONDS - grace - budget;
  const advice =
    room >= 1
      ? `with ${synchronized ? 'these' : 'this expiry_grace'}, test_duration may be at most ${room}`
      : `lower expiry_grace${synchronized ? ' or arm_budget' : ''}`;
  const reason = `the kernel ends the rules by an nftables set timeout, and nft 1.0.6 (the step image's) refuses one of ${limit} s or more`;
  if (!synchronized) {
    return `test_duration + expiry_grace must stay below ${limit} s, not ${duration} + ${grace} = ${total} s: ${reason}; ${advice}`;
  }
  const armed = scenario.arm_budget ? `arm_budget ${budget}` : `arm_budget 0 (automatic, up to ${MAX_ARM_BUDGET})`;
  return `test_duration + expiry_grace + the arm budget must stay below ${limit} s with onset synchronized (the timeout also spans the wait from inject to the start), not ${duration} + ${grace} + ${budget} = ${total} s (${armed}): ${reason}; ${advice}`;
}

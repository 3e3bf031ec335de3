/**
 * When a run's rules stop by themselves: the deadline. Recorded in every tag (verify and sweep
 * read it) and enforced by the kernel (nft set element timeouts, iptables `-m time
 * --datestop`), so a fault ends even if no step of ours ever runs again.
 */

/**
 * The engine's default grace: seconds past the scenario's duration before the rules expire,
 * room for the hold step to end, verify and rollback pods to be scheduled, and their retries
 * (3, backoff 5 s ×2). The steps take the scenario's `expiry_grace` (same default); this is
 * for callers of the engine that have no scenario.
 */
export const EXPIRY_GRACE_SECONDS = 60;

/**
 * Unix seconds of the deadline of rules injected at `now` (Unix seconds) for `durationSeconds`:
 * `now` + duration + grace.
 * @default graceSeconds EXPIRY_GRACE_SECONDS
 */
export function expiryFor(now: number, durationSeconds: number, graceSeconds = EXPIRY_GRACE_SECONDS): number {
  return Math.floor(now) + durationSeconds + graceSeconds;
}

/** Now, in Unix seconds. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** A Unix time as `2026-11-21T19:47:41Z`. */
export function isoSeconds(epoch: number): string {
  return `${new Date(epoch * 1000).toISOString().slice(0, 19)}Z`;
}

/**
 * The deadline is not in the future: the kernel would never apply the rules (iptables) or drop
 * them at once (nftables), so a "successful" inject would be a fault that never happened.
 * Bad input (exit status 2): a wrong `--now`, or a clock that jumped.
 */
export class DeadlinePassedError extends Error {
  /** Bad input: exit status 2. */
  readonly exitCode = 2;
  constructor(
    /** The deadline, Unix seconds. */
    readonly expiresAt: number,
    /** The node's clock when it was checked, Unix seconds. */
    readonly clock: number,
    /** How the deadline was computed, for the message. */
    readonly origin: string,
  ) {
    super(`the deadline ${isoSeconds(expiresAt)} (${origin}) is ${clock - expiresAt} s in the past by the node's clock (${isoSeconds(clock)}): the kernel would never apply the rules; check --now and the node's clock`);
  }
}
DeadlinePassedError.prototype.name = 'DeadlinePassedError';

/**
 * Refuses a deadline at or before `clock` (the node's clock, Unix seconds).
 * @throws DeadlinePassedError naming `origin` (how the deadline was computed).
 */
export function refusePassedDeadline(expiresAt: number, clock: number, origin: string): void {
  if (expiresAt <= clock) throw new DeadlinePassedError(expiresAt, clock, origin);
}

/**
 * When a run's rules become leftovers. Recorded in every tag (sweep reads it) and enforced by
 * the kernel (nft set timeouts, iptables `-m time --datestop`), so a fault ends even if no step
 * of ours ever runs again.
 */

/**
 * Seconds past the scenario's duration before the rules expire: room for the hold step to end,
 * verify and rollback pods to be scheduled, and their retries (3, backoff 5 s ×2).
 */
export const EXPIRY_GRACE_SECONDS = 60;

/** Unix seconds of the expiry of rules injected at `now` (Unix seconds) for `durationSeconds`. */
export function expiryFor(now: number, durationSeconds: number, graceSeconds = EXPIRY_GRACE_SECONDS): number {
  return Math.floor(now) + durationSeconds + graceSeconds;
}

/** Now, in Unix seconds. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

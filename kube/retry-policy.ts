/**
 * When to retry a request to the Kubernetes API and how long to wait: bounded attempts,
 * exponential backoff with jitter (so that many step pods throttled together do not retry
 * together), and Retry-After honoured as the API server's priority-and-fairness asks.
 * Pure: the caller sleeps.
 */

/** Retry tuning. */
export interface RetryOptions {
  /** Requests in all, the first one included. @default 5 */
  readonly maxAttempts: number;
  /** Backoff before the first retry; doubled for each further one. @default 250 */
  readonly baseDelayMs: number;
  /** Cap of the backoff (Retry-After may ask for longer). @default 8000 */
  readonly maxDelayMs: number;
  /** The longest Retry-After we wait; a longer one ends the retries at once. @default 60000 */
  readonly maxRetryAfterMs: number;
  /** Source of the jitter, in [0, 1). @default Math.random */
  readonly random: () => number;
}

/** The defaults of RetryOptions: at most 5 requests, about 7.5 s of backoff in the worst case. */
export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  random: Math.random,
};

/** 429 (throttled) and 5xx (server or etcd trouble) are worth another try; other codes are answers. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Backoff before retry number `retry` (1 = the first retry): half of the exponential step is
 * fixed and half random ("equal jitter"), so the wait grows for sure but retries spread out.
 */
export function backoffDelay(retry: number, options: RetryOptions): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (options.random() * step) / 2);
}

/**
 * A Retry-After header in milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3).
 * @returns undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/**
 * How long to wait before retrying after failed attempt number `attempt` (1-based).
 * @returns the delay in ms, or undefined when no retry is left or Retry-After asks for more
 *   than maxRetryAfterMs (waiting that long would outlive a workflow step's patience).
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, options: RetryOptions): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  if (retryAfterMs !== undefined && retryAfterMs > options.maxRetryAfterMs) return undefined;
  return Math.max(retryAfterMs ?? 0, backoffDelay(attempt, options));
}

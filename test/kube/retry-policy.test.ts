import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, retryDelay, type RetryOptions } from '../../kube/index.js';

const fixed = (value: number): RetryOptions => ({ ...DEFAULT_RETRY, random: () => value });

describe('retry policy', () => {
  it('should retry 429 and 5xx but not other client errors', () => {
    expect([429, 500, 502, 503, 504].map(isRetryableStatus)).toEqual([true, true, true, true, true]);
    expect([400, 401, 403, 404, 409, 410].map(isRetryableStatus)).toEqual([false, false, false, false, false, false]);
  });

  it('should double the backoff per retry, half of it jittered, capped at maxDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, fixed(0)))).toEqual([125, 250, 500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, fixed(0.999999)))).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('should read Retry-After as delta-seconds or an HTTP date', () => {
    const now = new Date('2025-05-12T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Mon, 12 May 2025 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Mon, 12 May 2025 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('should wait at least what Retry-After asks', () => {
    expect(retryDelay(1, 2000, fixed(0))).toBe(2000);
    expect(retryDelay(1, 10, fixed(0))).toBe(125);
  });

  it('should give up after maxAttempts or when Retry-After exceeds maxRetryAfterMs', () => {
    expect(retryDelay(4, undefined, fixed(0))).toBe(1000);
    expect(retryDelay(5, undefined, fixed(0))).toBeUndefined();
    expect(retryDelay(1, 60_001, fixed(0))).toBeUndefined();
    expect(retryDelay(1, 60_000, fixed(0))).toBe(60_000);
  });
});

/**
 * `--now EPOCH` of the steps that judge deadlines (inject, sweep): the time taken as now, so a
 * deadline in the past or a sweep after a deadline can be tried without waiting for it.
 */
import { UsageError } from '../../core/errors.js';
import { unixNow } from '../netfilter/index.js';

/** Help text of the flag. */
export const NOW_FLAG = '--now <epoch>';

/**
 * The Unix time (seconds) given as `--now`, or the clock's when absent.
 * @throws UsageError (exit 2) when `value` is not a Unix time in seconds.
 */
export function parseNow(value: string | undefined): number {
  if (value === undefined) return unixNow();
  if (!/^[0-9]{1,12}$/.test(value)) throw new UsageError(`--now must be a Unix time in seconds, not "${value}"`);
  return Number(value);
}

/**
 * When a run's nftables rules dropped their first and their last packet, pure: read from the
 * timers of the run's drop sets (render-nft.ts). An element's timer started at the packet that
 * added it (`first_drop`: `add` never restarts it) or last updated it (`last_drop`: `update`
 * restarts it), so that packet passed `timeout − expires` before the listing was taken.
 * The kernel keeps these timers in ticks (1 to 10 ms); iptables has no such record.
 */
import { parseSetTimers, type NftTimedElement } from './nft-json.js';
import { FIRST_DROP_SET, LAST_DROP_SET } from './render-nft.js';

/** The first and last dropped packet (Unix ms); each undefined when no packet was recorded. */
export interface DropTimes {
  readonly firstDropAtMs?: number;
  readonly lastDropAtMs?: number;
}

/** When the timer of `element` started, for a listing taken at `readAtMs` (Unix ms). */
export function timerStartedAt(element: NftTimedElement, readAtMs: number): number | undefined {
  const { timeoutMs, expiresMs } = element;
  return timeoutMs === undefined || expiresMs === undefined ? undefined : readAtMs - (timeoutMs - expiresMs);
}

function startsOf(listing: string, set: string, readAtMs: number): number[] {
  return (parseSetTimers(listing, set) ?? []).flatMap((e) => timerStartedAt(e, readAtMs) ?? []);
}

/**
 * The drop times in `listing` (text of `nft list table F N`) taken at `readAtMs` (Unix ms),
 * rounded to the ms: the earliest first drop and the latest last drop over the protocols.
 */
export function dropTimes(listing: string, readAtMs: number): DropTimes {
  const firsts = startsOf(listing, FIRST_DROP_SET, readAtMs);
  const lasts = startsOf(listing, LAST_DROP_SET, readAtMs);
  return {
    ...(firsts.length === 0 ? {} : { firstDropAtMs: Math.round(Math.min(...firsts)) }),
    ...(lasts.length === 0 ? {} : { lastDropAtMs: Math.round(Math.max(...lasts)) }),
  };
}

/**
 * Does the node's clock look right? Judged against the Kubernetes API server's `Date` header
 * (RFC 9110 IMF-fixdate: whole seconds), measured around one request. Pure.
 *
 * Why inject cares: the deadline is counted on the node's clock. nftables timeouts count
 * elapsed time and end the fault on time whatever the clock says; iptables' `--datestop` is
 * compared with the wall clock, so a wrong clock corrected during the run (NTP stepping it)
 * moves the iptables deadline by the correction. The recorded `expiresAt` is also read against
 * other clocks (people, sweep runs on other schedules). A steady skew alone does not lengthen the
 * fault, so a skew is a warning, never a refusal.
 */
import { isoSeconds } from './netfilter/index.js';

/** Beyond this (after the measurement's own uncertainty), the node's clock looks wrong. */
export const CLOCK_SKEW_TOLERANCE_SECONDS = 2;

/** One request's timing and the server's `Date` header. */
export interface ClockSample {
  /** Local clock (Unix ms) just before the request was sent. */
  readonly sentAt: number;
  /** Local clock (Unix ms) when the answer was in. */
  readonly receivedAt: number;
  /** The server's `Date` header. */
  readonly date: string;
}

/** The node's clock compared with the server's. */
export interface ClockSkew {
  /** Estimated node − server, seconds (positive: the node's clock is ahead), to 0.1 s. */
  readonly skewSeconds: number;
  /** How far off the estimate may be, seconds: half the round trip plus half the header's 1 s resolution. */
  readonly uncertaintySeconds: number;
  /** ahead/behind only when the skew exceeds the tolerance even at the near end of the uncertainty. */
  readonly verdict: 'agrees' | 'ahead' | 'behind';
  /** The server's clock when it answered, at least (Unix ms, the header's value). */
  readonly serverDate: number;
}

const tenths = (x: number): number => Math.round(x * 10) / 10;

/**
 * The skew `sample` shows; undefined when its `Date` header is unreadable or the local clock ran
 * backwards during the request (nothing can be concluded then).
 * @default toleranceSeconds CLOCK_SKEW_TOLERANCE_SECONDS
 */
export function measureSkew(sample: ClockSample, toleranceSeconds = CLOCK_SKEW_TOLERANCE_SECONDS): ClockSkew | undefined {
  const serverDate = Date.parse(sample.date);
  if (Number.isNaN(serverDate) || sample.receivedAt < sample.sentAt) return undefined;
  // The server stamped its answer at some local moment in [sentAt, receivedAt], its own clock
  // then in [date, date + 1 s): the skew lies between these bounds.
  const lowest = sample.sentAt - (serverDate + 1000);
  const highest = sample.receivedAt - serverDate;
  const tolerance = toleranceSeconds * 1000;
  const verdict = lowest > tolerance ? 'ahead' : highest < -tolerance ? 'behind' : 'agrees';
  return {
    skewSeconds: tenths((lowest + highest) / 2 / 1000),
    uncertaintySeconds: Math.ceil((highest - lowest) / 2 / 100) / 10,
    verdict,
    serverDate,
  };
}

/**
 * What an operator should know about `skew` for a fault with deadline `expiresAt` (Unix
 * seconds, counted on the node's clock); undefined when the clocks agree.
 */
export function skewWarning(skew: ClockSkew, expiresAt: number): string | undefined {
  if (skew.verdict === 'agrees') return undefined;
  const size = `${Math.abs(Math.round(skew.skewSeconds))} s`;
  const measured = `(±${skew.uncertaintySeconds} s, from its Date header)`;
  const counted = `the deadline ${isoSeconds(expiresAt)} counts on the node's clock`;
  const nft = 'nftables timeouts do not follow the clock';
  if (skew.verdict === 'ahead') {
    return `the node's clock is ${size} ahead of the Kubernetes API server's ${measured}: ${counted}; if the clock is set back during the run, iptables rules (--datestop follows the wall clock) last up to ${size} longer (${nft})`;
  }
  const passed = expiresAt * 1000 <= skew.serverDate ? "; by the API server's clock that deadline has already passed" : '';
  return `the node's clock is ${size} behind the Kubernetes API server's ${measured}: ${counted}; if the clock is corrected during the run, iptables rules (--datestop follows the wall clock) end up to ${size} early (${nft})${passed}`;
}

import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_TOLERANCE_SECONDS, measureSkew, skewWarning } from '../../steps/clock-skew.js';

// The server's Date header is whole seconds: 2026-11-21T12:00:00Z.
const DATE = 'Sat, 21 Nov 2026 12:00:00 GMT';
const SERVER = Date.UTC(2026, 10, 21, 12, 0, 0);
/** A 100 ms round trip whose midpoint is `offsetMs` after the server's second began (plus half a second). */
const sample = (offsetMs: number) => ({ sentAt: SERVER + 500 + offsetMs - 50, receivedAt: SERVER + 500 + offsetMs + 50, date: DATE });

describe('measureSkew', () => {
  it('should find no skew when the answer came half a second into the server\'s second', () => {
    expect(measureSkew(sample(0))).toEqual({ skewSeconds: 0, uncertaintySeconds: 0.6, verdict: 'agrees', serverDate: SERVER });
  });

  it('should count the round trip and the header\'s one-second resolution into the uncertainty', () => {
    expect(measureSkew({ sentAt: SERVER, receivedAt: SERVER + 1400, date: DATE })).toEqual({ skewSeconds: 0.2, uncertaintySeconds: 1.2, verdict: 'agrees', serverDate: SERVER });
  });

  it('should call a clock an hour ahead "ahead" and one an hour behind "behind"', () => {
    expect(measureSkew(sample(3_600_000))).toMatchObject({ skewSeconds: 3600, verdict: 'ahead' });
    expect(measureSkew(sample(-3_600_000))).toMatchObject({ skewSeconds: -3600, verdict: 'behind' });
  });

  it('should judge only what lies beyond the tolerance at the near end of the uncertainty', () => {
    expect(CLOCK_SKEW_TOLERANCE_SECONDS).toBe(2);
    // Estimated 2.5 s ahead, ±0.6 s: could be 1.9 s, within the tolerance.
    expect(measureSkew(sample(2500))).toMatchObject({ skewSeconds: 2.5, verdict: 'agrees' });
    // Estimated 2.7 s ahead, ±0.6 s: at least 2.1 s.
    expect(measureSkew(sample(2700))).toMatchObject({ skewSeconds: 2.7, verdict: 'ahead' });
    expect(measureSkew(sample(-2700))).toMatchObject({ skewSeconds: -2.7, verdict: 'behind' });
    expect(measureSkew(sample(2700), 5)).toMatchObject({ verdict: 'agrees' });
  });

  it('should conclude nothing from an unreadable Date header or a clock that ran backwards meanwhile', () => {
    expect(measureSkew({ ...sample(0), date: 'yesterday' })).toBeUndefined();
    expect(measureSkew({ sentAt: SERVER + 10, receivedAt: SERVER, date: DATE })).toBeUndefined();
  });
});

describe('skewWarning', () => {
  const expiresAt = SERVER / 1000 + 180; // 12:03:00Z

  it('should say nothing when the clocks agree', () => {
    expect(skewWarning(measureSkew(sample(300))!, expiresAt)).toBeUndefined();
  });

  it('should warn that iptables rules may outlive the deadline when the node\'s clock is ahead', () => {
    expect(skewWarning(measureSkew(sample(3_600_000))!, expiresAt)).toBe(
      "the node's clock is 3600 s ahead of the Kubernetes API server's (±0.6 s, from its Date header): the deadline 2026-11-21T12:03:00Z counts on the node's clock; if the clock is set back during the run, iptables rules (--datestop follows the wall clock) last up to 3600 s longer (nftables timeouts do not follow the clock)",
    );
  });

  it('should warn that iptables rules may end early when the node\'s clock is behind', () => {
    expect(skewWarning(measureSkew(sample(-60_000))!, expiresAt)).toBe(
      "the node's clock is 60 s behind the Kubernetes API server's (±0.6 s, from its Date header): the deadline 2026-11-21T12:03:00Z counts on the node's clock; if the clock is corrected during the run, iptables rules (--datestop follows the wall clock) end up to 60 s early (nftables timeouts do not follow the clock)",
    );
  });

  it('should add that the deadline has already passed by the API server\'s clock when the node is that far behind', () => {
    // Injected for 180 s by a node an hour behind: its deadline is 11:03:00Z.
    const nodeDeadline = expiresAt - 3600;
    expect(skewWarning(measureSkew(sample(-3_600_000))!, nodeDeadline)).toBe(
      "the node's clock is 3600 s behind the Kubernetes API server's (±0.6 s, from its Date header): the deadline 2026-11-21T11:03:00Z counts on the node's clock; if the clock is corrected during the run, iptables rules (--datestop follows the wall clock) end up to 3600 s early (nftables timeouts do not follow the clock); by the API server's clock that deadline has already passed",
    );
  });
});

import { describe, expect, it } from 'vitest';
import { CLOCK_MOVED_SECONDS, DeadlinePassedError, EXPIRY_GRACE_SECONDS, expiryFor, isoSeconds, judgeDeadline, refusePassedDeadline } from '../../steps/netfilter/index.js';

describe('the deadline', () => {
  it('should be inject time + duration + grace, in whole seconds', () => {
    expect(expiryFor(1_800_000_000.9, 120, 2)).toBe(1_800_000_122);
    expect(expiryFor(1_800_000_000, 120)).toBe(1_800_000_000 + 120 + EXPIRY_GRACE_SECONDS);
    expect(EXPIRY_GRACE_SECONDS).toBe(60);
  });

  it('should print as UTC to the second', () => {
    expect(isoSeconds(1_800_000_122)).toBe('2027-01-15T08:02:02Z');
  });

  it('should be refused at or before the node\'s clock, as bad input, saying where it came from', () => {
    expect(() => refusePassedDeadline(1_800_000_001, 1_800_000_000, 'x')).not.toThrow();
    let error: unknown;
    try {
      refusePassedDeadline(1_800_000_000, 1_800_000_030, 'inject time 2027-01-15T07:59:55Z + test_duration 3 s + expiry_grace 2 s');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeadlinePassedError);
    expect(error).toMatchObject({
      name: 'DeadlinePassedError',
      exitCode: 2,
      expiresAt: 1_800_000_000,
      clock: 1_800_000_030,
      message:
        "the deadline 2027-01-15T08:00:00Z (inject time 2027-01-15T07:59:55Z + test_duration 3 s + expiry_grace 2 s) is 30 s in the past by the node's clock (2027-01-15T08:00:30Z): the kernel would never apply the rules; check --now and the node's clock",
    });
    expect(() => refusePassedDeadline(1_800_000_000, 1_800_000_000, 'x')).toThrow(DeadlinePassedError);
  });
});

describe('judging a run\'s deadline at verify', () => {
  const facts = { expiresAt: 1_800_000_000, problems: ['p'], warnings: ['w'] };

  it('should report the seconds left before the deadline, adding nothing else', () => {
    expect(judgeDeadline(facts, 'r1', 1_799_999_880)).toEqual({ ...facts, secondsLeft: 120 });
  });

  it('should put a passed deadline first among the problems: the fault is over', () => {
    expect(judgeDeadline(facts, 'r1', 1_800_000_007)).toEqual({
      ...facts,
      secondsLeft: -7,
      problems: ['the deadline of run r1 passed 7 s ago (2027-01-15T08:00:00Z): the kernel no longer applies its rules, the fault is over', 'p'],
    });
    expect(judgeDeadline(facts, 'r1', 1_800_000_000).problems[0]).toBe('the deadline of run r1 passed 0 s ago (2027-01-15T08:00:00Z): the kernel no longer applies its rules, the fault is over');
  });

  it('should warn when the nft timeouts and the recorded deadline disagree by more than 2 s', () => {
    expect(CLOCK_MOVED_SECONDS).toBe(2);
    expect(judgeDeadline({ ...facts, kernelSecondsLeft: 118 }, 'r1', 1_799_999_880)).toEqual({ ...facts, kernelSecondsLeft: 118, secondsLeft: 120 });
    expect(judgeDeadline({ ...facts, kernelSecondsLeft: 117 }, 'r1', 1_799_999_880).warnings).toEqual([
      'w',
      "the nftables timeouts end in 117 s but the recorded deadline is in 120 s: the node's clock moved since inject (the kernel's timeouts do not follow it; the deadline in the tags does)",
    ]);
  });

  it('should leave facts without a recorded deadline as they are', () => {
    expect(judgeDeadline({ problems: [], warnings: [] }, 'r1', 5)).toEqual({ problems: [], warnings: [] });
  });
});

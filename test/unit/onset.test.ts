/**
 * The synchronized onset's planning (steps/onset.ts) and verify's onset check: the window select
 * fixes, when the inject fan-out lets the engine's hold begin, and how a late VMI is judged.
 */
import { describe, expect, it } from 'vitest';
import { armBudgetSeconds, notBeforeMs, ONSET_TOLERANCE_MS, releaseAtMs, synchronizedWindow } from '../../steps/onset.js';
import { onsetCheck } from '../../steps/commands/verify-onset.js';
import type { VerifyContext } from '../../steps/commands/verify.js';
import { loadScenarios, ScenarioError } from '../../scenario/index.js';

const synchronized = { onset: 'synchronized', arm_budget: 0, test_duration: 60 } as const;

describe('the synchronized window', () => {
  it('should give an auto budget of 45 s plus 1 s per 10 nodes, at most 300 s, and take an explicit one as it is', () => {
    expect([1, 10, 11, 100, 2550, 5000].map((n) => armBudgetSeconds(0, n))).toEqual([46, 46, 47, 55, 300, 300]);
    expect(armBudgetSeconds(7, 5000)).toBe(7);
  });

  it('should start on a whole second, the budget after select, and last exactly test_duration', () => {
    // 1800000000.2 s + 46 s (3 nodes), rounded up to the next second.
    expect(synchronizedWindow(synchronized, 3, 1_800_000_000_200)).toEqual({ start: 1_800_000_047, end: 1_800_000_107 });
    expect(synchronizedWindow({ ...synchronized, arm_budget: 5 }, 3, 1_800_000_000_000)).toEqual({ start: 1_800_000_005, end: 1_800_000_065 });
    expect(synchronizedWindow({ ...synchronized, onset: 'immediate' }, 3, 1_800_000_000_000)).toBeUndefined();
  });

  it('should let the hold begin half the window and the 30 s verify lead before the start, so verify comes mid-window', () => {
    // 60 s window: released 30 + 30 s before the start; the hold ends 30 s before the middle.
    expect(releaseAtMs({ start: 1_800_000_100, end: 1_800_000_160 })).toBe(1_800_000_040_000);
    // 7 s window: 3 + 30 s before.
    expect(releaseAtMs({ start: 1_800_000_100, end: 1_800_000_107 })).toBe(1_800_000_067_000);
  });

  it('should hold verify until the start and the main rollback until the end, and never the exit rollback', () => {
    const window = { start: 1_800_000_100, end: 1_800_000_160 };
    expect((['inject', 'verify', 'rollback', 'exit-rollback'] as const).map((r) => notBeforeMs(window, r))).toEqual([undefined, 1_800_000_100_000, 1_800_000_160_000, undefined]);
  });
});

describe('the onset keys', () => {
  const problem = (flags: Record<string, string>): string => {
    try {
      loadScenarios({ flags: { namespace: 'ns', ...flags } });
      return 'accepted';
    } catch (e) {
      return (e as ScenarioError).message;
    }
  };

  it('should default to an immediate onset and an auto budget (krkn behaves so)', () => {
    expect(loadScenarios({ flags: { namespace: 'ns' } })[0]).toMatchObject({ onset: 'immediate', arm_budget: 0 });
  });

  it('should refuse a synchronized onset in a serial run, an unknown onset, and a budget beyond 300 s', () => {
    expect(problem({ onset: 'synchronized', execution: 'parallel', arm_budget: '300' })).toBe('accepted');
    expect(problem({ onset: 'synchronized' })).toContain('onset: synchronized starts every VMI at one instant, which needs execution: parallel');
    expect(problem({ onset: 'together', execution: 'parallel' })).toContain('onset: must be immediate or synchronized, not "together"');
    expect(problem({ arm_budget: '301' })).toContain('arm_budget: must be at most 300 (seconds from select to the start), not 301');
    expect(problem({ arm_budget: '-1' })).toContain('arm_budget: must be an integer >= 0');
  });
});

describe("verify's onset check", () => {
  const context = (data?: Record<string, number>): VerifyContext =>
    ({ earlier: data ? { inject: { ok: true, at: '2027-01-15T08:00:00Z', detail: 'applied', data } } : {} }) as unknown as VerifyContext;

  it('should pass a VMI armed before the start, saying by how much', async () => {
    const r = await onsetCheck(context({ windowStart: 1_800_000_000, windowEnd: 1_800_000_060, armedAtMs: 1_799_999_996_500, lateMs: 0 }));
    expect(r).toMatchObject({ name: 'onset', ok: true, detail: 'armed 3500 ms before the synchronized start 2027-01-15T08:00:00Z: the fault started with the others' });
  });

  it('should pass a VMI armed late within the tolerance, and fail one armed later', async () => {
    const within = await onsetCheck(context({ windowStart: 1_800_000_000, windowEnd: 1_800_000_060, armedAtMs: 1_800_000_000_400, lateMs: 400 }));
    expect(within).toMatchObject({ ok: true, detail: expect.stringContaining(`armed 400 ms after the synchronized start 2027-01-15T08:00:00Z: this VMI's fault started late, within the ${ONSET_TOLERANCE_MS} ms tolerance`) });
    const late = await onsetCheck(context({ windowStart: 1_800_000_000, windowEnd: 1_800_000_060, armedAtMs: 1_800_000_002_300, lateMs: 2300 }));
    expect(late).toMatchObject({ ok: false, detail: 'armed 2300 ms after the synchronized start 2027-01-15T08:00:00Z: this VMI\'s fault started late, over the 1000 ms tolerance (raise arm_budget)' });
  });

  it('should decide nothing without a window in the inject record (immediate onset, or a VMI verified on its own)', async () => {
    expect(await onsetCheck(context())).toMatchObject({ ok: true, data: { decided: false } });
    expect(await onsetCheck(context({ expiresAt: 1_800_000_000 }))).toMatchObject({ ok: true, data: { decided: false } });
  });
});

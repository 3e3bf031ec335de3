import { describe, expect, it } from 'vitest';
import { EDGE_MS, judgeTimeline, judgeTimelines, type Sample } from '../engines/fixtures/timeline.js';

const START = 1_900_000_000_000;
const END = START + 3000;

/**
 * A timeline every `every` ms from START − 1 s to END + 1 s, dropped where `dropped(offset)` says
 * (offset: ms after START); `shift` moves every send time (a sampler's phase against the window).
 */
function timeline(dropped: (offset: number) => boolean, { every = 10, shift = 0 } = {}): Sample[] {
  const out: Sample[] = [];
  for (let offset = -1000 + shift; offset <= 4000; offset += every) out.push({ at: START + offset, passed: !dropped(offset) });
  return out;
}
/** Dropped in [from, until) ms after START. */
const window = (from: number, until: number) => (o: number): boolean => o >= from && o < until;

describe('judgeTimeline', () => {
  it('should measure onset 0, end 0 and the window\'s length for a timeline dropped exactly in the window', () => {
    expect(judgeTimeline(timeline(window(0, 3000)), START, END)).toEqual({ wrong: [], onsetMs: 0, endMs: 0, blockedMs: 3000, resolutionMs: 10, samples: 501 });
  });

  it('should measure the sampler\'s phase: the first dropped sample after the start, the first passing after the end', () => {
    // Samples at …, −3, 7, … ms: the first dropped one is 7 ms after the start.
    expect(judgeTimeline(timeline(window(0, 3000), { shift: 7 }), START, END)).toMatchObject({ wrong: [], onsetMs: 7, endMs: 7, blockedMs: 3000 });
  });

  it('should measure a late onset and an early end as such, and call them wrong only beyond the edge', () => {
    const late = judgeTimeline(timeline(window(40, 2970)), START, END);
    expect(late).toMatchObject({ onsetMs: 40, endMs: -30, blockedMs: 2930 });
    // 20, 30 and 2970 ms after the start passed, away from the bounds; 2980 and 2990 passed
    // within EDGE_MS of the end, and 0 and 10 within EDGE_MS of the start: not judged.
    expect(late.wrong).toEqual(['20 ms after the start: passed', '30 ms after the start: passed', '2970 ms after the start: passed']);
    expect(EDGE_MS).toBe(20);
  });

  it('should report a passing sample inside the window as a leak, without moving onset or end', () => {
    const j = judgeTimeline(timeline((o) => window(0, 3000)(o) && o !== 1500), START, END);
    expect(j).toMatchObject({ wrong: ['1500 ms after the start: passed'], onsetMs: 0, endMs: 0, blockedMs: 3000 });
  });

  it('should report a stray loss before the window as wrong and take it for the onset', () => {
    const j = judgeTimeline(timeline((o) => o === -500 || window(0, 3000)(o)), START, END);
    expect(j).toMatchObject({ wrong: ['-500 ms after the start: dropped'], onsetMs: -500, endMs: 0, blockedMs: 3500 });
  });

  it('should say never when nothing was dropped, or nothing passed again', () => {
    expect(judgeTimeline(timeline(() => false), START, END)).toMatchObject({ onsetMs: undefined, endMs: undefined, blockedMs: undefined, resolutionMs: undefined });
    const stuck = judgeTimeline(timeline((o) => o >= 0), START, END);
    expect(stuck).toMatchObject({ onsetMs: 0, endMs: undefined, blockedMs: undefined, resolutionMs: 10 });
    expect(stuck.wrong.length).toBe(99); // END + 20 … END + 1000 ms
  });

  it('should show a stalled sampler in the resolution: a 60 ms gap over the start, then the catch-up burst', () => {
    // Nothing sent from −5 to 55 ms; then the due samples all at once (same send time).
    const samples = timeline(window(0, 3000), { shift: 5 })
      .filter((s) => s.at <= START - 5 || s.at >= START + 55)
      .concat([15, 25, 35, 45].map(() => ({ at: START + 55, passed: false })));
    const j = judgeTimeline(samples, START, END);
    expect(j).toMatchObject({ wrong: [], onsetMs: 55, endMs: 5, resolutionMs: 60 });
  });

  it('should not depend on the order the samples come in', () => {
    const samples = timeline(window(0, 3000), { shift: 3 });
    expect(judgeTimeline([...samples].reverse(), START, END)).toEqual(judgeTimeline(samples, START, END));
  });
});

describe('judgeTimelines', () => {
  it('should find no problem and the onsets\' spread as the skew when every flow kept the window', () => {
    const j = judgeTimelines(
      new Map([
        ['a', timeline(window(0, 3000), { shift: 0 })],
        ['b', timeline(window(0, 3000), { shift: 4 })],
        ['c', timeline(window(0, 3000), { shift: 9 })],
      ]),
      START,
      END,
      50,
    );
    expect(j.problems).toEqual([]);
    expect(j.flows.map((f) => `${f.id} ${f.onsetMs} ${f.endMs} ${f.blockedMs}`)).toEqual(['a 0 0 3000', 'b 4 4 3000', 'c 9 9 3000']);
    expect(j.skewMs).toBe(9);
  });

  it('should name each flow whose onset, end or blocked interval is off by more than the tolerance, and a skew beyond it', () => {
    const j = judgeTimelines(
      new Map([
        ['on time', timeline(window(0, 3000))],
        ['late', timeline(window(60, 3000))],
        ['long', timeline(window(0, 3060))],
        ['untouched', timeline(() => false)],
      ]),
      START,
      END,
      50,
    );
    expect(j.skewMs).toBe(60);
    expect(j.problems).toEqual([
      'late: 20 ms after the start: passed',
      'late: 30 ms after the start: passed',
      'late: 40 ms after the start: passed',
      'late: 50 ms after the start: passed',
      'late: onset 60 ms',
      'late: blocked 2940 ms of 3000',
      'long: 3020 ms after the start: dropped',
      'long: 3030 ms after the start: dropped',
      'long: 3040 ms after the start: dropped',
      'long: 3050 ms after the start: dropped',
      'long: end 60 ms',
      'long: blocked 3060 ms of 3000',
      // Every sample from 20 ms after the start to 20 ms before the end passed.
      ...Array.from({ length: 296 }, (_, i) => `untouched: ${20 + i * 10} ms after the start: passed`),
      'untouched: onset never ms',
      'untouched: end never ms',
      'untouched: blocked never ms of 3000',
      'onset skew 60 ms across 3 flows',
    ]);
  });

  it('should keep the bounds at 50 ms: 50 passes, 51 does not', () => {
    const at = (onset: number) => judgeTimelines(new Map([['f', [{ at: START - 10, passed: true }, { at: START + onset, passed: false }, { at: END - 10, passed: false }, { at: END, passed: true }]]]), START, END, 50);
    expect(at(50).problems.filter((p) => p.includes('onset'))).toEqual([]);
    expect(at(51).problems.filter((p) => p.includes('onset'))).toEqual(['f: onset 51 ms']);
  });
});

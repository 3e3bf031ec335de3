import { describe, expect, it } from 'vitest';
import { sampleUniform, seededRandom } from '../../kube/index.js';

const letters = 'abcdefghij'.split('');

describe('seeded sampling', () => {
  it('should give the same sequence for the same seed and another for another seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('should pick count distinct items, keep input order, and return the rest', () => {
    const { chosen, rest } = sampleUniform(letters, 3, seededRandom(7));
    expect(chosen).toHaveLength(3);
    expect(new Set(chosen).size).toBe(3);
    expect([...chosen, ...rest].sort()).toEqual(letters);
    expect(chosen).toEqual([...chosen].sort());
    expect(sampleUniform(letters, 3, seededRandom(7))).toEqual({ chosen, rest });
  });

  it('should pick everything for count 0 or a count of at least the items', () => {
    expect(sampleUniform(letters, 0, seededRandom(1))).toEqual({ chosen: letters, rest: [] });
    expect(sampleUniform(letters, 10, seededRandom(1))).toEqual({ chosen: letters, rest: [] });
    expect(sampleUniform(letters, 99, seededRandom(1))).toEqual({ chosen: letters, rest: [] });
  });

  it('should choose every item about equally often over many seeds', () => {
    const times = new Map<string, number>();
    for (let seed = 0; seed < 5000; seed++) {
      for (const item of sampleUniform(letters, 2, seededRandom(seed)).chosen) times.set(item, (times.get(item) ?? 0) + 1);
    }
    // 5000 draws of 2 of 10: 1000 each on average; a biased sampler misses this band by far.
    for (const item of letters) expect(times.get(item)).toBeGreaterThan(900);
    for (const item of letters) expect(times.get(item)).toBeLessThan(1100);
  });
});

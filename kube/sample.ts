/**
 * `instance_count`: a uniform random sample of the eligible VMIs, reproducible from a seed (the
 * step logs the seed it used, so any run can be replayed with --seed).
 */

/** Largest seed: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 0xffff_ffff;

/**
 * A deterministic generator of numbers in [0, 1) from a 32-bit seed (mulberry32: tiny, fast, and
 * plenty uniform for picking VMIs; not for secrets).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sample and what it left out, both in the input's order. */
export interface Sample<T> {
  readonly chosen: T[];
  readonly rest: T[];
}

/**
 * Picks `count` of `items` uniformly at random without replacement (a partial Fisher-Yates
 * shuffle); `count` 0 or at least items.length picks all. The same items, count and random
 * sequence give the same sample, so callers sort items first.
 */
export function sampleUniform<T>(items: readonly T[], count: number, random: () => number): Sample<T> {
  if (count === 0 || count >= items.length) return { chosen: [...items], rest: [] };
  const order = items.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const picked = new Set(order.slice(0, count));
  return { chosen: items.filter((_, i) => picked.has(i)), rest: items.filter((_, i) => !picked.has(i)) };
}

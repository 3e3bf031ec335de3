/**
 * Sets of code points as sorted, disjoint, inclusive ranges: what a character-matching node of a
 * pattern means once flags are applied, shared by the RE2 translation (as a class) and the
 * backtracker (as a membership test), so both engines agree on every character.
 */
export const MAX_CODE_POINT = 0x10ffff;

export class CharSet {
  /** Flat [lo0, hi0, lo1, hi1, …], sorted, disjoint and not adjacent. */
  readonly ranges: readonly number[];

  private constructor(ranges: readonly number[]) {
    this.ranges = ranges;
  }

  static empty(): CharSet {
    return new CharSet([]);
  }

  static of(...codePoints: number[]): CharSet {
    return CharSet.fromRanges(codePoints.flatMap((c) => [c, c]));
  }

  static range(lo: number, hi: number): CharSet {
    return CharSet.fromRanges([lo, hi]);
  }

  /** Normalises any list of [lo, hi] pairs. */
  static fromRanges(pairs: readonly number[]): CharSet {
    const list: [number, number][] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) list.push([pairs[i] as number, pairs[i + 1] as number]);
    list.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [lo, hi] of list) {
      const last = out.length - 1;
      if (last > 0 && lo <= (out[last] as number) + 1) out[last] = Math.max(out[last] as number, hi);
      else out.push(lo, hi);
    }
    return new CharSet(out);
  }

  union(other: CharSet): CharSet {
    return CharSet.fromRanges([...this.ranges, ...other.ranges]);
  }

  /** Members of this set that are not in `other`. */
  minus(other: CharSet): CharSet {
    return this.complement().union(other).complement();
  }

  complement(): CharSet {
    const out: number[] = [];
    let next = 0;
    for (let i = 0; i < this.ranges.length; i += 2) {
      const lo = this.ranges[i] as number;
      if (lo > next) out.push(next, lo - 1);
      next = (this.ranges[i + 1] as number) + 1;
    }
    if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
    return new CharSet(out);
  }

  has(cp: number): boolean {
    let lo = 0;
    let hi = this.ranges.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cp < (this.ranges[2 * mid] as number)) hi = mid - 1;
      else if (cp > (this.ranges[2 * mid + 1] as number)) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Calls `fn` on every member; for sets the caller knows to be small. */
  forEach(fn: (cp: number) => void): void {
    for (let i = 0; i < this.ranges.length; i += 2) {
      for (let c = this.ranges[i] as number; c <= (this.ranges[i + 1] as number); c++) fn(c);
    }
  }

  get size(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += (this.ranges[i + 1] as number) - (this.ranges[i] as number) + 1;
    return n;
  }
}

/**
 * A backtracking matcher with Python's `re.match` semantics for the patterns RE2 cannot run
 * (backreferences, lookarounds, atomic groups, possessive repeats, conditionals, large counts).
 * Every step is counted: past the budget it throws RegexBudgetError instead of running on, so no
 * pattern can hang a run (`(a+)+$` would need 2^n steps; here it stops after the budget).
 */
import { FLAG, type Node, type ParsedPattern } from './ast.js';
import { anySet, categorySet, charSet, setOf } from './char-classes.js';
import { RegexBudgetError } from './errors.js';
import { combineFlags } from './flags.js';
import { simpleLower } from './unicode.js';
import { widthOf } from './width.js';

/** Steps one name may take (about 50 ms of work); see docs/design-notes.md. */
export const DEFAULT_STEP_BUDGET = 1_000_000;

/** Steps all names together may take (a few seconds), so many names cannot add up to a hang. */
export const DEFAULT_TOTAL_STEP_BUDGET = 50_000_000;

type Cont = (i: number) => boolean;
type Matcher = (i: number, k: Cont) => boolean;

interface Run {
  readonly s: readonly number[];
  readonly starts: number[];
  readonly ends: number[];
  steps: number;
}

/** Compiles the tree once; `match(name)` then runs it with a fresh budget per name. */
export class Backtracker {
  private readonly root: Matcher;
  private run: Run = { s: [], starts: [], ends: [], steps: 0 };

  private readonly budget: number;
  private readonly totalBudget: number;
  /** Steps taken over every name matched so far. */
  private totalSteps = 0;

  constructor(
    private readonly pattern: ParsedPattern,
    private readonly about: { readonly label: string; readonly why: string; readonly budget?: number; readonly totalBudget?: number },
  ) {
    this.budget = about.budget ?? DEFAULT_STEP_BUDGET;
    this.totalBudget = about.totalBudget ?? DEFAULT_TOTAL_STEP_BUDGET;
    this.root = this.build(pattern.root, pattern.flags);
  }

  /**
   * Whether `re.match(pattern, input)` finds a match.
   * @throws RegexBudgetError when the budget runs out first.
   */
  match(input: string): boolean {
    const groups = this.pattern.groups;
    this.run = { s: Array.from(input, (c) => c.codePointAt(0) ?? 0), starts: new Array(groups).fill(-1), ends: new Array(groups).fill(-1), steps: 0 };
    try {
      return this.root(0, () => true);
    } catch (e) {
      if (e instanceof RangeError) throw this.gaveUp(input, this.run.steps, false);
      throw e;
    } finally {
      this.totalSteps += this.run.steps;
    }
  }

  private step(): void {
    const steps = ++this.run.steps;
    if (steps > this.budget) throw this.gaveUp(String.fromCodePoint(...this.run.s), this.budget, false);
    if (this.totalSteps + steps > this.totalBudget) throw this.gaveUp(String.fromCodePoint(...this.run.s), this.totalBudget, true);
  }

  private gaveUp(input: string, steps: number, total: boolean): RegexBudgetError {
    return new RegexBudgetError({ label: this.about.label, pattern: this.pattern.source, input, steps, total, why: this.about.why });
  }

  private build(node: Node, flags: number): Matcher {
    switch (node.kind) {
      case 'seq': {
        const parts = node.items.map((n) => this.build(n, flags));
        return parts.reduceRight<Matcher>(
          (next, part) => (i, k) => part(i, (j) => next(j, k)),
          (i, k) => k(i),
        );
      }
      case 'alt': {
        const branches = node.branches.map((n) => this.build(n, flags));
        return (i, k) => branches.some((b) => b(i, k));
      }
      case 'char':
        return this.single(charSet(node.cp, false, flags));
      case 'notChar':
        return this.single(charSet(node.cp, true, flags));
      case 'any':
        return this.single(anySet(flags));
      case 'set':
        return this.single(setOf(node.items, node.negate, flags));
      case 'group':
        return this.group(node.index, this.build(node.body, combineFlags(flags, node.addFlags, node.delFlags)));
      case 'atomic':
        return this.atomic(this.build(node.body, flags));
      case 'repeat': {
        const greedy = this.repeat(this.build(node.body, flags), node.min, node.max, node.mode === 'lazy');
        return node.mode === 'possessive' ? this.atomic(greedy) : greedy;
      }
      case 'anchor':
        return this.anchor(node.anchor, flags);
      case 'backref':
        return this.backref(node.index, flags);
      case 'look':
        return this.look(node.body, flags, node.behind, node.negate);
      case 'cond': {
        const yes = this.build(node.yes, flags);
        const no: Matcher = node.no ? this.build(node.no, flags) : (i, k) => k(i);
        return (i, k) => (this.run.ends[node.index] !== -1 ? yes(i, k) : no(i, k));
      }
    }
  }

  private single(set: { has(cp: number): boolean }): Matcher {
    return (i, k) => {
      this.step();
      const c = this.run.s[i];
      return c !== undefined && set.has(c) && k(i + 1);
    };
  }

  private group(index: number | null, body: Matcher): Matcher {
    if (index === null) return body;
    return (i, k) =>
      body(i, (j) => {
        const { starts, ends } = this.run;
        const [s0, e0] = [starts[index] as number, ends[index] as number];
        starts[index] = i;
        ends[index] = j;
        if (k(j)) return true;
        starts[index] = s0;
        ends[index] = e0;
        return false;
      });
  }

  /** Matches `body` once, keeps its first success and never backtracks into it. */
  private atomic(body: Matcher): Matcher {
    return (i, k) => {
      const saved = [[...this.run.starts], [...this.run.ends]] as const;
      let end = -1;
      if (!body(i, (j) => ((end = j), true))) return false;
      if (k(end)) return true;
      this.restore(saved);
      return false;
    };
  }

  private repeat(body: Matcher, min: number, max: number, lazy: boolean): Matcher {
    const loop = (count: number, i: number, k: Cont): boolean => {
      this.step();
      const more = (): boolean =>
        count < max &&
        // An iteration that matched nothing ends the loop once the minimum is met (as sre does).
        body(i, (j) => (j === i && count >= min ? false : loop(count + 1, j, k)));
      if (count < min) return more();
      return lazy ? k(i) || more() : more() || k(i);
    };
    return (i, k) => loop(0, i, k);
  }

  private anchor(anchor: string, flags: number): Matcher {
    const word = categorySet('word', flags);
    const isWord = (i: number): boolean => {
      const c = this.run.s[i];
      return c !== undefined && word.has(c);
    };
    const multiline = (flags & FLAG.multiline) !== 0;
    const test = (i: number): boolean => {
      const s = this.run.s;
      switch (anchor) {
        case 'begin':
          return i === 0 || (multiline && s[i - 1] === 0x0a);
        case 'end':
          return i === s.length || (multiline ? s[i] === 0x0a : i === s.length - 1 && s[i] === 0x0a);
        case 'beginString':
          return i === 0;
        case 'endString':
          return i === s.length;
        case 'boundary':
          return s.length > 0 && isWord(i - 1) !== isWord(i);
        default:
          return s.length > 0 && isWord(i - 1) === isWord(i);
      }
    };
    return (i, k) => {
      this.step();
      return test(i) && k(i);
    };
  }

  private backref(index: number, flags: number): Matcher {
    const fold = !(flags & FLAG.ignoreCase)
      ? (c: number): number => c
      : flags & FLAG.ascii
        ? (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c)
        : simpleLower;
    return (i, k) => {
      this.step();
      const { s, starts, ends } = this.run;
      const start = starts[index] as number;
      const end = ends[index] as number;
      if (end === -1) return false;
      const length = end - start;
      if (i + length > s.length) return false;
      for (let n = 0; n < length; n++) if (fold(s[start + n] as number) !== fold(s[i + n] as number)) return false;
      return k(i + length);
    };
  }

  private look(bodyNode: Node, flags: number, behind: boolean, negate: boolean): Matcher {
    const body = this.build(bodyNode, flags);
    const width = behind ? fixedWidth(bodyNode, this.pattern) : 0;
    return (i, k) => {
      this.step();
      const start = i - width;
      const saved = [[...this.run.starts], [...this.run.ends]] as const;
      const found = start >= 0 && body(start, (j) => !behind || j === i);
      if (negate) {
        this.restore(saved);
        return !found && k(i);
      }
      if (found && k(i)) return true;
      this.restore(saved);
      return false;
    };
  }

  private restore(saved: readonly [readonly number[], readonly number[]]): void {
    saved[0].forEach((v, n) => (this.run.starts[n] = v));
    saved[1].forEach((v, n) => (this.run.ends[n] = v));
  }
}

/** The width of a lookbehind body (the parser has checked it is fixed). */
function fixedWidth(node: Node, pattern: ParsedPattern): number {
  return widthOf(node, (i) => pattern.groupWidths[i] ?? [0, 0])[0];
}

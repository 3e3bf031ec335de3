/**
 * A krkn regex, compiled once: Python's grammar (parse.ts), Python's `re.match` meaning (anchored
 * at the start, not at the end), run by RE2 in time linear in the name wherever RE2 can express
 * the pattern, else by the step-bounded backtracker. Answers are cached per distinct name, since
 * a cluster lists many VMIs per namespace.
 */
import { RE2JS } from 're2js';
import type { ParsedPattern } from './ast.js';
import { Backtracker, DEFAULT_STEP_BUDGET } from './backtrack.js';
import { parsePythonRegex } from './parse.js';
import { toRe2 } from './to-re2.js';

/** Which engine runs a pattern. */
export type RegexEngine = 're2' | 'backtracking';

export interface PythonRegexOptions {
  /** Steps the backtracker may take per name. @default DEFAULT_STEP_BUDGET */
  readonly stepBudget?: number;
  /** Steps the backtracker may take over all names. @default DEFAULT_TOTAL_STEP_BUDGET */
  readonly totalStepBudget?: number;
  /** What the pattern is, for messages (e.g. the scenario key "target"). @default "regex" */
  readonly label?: string;
}

export class PythonRegex {
  readonly source: string;
  /** 're2' (linear time) or 'backtracking' (bounded by the step budget). */
  readonly engine: RegexEngine;
  /** Why the backtracker runs it (e.g. "a backreference"), or null under RE2. */
  readonly backtrackingFeature: string | null;
  private readonly re2: RE2JS | null;
  private readonly plainInput: (name: string) => boolean;
  private readonly parsed: ParsedPattern;
  private readonly stepBudget: number;
  private readonly totalStepBudget: number | undefined;
  private readonly label: string;
  private backtracker: Backtracker | null = null;
  private readonly cache = new Map<string, boolean>();
  private runs = 0;

  /** @throws PythonRegexError when Python would refuse the pattern. */
  constructor(pattern: string, options: PythonRegexOptions = {}) {
    this.source = pattern;
    this.stepBudget = options.stepBudget ?? DEFAULT_STEP_BUDGET;
    this.totalStepBudget = options.totalStepBudget;
    this.label = options.label ?? 'regex';
    this.parsed = parsePythonRegex(pattern);
    const translation = toRe2(this.parsed.root, this.parsed.flags);
    let re2: RE2JS | null = null;
    let feature: string | null = translation.kind === 'unsupported' ? translation.feature : null;
    if (translation.kind === 're2') {
      try {
        // Anchored at the start by \A, so test() (RE2's DFA, no capture bookkeeping) is re.match.
        re2 = RE2JS.compile(`\\A(?:${translation.source})`);
      } catch {
        // RE2 bounds the size of its program (nested counts such as (a{100}){100}).
        feature = 'repeat counts too large for RE2';
      }
    }
    this.re2 = re2;
    this.engine = re2 ? 're2' : 'backtracking';
    this.backtrackingFeature = feature;
    // RE2 answers as Python does for every name that is ASCII, non-empty and without a line
    // break (all Kubernetes names); the rare others go to the backtracker when the pattern has
    // a construct whose meaning differs there.
    const t = translation.kind === 're2' ? translation : null;
    this.plainInput = (name) =>
      !(t?.endBeforeNewline && name.includes('\n')) && !(t?.unicodeBoundary && /[^\x00-\x7f]/.test(name)) && !(t?.nonBoundary && name === '');
  }

  /**
   * Python's `re.match(pattern, name) is not None`.
   * @throws RegexBudgetError when a backtracking pattern runs out of steps on this name.
   */
  match(name: string): boolean {
    const known = this.cache.get(name);
    if (known !== undefined) return known;
    this.runs++;
    const result = this.re2 && this.plainInput(name) ? this.re2.test(name) : this.backtrack().match(name);
    this.cache.set(name, result);
    return result;
  }

  /** How many names an engine has evaluated (each distinct name once; repeats come from the cache). */
  get engineRuns(): number {
    return this.runs;
  }

  private backtrack(): Backtracker {
    this.backtracker ??= new Backtracker(this.parsed, {
      label: this.label,
      why: this.backtrackingFeature ?? 'a construct RE2 reads differently on this name',
      budget: this.stepBudget,
      ...(this.totalStepBudget === undefined ? {} : { totalBudget: this.totalStepBudget }),
    });
    return this.backtracker;
  }
}

/**
 * Compiles a krkn regex (`namespace`, `target`) with Python's `re` grammar and `re.match` meaning.
 * @throws PythonRegexError when Python would refuse it.
 */
export function compilePythonRegex(pattern: string, options?: PythonRegexOptions): PythonRegex {
  return new PythonRegex(pattern, options);
}

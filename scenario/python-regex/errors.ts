/**
 * Why a pattern is refused. The reason is CPython's `re.error` wording (so a krkn user sees what
 * Python would have said), the position counts characters as Python does.
 */
export class PythonRegexError extends Error {
  /** The pattern as written. */
  readonly pattern: string;
  /** Python's message without the position, e.g. "bad escape \\i". */
  readonly reason: string;
  /** 0-based character offset Python reports, or null when it reports none. */
  readonly position: number | null;

  constructor(pattern: string, reason: string, position: number | null) {
    super(`${reason}${positionSuffix(pattern, position)}`);
    this.pattern = pattern;
    this.reason = reason;
    this.position = position;
  }
}
PythonRegexError.prototype.name = 'PythonRegexError';

/** What a backtracking run had done when it gave up. */
export interface BudgetDetails {
  /** What the pattern is, e.g. "target" (the scenario key). */
  readonly label: string;
  readonly pattern: string;
  /** The name it was matching. */
  readonly input: string;
  /** Steps taken (the budget, or fewer when the stack ran out first). */
  readonly steps: number;
  /** The budget of all names together ran out (at `input`), not the one of `input` alone. */
  readonly total?: boolean;
  /** The construct that needs backtracking, e.g. "a backreference". */
  readonly why: string;
}

/**
 * A pattern that must backtrack (backreference, lookaround, atomic group, possessive repeat,
 * conditional, a repeat count RE2 cannot hold) ran out of its step budget on one name: the run
 * stops here rather than hang. The pattern, not the cluster, is at fault: exit status 2.
 */
export class RegexBudgetError extends Error {
  /** Read by the CLI's error handler. */
  readonly exitCode = 2;
  readonly details: BudgetDetails;

  constructor(details: BudgetDetails) {
    super(
      `${details.label} "${details.pattern}" gave up ${details.total ? `after ${details.steps.toLocaleString('en-US')} backtracking steps over all names (at "${details.input}")` : `on "${details.input}" after ${details.steps.toLocaleString('en-US')} backtracking steps`}: ` +
        `it uses ${details.why}, which only a backtracking engine runs, so its time is bounded rather than linear; ` +
        'simplify the pattern (without backreferences, lookarounds, atomic groups or possessive repeats it runs in linear time)',
    );
    this.details = details;
  }
}
RegexBudgetError.prototype.name = 'RegexBudgetError';

/** " at position N", with line and column when the pattern spans lines (as `re.error` prints). */
function positionSuffix(pattern: string, position: number | null): string {
  if (position === null) return '';
  const chars = Array.from(pattern);
  if (!chars.includes('\n')) return ` at position ${position}`;
  const before = chars.slice(0, position);
  const line = before.filter((c) => c === '\n').length + 1;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return ` at position ${position} (line ${line}, column ${column})`;
}

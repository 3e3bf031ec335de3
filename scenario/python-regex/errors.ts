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

/**
 * A pattern that must backtrack (backreference, lookaround, atomic group, possessive repeat,
 * conditional, a repeat count RE2 cannot hold) and ran out of its step budget on one name: the run
 * stops here rather than hang.
 */
export class RegexBudgetError extends Error {
  readonly pattern: string;
  readonly input: string;
  readonly steps: number;

  constructor(pattern: string, input: string, steps: number, why: string) {
    super(
      `regex "${pattern}" gave up on "${input}" after ${steps.toLocaleString('en-US')} backtracking steps ` +
        `(it uses ${why}, which only a backtracking engine runs); simplify the pattern`,
    );
    this.pattern = pattern;
    this.input = input;
    this.steps = steps;
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

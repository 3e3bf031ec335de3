/** Python `re` patterns for krkn's regex keys: the public surface of scenario/python-regex/. */
export { compilePythonRegex, PythonRegex } from './compile.js';
export type { PythonRegexOptions, RegexEngine } from './compile.js';
export { parsePythonRegex } from './parse.js';
export type { Node, ParsedPattern } from './ast.js';
export { PythonRegexError, RegexBudgetError } from './errors.js';
export type { BudgetDetails } from './errors.js';
export { DEFAULT_STEP_BUDGET, DEFAULT_TOTAL_STEP_BUDGET } from './backtrack.js';

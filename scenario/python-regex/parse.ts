/**
 * Reads a pattern with the grammar of Python 3.11+ `re` (CPython's `re._parser`, ported rule for
 * rule): what Python accepts is accepted with Python's meaning, what it refuses is refused with
 * its message and position. Only str patterns exist here (krkn's regexes are str).
 */
import { FLAG, UNBOUNDED, type Node, type ParsedPattern, type RepeatMode } from './ast.js';
import { PythonRegexError } from './errors.js';
import { patternEscape } from './escapes.js';
import { parseGroup } from './parse-group.js';
import { ParseState } from './parse-state.js';
import { parseSet } from './parse-set.js';
import { Tokenizer } from './tokenizer.js';
import { checkLookbehinds, checkTemplateFlag } from './checks.js';

const WHITESPACE = ' \t\n\r\v\f';
const SPECIAL = '.\\[{()*+?^$|';
const REPEAT = '*+?{';
const DIGITS = '0123456789';
/** Python's MAXREPEAT (the C `SRE_MAXREPEAT` on 64-bit builds). */
const MAXREPEAT = 4294967295;

/**
 * Parses `pattern` as Python's `re.compile(pattern)` would.
 * @throws PythonRegexError with Python's reason and position when Python refuses the pattern.
 */
export function parsePythonRegex(pattern: string): ParsedPattern {
  const source = new Tokenizer(pattern);
  const state = new ParseState();
  const root = parseAlternation(source, state, false, 0);
  if (!(state.flags & FLAG.ascii)) state.flags |= FLAG.unicode;
  else if (state.flags & FLAG.unicode) throw new PythonRegexError(pattern, 'ASCII and UNICODE flags are incompatible', null);
  if (source.next !== null) throw source.error('unbalanced parenthesis');
  for (const [group, position] of state.groupRefPositions) {
    if (group >= state.groups) throw new PythonRegexError(pattern, `invalid group reference ${group}`, position);
  }
  checkLookbehinds(pattern, root, state);
  checkTemplateFlag(pattern, root, state.flags);
  return { source: pattern, root, flags: state.flags, groups: state.groups, groupWidths: state.groupWidths.map((w) => w ?? [0, 0]) };
}

/** Python's `_parse_sub`: branches separated by `|`. */
export function parseAlternation(source: Tokenizer, state: ParseState, verbose: boolean, nested: number): Node {
  const branches: Node[] = [];
  let v = verbose;
  for (;;) {
    branches.push(parseSequence(source, state, v, nested + 1, nested === 0 && branches.length === 0));
    if (!source.match('|')) break;
    if (nested === 0) v = (state.flags & FLAG.verbose) !== 0;
  }
  return branches.length === 1 ? (branches[0] as Node) : { kind: 'alt', branches };
}

/** Python's `_parse`: a sequence up to `|`, `)` or the end. */
export function parseSequence(source: Tokenizer, state: ParseState, verboseIn: boolean, nested: number, first = false): Node {
  const items: Node[] = [];
  let verbose = verboseIn;
  for (;;) {
    const token = source.next;
    if (token === null || token === '|' || token === ')') break;
    source.get();
    if (verbose) {
      if (WHITESPACE.includes(token)) continue;
      if (token === '#') {
        for (;;) {
          const c = source.get();
          if (c === null || c === '\n') break;
        }
        continue;
      }
    }
    if (token.startsWith('\\')) {
      const escape = patternEscape(source, token, state);
      if (escape.kind === 'char') items.push({ kind: 'char', cp: escape.cp });
      else if (escape.kind === 'category') items.push({ kind: 'set', negate: false, items: [{ kind: 'category', category: escape.category }] });
      else if (escape.kind === 'anchor') items.push({ kind: 'anchor', anchor: escape.anchor });
      else items.push({ kind: 'backref', index: escape.index });
    } else if (!SPECIAL.includes(token)) {
      items.push({ kind: 'char', cp: token.codePointAt(0) ?? 0 });
    } else if (token === '[') {
      items.push(parseSet(source));
    } else if (REPEAT.includes(token)) {
      if (!parseRepeat(source, token, items)) continue;
    } else if (token === '.') {
      items.push({ kind: 'any' });
    } else if (token === '(') {
      const result = parseGroup(source, state, verbose, nested, first && items.length === 0);
      if (result.kind === 'node') items.push(result.node);
      else if (result.kind === 'globalFlags') verbose = (state.flags & FLAG.verbose) !== 0;
    } else if (token === '^') {
      items.push({ kind: 'anchor', anchor: 'begin' });
    } else {
      items.push({ kind: 'anchor', anchor: 'end' });
    }
  }
  return items.length === 1 ? (items[0] as Node) : { kind: 'seq', items };
}

/**
 * A repeat token (`*`, `+`, `?`, `{m,n}`) applied to the last item, possibly lazy (`?`) or
 * possessive (`+`). A `{` that does not open a valid count is a literal, as in Python.
 * @returns false when nothing was consumed beyond a literal `{`.
 */
function parseRepeat(source: Tokenizer, token: string, items: Node[]): boolean {
  const here = source.tell();
  let min = 0;
  let max = UNBOUNDED;
  if (token === '?') max = 1;
  else if (token === '+') min = 1;
  else if (token === '{') {
    if (source.next === '}') {
      items.push({ kind: 'char', cp: 0x7b });
      return false;
    }
    let lo = '';
    let hi = '';
    while (source.next !== null && DIGITS.includes(source.next)) lo += source.get();
    if (source.match(',')) {
      while (source.next !== null && DIGITS.includes(source.next)) hi += source.get();
    } else {
      hi = lo;
    }
    if (!source.match('}')) {
      items.push({ kind: 'char', cp: 0x7b });
      source.seek(here);
      return false;
    }
    if (lo) {
      min = Number(lo);
      if (min >= MAXREPEAT) throw new PythonRegexError(source.pattern, 'the repetition number is too large', null);
    }
    if (hi) {
      max = Number(hi);
      if (max >= MAXREPEAT) throw new PythonRegexError(source.pattern, 'the repetition number is too large', null);
      if (max < min) throw source.error('min repeat greater than max repeat', source.tell() - here);
    }
  }
  const last = items[items.length - 1];
  if (!last || last.kind === 'anchor') throw source.error('nothing to repeat', source.tell() - here + token.length);
  if (last.kind === 'repeat') throw source.error('multiple repeat', source.tell() - here + token.length);
  let mode: RepeatMode = 'greedy';
  if (source.match('?')) mode = 'lazy';
  else if (source.match('+')) mode = 'possessive';
  items[items.length - 1] = { kind: 'repeat', min, max, mode, body: last };
  return true;
}

/**
 * Everything that starts with `(`: groups, `(?P<name>…)`, `(?P=name)`, `(?:…)`, comments
 * `(?#…)`, lookarounds, conditionals `(?(1)…|…)`, atomic groups `(?>…)` and inline flags, each
 * accepted or refused as CPython's `_parse` does (`(?<n>…)` is "unknown extension ?<n").
 */
import { FLAG, type Node } from './ast.js';
import { parseFlags, isFlagChar } from './parse-flags.js';
import { parseAlternation, parseSequence } from './parse.js';
import type { ParseState } from './parse-state.js';
import { isIdentifier, pyRepr, type Tokenizer } from './tokenizer.js';
import { widthOf } from './width.js';

export type GroupResult = { readonly kind: 'node'; readonly node: Node } | { readonly kind: 'globalFlags' } | { readonly kind: 'nothing' };

/** Python's MAXGROUPS bound for a conditional's group number. */
const MAX_GROUPS = 1_073_741_823;

/** Reads what follows a `(` (already consumed). `first`: nothing came before it in the pattern. */
export function parseGroup(source: Tokenizer, state: ParseState, verbose: boolean, nested: number, first: boolean): GroupResult {
  const start = source.tell() - 1;
  let capture = true;
  let atomic = false;
  let name: string | null = null;
  let addFlags = 0;
  let delFlags = 0;
  if (source.match('?')) {
    const char = source.get();
    if (char === null) throw source.error('unexpected end of pattern');
    if (char === 'P') {
      if (source.match('<')) {
        name = source.getUntil('>', 'group name');
        source.checkGroupName(name, 1);
      } else if (source.match('=')) {
        const ref = source.getUntil(')', 'group name');
        source.checkGroupName(ref, 1);
        const gid = state.groupNames.get(ref);
        if (gid === undefined) throw source.error(`unknown group name ${pyRepr(ref)}`, Array.from(ref).length + 1);
        if (!state.checkGroup(gid)) throw source.error('cannot refer to an open group', Array.from(ref).length + 1);
        state.checkLookbehindGroup(gid, source);
        return { kind: 'node', node: { kind: 'backref', index: gid } };
      } else {
        const next = source.get();
        if (next === null) throw source.error('unexpected end of pattern');
        throw source.error(`unknown extension ?P${next}`, Array.from(next).length + 2);
      }
    } else if (char === ':') {
      capture = false;
    } else if (char === '#') {
      for (;;) {
        if (source.next === null) throw source.error('missing ), unterminated comment', source.tell() - start);
        if (source.get() === ')') break;
      }
      return { kind: 'nothing' };
    } else if (char === '=' || char === '!' || char === '<') {
      return { kind: 'node', node: parseLook(source, state, verbose, nested, char, start) };
    } else if (char === '(') {
      return { kind: 'node', node: parseConditional(source, state, verbose, nested, start) };
    } else if (char === '>') {
      capture = false;
      atomic = true;
    } else if (isFlagChar(char) || char === '-') {
      const flags = parseFlags(source, state, char);
      if (flags === null) {
        if (!first) throw source.error('global flags not at the start of the expression', source.tell() - start);
        return { kind: 'globalFlags' };
      }
      [addFlags, delFlags] = flags;
      capture = false;
    } else {
      throw source.error(`unknown extension ?${char}`, Array.from(char).length + 1);
    }
  }
  let index: number | null = null;
  if (capture) {
    try {
      index = state.openGroup(name);
    } catch (e) {
      throw source.error((e as Error).message, Array.from(name ?? '').length + 1);
    }
  }
  const subVerbose = (verbose || (addFlags & FLAG.verbose) !== 0) && !(delFlags & FLAG.verbose);
  const body = parseAlternation(source, state, subVerbose, nested + 1);
  if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
  if (index !== null) state.closeGroup(index, widthOf(body, (i) => state.groupWidths[i] ?? [0, 0]));
  if (atomic) return { kind: 'node', node: { kind: 'atomic', body } };
  return { kind: 'node', node: { kind: 'group', index, name, addFlags, delFlags, body } };
}

/** `(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`. */
function parseLook(source: Tokenizer, state: ParseState, verbose: boolean, nested: number, opener: string, start: number): Node {
  let char = opener;
  let behind = false;
  let outerLookbehind: number | null = null;
  if (char === '<') {
    const next = source.get();
    if (next === null) throw source.error('unexpected end of pattern');
    if (next !== '=' && next !== '!') throw source.error(`unknown extension ?<${next}`, Array.from(next).length + 2);
    char = next;
    behind = true;
    outerLookbehind = state.lookbehindGroups;
    if (outerLookbehind === null) state.lookbehindGroups = state.groups;
  }
  const body = parseAlternation(source, state, verbose, nested + 1);
  if (behind && outerLookbehind === null) state.lookbehindGroups = null;
  if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
  return { kind: 'look', behind, negate: char === '!', body };
}

/** `(?(id/name)yes|no)`. */
function parseConditional(source: Tokenizer, state: ParseState, verbose: boolean, nested: number, start: number): Node {
  const condName = source.getUntil(')', 'group name');
  const nameLength = Array.from(condName).length;
  let group: number;
  if (isIdentifier(condName)) {
    source.checkGroupName(condName, 1);
    const gid = state.groupNames.get(condName);
    if (gid === undefined) throw source.error(`unknown group name ${pyRepr(condName)}`, nameLength + 1);
    group = gid;
  } else {
    // Python's int(): surrounding whitespace, a leading + and digit-separating _ are allowed.
    const m = /^[ \t\n\r\v\f]*\+?([0-9](?:_?[0-9])*)[ \t\n\r\v\f]*$/.exec(condName);
    if (!m) throw source.error(`bad character in group name ${pyRepr(condName)}`, nameLength + 1);
    group = Number((m[1] ?? '').replaceAll('_', ''));
    if (group === 0) throw source.error('bad group number', nameLength + 1);
    if (group >= MAX_GROUPS) throw source.error(`invalid group reference ${group}`, nameLength + 1);
    if (!state.groupRefPositions.has(group)) state.groupRefPositions.set(group, source.tell() - nameLength - 1);
  }
  state.checkLookbehindGroup(group, source);
  const yes = parseSequence(source, state, verbose, nested + 1);
  let no: Node | null = null;
  if (source.match('|')) {
    no = parseSequence(source, state, verbose, nested + 1);
    if (source.next === '|') throw source.error('conditional backref with more than two branches');
  }
  if (!source.match(')')) throw source.error('missing ), unterminated subpattern', source.tell() - start);
  return { kind: 'cond', index: group, yes, no };
}

/**
 * Inline flags `(?aiLmsux)` (for the whole pattern) and `(?flags-flags:…)` (scoped), checked as
 * CPython's `_parse_flags` checks them.
 */
import { FLAG, TYPE_FLAGS } from './ast.js';
import type { ParseState } from './parse-state.js';
import type { Tokenizer } from './tokenizer.js';

/** Python's `t` (TEMPLATE, deprecated) is a global flag; we keep its bit to refuse what it refuses. */
export const TEMPLATE_FLAG = 64;
const LOCALE_FLAG = 128;

const FLAGS: Readonly<Record<string, number>> = {
  i: FLAG.ignoreCase,
  L: LOCALE_FLAG,
  m: FLAG.multiline,
  s: FLAG.dotAll,
  x: FLAG.verbose,
  a: FLAG.ascii,
  t: TEMPLATE_FLAG,
  u: FLAG.unicode,
};
const ALL_TYPE_FLAGS = TYPE_FLAGS | LOCALE_FLAG;

export function isFlagChar(c: string): boolean {
  return Object.hasOwn(FLAGS, c);
}

/**
 * Reads flags after `(?` whose first character is `first`.
 * @returns null for global flags `(?…)` (added to `state.flags`), else the scoped [add, del].
 */
export function parseFlags(source: Tokenizer, state: ParseState, first: string): readonly [number, number] | null {
  let char: string | null = first;
  let add = 0;
  let del = 0;
  if (char !== '-') {
    for (;;) {
      const flag = FLAGS[char] ?? 0;
      if (char === 'L') throw source.error("bad inline flags: cannot use 'L' flag with a str pattern");
      add |= flag;
      if (flag & ALL_TYPE_FLAGS && (add & ALL_TYPE_FLAGS) !== flag) {
        throw source.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
      }
      char = source.get();
      if (char === null) throw source.error('missing -, : or )');
      if (')-:'.includes(char)) break;
      if (!isFlagChar(char)) throw source.error(isAlpha(char) ? 'unknown flag' : 'missing -, : or )', Array.from(char).length);
    }
  }
  if (char === ')') {
    state.flags |= add;
    return null;
  }
  if (add & TEMPLATE_FLAG) throw source.error('bad inline flags: cannot turn on global flag', 1);
  if (char === '-') {
    char = source.get();
    if (char === null) throw source.error('missing flag');
    if (!isFlagChar(char)) throw source.error(isAlpha(char) ? 'unknown flag' : 'missing flag', Array.from(char).length);
    for (;;) {
      const flag = FLAGS[char] ?? 0;
      if (flag & ALL_TYPE_FLAGS) throw source.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
      del |= flag;
      char = source.get();
      if (char === null) throw source.error('missing :');
      if (char === ':') break;
      if (!isFlagChar(char)) throw source.error(isAlpha(char) ? 'unknown flag' : 'missing :', Array.from(char).length);
    }
  }
  if (del & TEMPLATE_FLAG) throw source.error('bad inline flags: cannot turn off global flag', 1);
  if (add & del) throw source.error('bad inline flags: flag turned on and off', 1);
  return [add, del];
}

/** `str.isalpha()` of one token (an escape token is two characters, never alphabetic as a whole). */
function isAlpha(token: string): boolean {
  return /^\p{L}+$/u.test(token);
}

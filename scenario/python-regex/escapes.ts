/**
 * Backslash escapes, as CPython's `_escape` (in a pattern) and `_class_escape` (in `[…]`) read
 * them: what Python refuses (`\i`, `\z`, `\k`, a group that does not exist) is refused here with
 * Python's words, and `\b` is a backspace inside a set but a word boundary outside.
 */
import type { Anchor, Category } from './ast.js';
import { CHAR_NAMES } from './char-names.js';
import type { ParseState } from './parse-state.js';
import { pyRepr, type Tokenizer } from './tokenizer.js';

export type Escape =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'category'; readonly category: Category }
  | { readonly kind: 'anchor'; readonly anchor: Anchor }
  | { readonly kind: 'backref'; readonly index: number };

const SIMPLE: Readonly<Record<string, number>> = {
  '\\a': 7,
  '\\b': 8,
  '\\f': 12,
  '\\n': 10,
  '\\r': 13,
  '\\t': 9,
  '\\v': 11,
  '\\\\': 92,
};

const CATEGORIES: Readonly<Record<string, Category>> = {
  '\\d': 'digit',
  '\\D': 'notDigit',
  '\\s': 'space',
  '\\S': 'notSpace',
  '\\w': 'word',
  '\\W': 'notWord',
};

const ANCHORS: Readonly<Record<string, Anchor>> = {
  '\\A': 'beginString',
  '\\b': 'boundary',
  '\\B': 'nonBoundary',
  '\\Z': 'endString',
};

const HEX = '0123456789abcdefABCDEF';
const OCT = '01234567';
const DIGITS = '0123456789';

let names: Map<string, number> | undefined;

/** `unicodedata.lookup`, over the names char-names.ts carries (Python looks names up case-insensitively). */
function lookupName(name: string): number | undefined {
  names ??= new Map(
    CHAR_NAMES.split(';').map((row) => {
      const [n = '', hex = ''] = row.split(':');
      return [n, parseInt(hex, 16)];
    }),
  );
  return names.get(name.toUpperCase());
}

/** The escapes that mean one character the same way in and out of sets: `\x`, `\u`, `\U`, `\N`. */
function codeEscape(source: Tokenizer, escape: string): Escape | undefined {
  const c = escape[1];
  const fixed = (digits: number): Escape => {
    const text = escape + source.getWhile(digits, HEX);
    if (text.length !== digits + 2) throw source.error(`incomplete escape ${text}`, text.length);
    const cp = parseInt(text.slice(2), 16);
    if (cp > 0x10ffff) throw source.error(`bad escape ${text}`, text.length);
    return { kind: 'char', cp };
  };
  if (c === 'x') return fixed(2);
  if (c === 'u') return fixed(4);
  if (c === 'U') return fixed(8);
  if (c === 'N') {
    if (!source.match('{')) throw source.error('missing {');
    const name = source.getUntil('}', 'character name');
    const cp = lookupName(name);
    if (cp === undefined) throw source.error(`undefined character name ${pyRepr(name)}`, Array.from(name).length + 4);
    return { kind: 'char', cp };
  }
  return undefined;
}

/** Python's `_class_escape`: an escape inside `[…]`. */
export function classEscape(source: Tokenizer, escape: string): Escape {
  const simple = SIMPLE[escape];
  if (simple !== undefined) return { kind: 'char', cp: simple };
  const category = CATEGORIES[escape];
  if (category) return { kind: 'category', category };
  const code = codeEscape(source, escape);
  if (code) return code;
  const c = escape.slice(1);
  if (OCT.includes(c)) {
    const text = escape + source.getWhile(2, OCT);
    const cp = parseInt(text.slice(1), 8);
    if (cp > 0o377) throw source.error(`octal escape value ${text} outside of range 0-0o377`, text.length);
    return { kind: 'char', cp };
  }
  if (!DIGITS.includes(c) && !/^[A-Za-z]$/.test(c)) return { kind: 'char', cp: c.codePointAt(0) ?? 0 };
  throw source.error(`bad escape ${escape}`, Array.from(escape).length);
}

/** Python's `_escape`: an escape outside sets, where a number may be a group reference. */
export function patternEscape(source: Tokenizer, escape: string, state: ParseState): Escape {
  const anchor = ANCHORS[escape];
  if (anchor) return { kind: 'anchor', anchor };
  const category = CATEGORIES[escape];
  if (category) return { kind: 'category', category };
  const simple = SIMPLE[escape];
  if (simple !== undefined) return { kind: 'char', cp: simple };
  const code = codeEscape(source, escape);
  if (code) return code;
  const c = escape.slice(1);
  if (c === '0') {
    const text = escape + source.getWhile(2, OCT);
    return { kind: 'char', cp: parseInt(text.slice(1), 8) };
  }
  if (DIGITS.includes(c)) {
    // An octal escape or a group reference, as Python decides it.
    let text = escape;
    if (source.next !== null && DIGITS.includes(source.next)) {
      text += source.get();
      if (OCT.includes(text[1] ?? '') && OCT.includes(text[2] ?? '') && source.next !== null && OCT.includes(source.next)) {
        text += source.get();
        const cp = parseInt(text.slice(1), 8);
        if (cp > 0o377) throw source.error(`octal escape value ${text} outside of range 0-0o377`, text.length);
        return { kind: 'char', cp };
      }
    }
    const group = parseInt(text.slice(1), 10);
    if (group < state.groups) {
      if (!state.checkGroup(group)) throw source.error('cannot refer to an open group', text.length);
      state.checkLookbehindGroup(group, source);
      return { kind: 'backref', index: group };
    }
    throw source.error(`invalid group reference ${group}`, text.length - 1);
  }
  if (!/^[A-Za-z]$/.test(c)) return { kind: 'char', cp: c.codePointAt(0) ?? 0 };
  throw source.error(`bad escape ${escape}`, Array.from(escape).length);
}

/**
 * The character tables Python's `re` uses for str patterns: `\d` (decimal digits), `\w`
 * (alphanumerics and `_`), `\s` (`str.isspace`), and simple lowercase mapping for
 * case-insensitive matching. Built once, lazily, from the JavaScript engine's Unicode tables
 * (planes 0–3 hold every letter, digit and cased character).
 */
import { CharSet } from './char-set.js';

/** Beyond this, no code point is a letter, a number or cased (planes 4–16: unassigned, tags, private use). */
const SCAN_LIMIT = 0x3ffff;

/** Beyond this, no code point has a case (the last cased letters are Adlam's, U+1E900–U+1E943). */
const CASED_LIMIT = 0x1ffff;

const memo = new Map<string, CharSet>();

function scan(key: string, test: RegExp): CharSet {
  const cached = memo.get(key);
  if (cached) return cached;
  const pairs: number[] = [];
  let start = -1;
  for (let c = 0; c <= SCAN_LIMIT + 1; c++) {
    const inSet = c <= SCAN_LIMIT && test.test(String.fromCodePoint(c));
    if (inSet && start < 0) start = c;
    if (!inSet && start >= 0) {
      pairs.push(start, c - 1);
      start = -1;
    }
  }
  const set = CharSet.fromRanges(pairs);
  memo.set(key, set);
  return set;
}

/** Python's Unicode `\d`: `str.isdecimal`, the Nd category. */
export function unicodeDigits(): CharSet {
  return scan('digit', /^\p{Nd}$/u);
}

/** Python's Unicode `\w`: `str.isalnum()` or `_`. */
export function unicodeWord(): CharSet {
  return scan('word', /^[\p{L}\p{N}_]$/u);
}

/** Python's Unicode `\s`: `str.isspace()`, listed (it is not one Unicode property). */
export const UNICODE_SPACE = CharSet.fromRanges([
  0x09, 0x0d, 0x1c, 0x20, 0x85, 0x85, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f,
  0x3000, 0x3000,
]);

export const ASCII_DIGITS = CharSet.range(0x30, 0x39);
export const ASCII_WORD = CharSet.fromRanges([0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a]);
export const ASCII_SPACE = CharSet.fromRanges([0x09, 0x0d, 0x20, 0x20]);

/**
 * Python's `_sre.unicode_tolower`: the simple lowercase mapping (one code point to one). JavaScript
 * only offers the full mapping, which differs from the simple one for U+0130 alone.
 */
export function simpleLower(cp: number): number {
  if (cp === 0x130) return 0x69;
  const lower = String.fromCodePoint(cp).toLowerCase();
  const first = lower.codePointAt(0) ?? cp;
  return lower.length === String.fromCodePoint(first).length ? first : cp;
}

/** Python's `_sre.unicode_iscased`. */
export function isCasedUnicode(cp: number): boolean {
  if (cp > CASED_LIMIT) return false;
  const s = String.fromCodePoint(cp);
  return simpleLower(cp) !== cp || s.toUpperCase() !== s;
}

let changed: ReadonlyMap<number, number> | undefined;

/** Every code point whose simple lowercase differs from itself, with that lowercase. */
export function lowercaseChanges(): ReadonlyMap<number, number> {
  if (changed) return changed;
  const map = new Map<number, number>();
  for (let c = 0; c <= CASED_LIMIT; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const l = simpleLower(c);
    if (l !== c) map.set(c, l);
  }
  changed = map;
  return map;
}

/**
 * What a character-matching node means under its flags, as a set of code points: Python's
 * `\d\w\s` are Unicode unless `(?a)`, `.` skips `\n` unless `(?s)`, and `(?i)` compares simple
 * lowercases plus Python's extra case pairs (`_casefix`), for literals and sets alike (CPython's
 * `_compile` and `_optimize_charset`).
 */
import { FLAG, type Category, type SetItem } from './ast.js';
import { CharSet } from './char-set.js';
import { EXTRA_CASES } from './casefix.js';
import { ASCII_DIGITS, ASCII_SPACE, ASCII_WORD, isCasedUnicode, lowercaseChanges, simpleLower, unicodeDigits, unicodeWord, UNICODE_SPACE } from './unicode.js';

const NEWLINE = 0x0a;

/** `.`: anything but a newline, or anything at all under `(?s)`. */
export function anySet(flags: number): CharSet {
  return flags & FLAG.dotAll ? CharSet.range(0, 0x10ffff) : CharSet.of(NEWLINE).complement();
}

export function categorySet(category: Category, flags: number): CharSet {
  const ascii = (flags & FLAG.ascii) !== 0;
  switch (category) {
    case 'digit':
      return ascii ? ASCII_DIGITS : unicodeDigits();
    case 'notDigit':
      return categorySet('digit', flags).complement();
    case 'word':
      return ascii ? ASCII_WORD : unicodeWord();
    case 'notWord':
      return categorySet('word', flags).complement();
    case 'space':
      return ascii ? ASCII_SPACE : UNICODE_SPACE;
    case 'notSpace':
      return categorySet('space', flags).complement();
  }
}

/** A literal character (negated for `[^x]`). */
export function charSet(cp: number, negate: boolean, flags: number): CharSet {
  let set: CharSet;
  if (!(flags & FLAG.ignoreCase)) set = CharSet.of(cp);
  else if (flags & FLAG.ascii) set = isAsciiLetter(cp) ? asciiPreimage(CharSet.of(asciiLower(cp))) : CharSet.of(cp);
  else if (!isCasedUnicode(cp)) set = CharSet.of(cp);
  else set = unicodePreimage(withExtraCases(CharSet.of(simpleLower(cp))));
  return negate ? set.complement() : set;
}

/** A set `[…]` or `[^…]`. */
export function setOf(items: readonly SetItem[], negate: boolean, flags: number): CharSet {
  let chars = CharSet.empty();
  let categories = CharSet.empty();
  for (const item of items) {
    if (item.kind === 'char') chars = chars.union(CharSet.of(item.cp));
    else if (item.kind === 'range') chars = chars.union(CharSet.range(item.lo, item.hi));
    else categories = categories.union(categorySet(item.category, flags));
  }
  let set: CharSet;
  if (!(flags & FLAG.ignoreCase)) {
    set = chars.union(categories);
  } else if (flags & FLAG.ascii) {
    const cased = intersects(chars, CharSet.fromRanges([0x41, 0x5a, 0x61, 0x7a]));
    set = cased ? asciiPreimage(asciiLowerAll(chars).union(categories)) : chars.union(categories);
  } else {
    const cased = hasCased(chars);
    set = cased ? unicodePreimage(withExtraCases(unicodeLowerAll(chars)).union(categories)) : chars.union(categories);
  }
  return negate ? set.complement() : set;
}

function isAsciiLetter(cp: number): boolean {
  return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
}

function asciiLower(cp: number): number {
  return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
}

function asciiLowerAll(set: CharSet): CharSet {
  const pairs: number[] = [...set.ranges];
  for (let c = 0x41; c <= 0x5a; c++) if (set.has(c)) pairs.push(c + 32, c + 32);
  return CharSet.fromRanges(pairs);
}

/** {c : asciiLower(c) ∈ target}. */
function asciiPreimage(target: CharSet): CharSet {
  const pairs: number[] = [];
  for (let i = 0; i < target.ranges.length; i += 2) pairs.push(target.ranges[i] as number, target.ranges[i + 1] as number);
  // Upper-case letters match by their lowercase, never by themselves.
  const upperPairs: number[] = [];
  for (let c = 0x41; c <= 0x5a; c++) if (target.has(c + 32)) upperPairs.push(c, c);
  return CharSet.fromRanges(pairs).minus(CharSet.range(0x41, 0x5a)).union(CharSet.fromRanges(upperPairs));
}

/** {lower(x) : x ∈ set}. */
function unicodeLowerAll(set: CharSet): CharSet {
  const pairs: number[] = [...set.ranges];
  const extra: number[] = [];
  const removed: number[] = [];
  for (const [c, l] of lowercaseChanges()) {
    if (set.has(c)) {
      removed.push(c);
      extra.push(l, l);
    }
  }
  return CharSet.fromRanges(pairs)
    .minus(CharSet.of(...removed))
    .union(CharSet.fromRanges(extra));
}

/** Adds Python's extra case equivalents of every member. */
function withExtraCases(set: CharSet): CharSet {
  const extra: number[] = [];
  for (const [k, vs] of EXTRA_CASES) if (set.has(k)) for (const v of vs) extra.push(v, v);
  return set.union(CharSet.fromRanges(extra));
}

/** {c : simpleLower(c) ∈ target}. */
function unicodePreimage(target: CharSet): CharSet {
  const removed: number[] = [];
  const extra: number[] = [];
  for (const [c, l] of lowercaseChanges()) {
    if (target.has(c)) removed.push(c);
    if (target.has(l)) extra.push(c, c);
  }
  return target.minus(CharSet.of(...removed)).union(CharSet.fromRanges(extra));
}

function hasCased(set: CharSet): boolean {
  const changes = lowercaseChanges();
  for (const c of changes.keys()) if (set.has(c)) return true;
  for (const l of changes.values()) if (set.has(l)) return true;
  return false;
}

function intersects(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < b.ranges.length; i += 2) {
    for (let c = b.ranges[i] as number; c <= (b.ranges[i + 1] as number); c++) if (a.has(c)) return true;
  }
  return false;
}

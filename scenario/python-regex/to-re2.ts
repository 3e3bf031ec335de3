/**
 * Translates a parsed Python pattern into RE2 syntax for a linear-time engine. Every character
 * node becomes an explicit class (flags already applied, see char-classes.ts), so RE2's own
 * flags and character tables never come into play. What RE2 cannot express (backreferences,
 * lookarounds, atomic groups, possessive repeats, conditionals, counts above 1000) is reported,
 * not approximated.
 */
import { FLAG, UNBOUNDED, type Node } from './ast.js';
import { anySet, charSet, setOf } from './char-classes.js';
import type { CharSet } from './char-set.js';
import { combineFlags } from './flags.js';

/** RE2's largest repeat count. */
const RE2_MAX_REPEAT = 1000;

export type Re2Translation =
  | {
      readonly kind: 're2';
      readonly source: string;
      /** The pattern has a `$` that Python lets match before a final newline (RE2 cannot). */
      readonly endBeforeNewline: boolean;
      /** The pattern has a Unicode `\b`/`\B` (RE2's is ASCII) or a `\B` (false on "" in Python). */
      readonly unicodeBoundary: boolean;
      readonly nonBoundary: boolean;
    }
  | { readonly kind: 'unsupported'; readonly feature: string };

class Unsupported extends Error {}

export function toRe2(root: Node, flags: number): Re2Translation {
  const seen = { endBeforeNewline: false, unicodeBoundary: false, nonBoundary: false };
  try {
    const source = emit(root, flags, seen);
    return { kind: 're2', source, ...seen };
  } catch (e) {
    if (e instanceof Unsupported) return { kind: 'unsupported', feature: e.message };
    throw e;
  }
}

function emit(node: Node, flags: number, seen: { endBeforeNewline: boolean; unicodeBoundary: boolean; nonBoundary: boolean }): string {
  const sub = (n: Node, f = flags): string => emit(n, f, seen);
  switch (node.kind) {
    case 'seq':
      return node.items.map((n) => sub(n)).join('');
    case 'alt':
      return `(?:${node.branches.map((n) => sub(n)).join('|')})`;
    case 'char':
      return re2Class(charSet(node.cp, false, flags));
    case 'notChar':
      return re2Class(charSet(node.cp, true, flags));
    case 'any':
      return re2Class(anySet(flags));
    case 'set':
      return re2Class(setOf(node.items, node.negate, flags));
    case 'group':
      return `(?:${sub(node.body, combineFlags(flags, node.addFlags, node.delFlags))})`;
    case 'repeat': {
      if (node.mode === 'possessive') throw new Unsupported('a possessive repeat');
      if (node.min > RE2_MAX_REPEAT || (node.max !== UNBOUNDED && node.max > RE2_MAX_REPEAT)) {
        throw new Unsupported(`a repeat count above ${RE2_MAX_REPEAT}`);
      }
      const count = node.max === UNBOUNDED ? `{${node.min},}` : `{${node.min},${node.max}}`;
      return `(?:${sub(node.body)})${count}${node.mode === 'lazy' ? '?' : ''}`;
    }
    case 'anchor':
      switch (node.anchor) {
        case 'begin':
          return flags & FLAG.multiline ? '(?m:^)' : '\\A';
        case 'end':
          if (flags & FLAG.multiline) return '(?m:$)';
          seen.endBeforeNewline = true;
          return '\\z';
        case 'beginString':
          return '\\A';
        case 'endString':
          return '\\z';
        case 'boundary':
        case 'nonBoundary':
          if (!(flags & FLAG.ascii)) seen.unicodeBoundary = true;
          if (node.anchor === 'nonBoundary') seen.nonBoundary = true;
          return node.anchor === 'boundary' ? '\\b' : '\\B';
      }
      break;
    case 'atomic':
      throw new Unsupported('an atomic group');
    case 'backref':
      throw new Unsupported('a backreference');
    case 'look':
      throw new Unsupported(node.behind ? 'a lookbehind' : 'a lookahead');
    case 'cond':
      throw new Unsupported('a conditional group');
  }
  throw new Error('unreachable');
}

/** A class in RE2 syntax; the empty set becomes a class nothing matches. */
export function re2Class(set: CharSet): string {
  const r = set.ranges;
  if (r.length === 0) return '[^\\x{0}-\\x{10ffff}]';
  if (r.length === 2 && r[0] === r[1]) return hex(r[0] as number);
  let out = '[';
  for (let i = 0; i < r.length; i += 2) {
    const lo = r[i] as number;
    const hi = r[i + 1] as number;
    out += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
  }
  return `${out}]`;
}

function hex(cp: number): string {
  return `\\x{${cp.toString(16)}}`;
}

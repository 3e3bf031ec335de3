/**
 * A character set `[…]`, read as CPython reads it: a `]` right after `[` or `[^` is a literal
 * (`[]1]` is "] or 1"), `[^]` is unterminated, a range needs single characters at both ends in
 * order, and `\d`, `\w`, `\s` may stand inside.
 */
import type { Node, SetItem } from './ast.js';
import { classEscape } from './escapes.js';
import type { Tokenizer } from './tokenizer.js';

/** Reads the set after its `[` (already consumed). */
export function parseSet(source: Tokenizer): Node {
  const here = source.tell() - 1;
  const items: SetItem[] = [];
  const negate = source.match('^');
  for (;;) {
    const token = source.get();
    if (token === null) throw source.error('unterminated character set', source.tell() - here);
    if (token === ']' && items.length > 0) break;
    const first: SetItem = token.startsWith('\\') ? toItem(classEscape(source, token)) : { kind: 'char', cp: codePoint(token) };
    if (source.match('-')) {
      const that = source.get();
      if (that === null) throw source.error('unterminated character set', source.tell() - here);
      if (that === ']') {
        items.push(first, { kind: 'char', cp: 0x2d });
        break;
      }
      const second: SetItem = that.startsWith('\\') ? toItem(classEscape(source, that)) : { kind: 'char', cp: codePoint(that) };
      const length = Array.from(token).length + 1 + Array.from(that).length;
      if (first.kind !== 'char' || second.kind !== 'char' || second.cp < first.cp) {
        throw source.error(`bad character range ${token}-${that}`, length);
      }
      items.push({ kind: 'range', lo: first.cp, hi: second.cp });
    } else {
      items.push(first);
    }
  }
  // Python turns a set of one character (`[a]`, `[aa]`) into a literal, NOT_LITERAL when negated.
  const first = items[0];
  if (first?.kind === 'char' && items.every((i) => i.kind === 'char' && i.cp === first.cp)) {
    return negate ? { kind: 'notChar', cp: first.cp } : { kind: 'char', cp: first.cp };
  }
  return { kind: 'set', negate, items };
}

function toItem(escape: ReturnType<typeof classEscape>): SetItem {
  if (escape.kind === 'char') return { kind: 'char', cp: escape.cp };
  if (escape.kind === 'category') return { kind: 'category', category: escape.category };
  throw new Error('unreachable: no anchor or reference inside a set');
}

function codePoint(token: string): number {
  return token.codePointAt(0) ?? 0;
}

/**
 * The least and greatest number of characters a subpattern can match (CPython's
 * `SubPattern.getwidth`): Python refuses a lookbehind whose two differ.
 */
import type { Node } from './ast.js';

export type Width = readonly [number, number];

/** `groupWidth(i)` is the width of group i (a backreference matches what the group matched). */
export function widthOf(node: Node, groupWidth: (index: number) => Width): Width {
  switch (node.kind) {
    case 'seq': {
      let lo = 0;
      let hi = 0;
      for (const item of node.items) {
        const [l, h] = widthOf(item, groupWidth);
        lo += l;
        hi += h;
      }
      return [lo, hi];
    }
    case 'alt': {
      let lo = Number.POSITIVE_INFINITY;
      let hi = 0;
      for (const branch of node.branches) {
        const [l, h] = widthOf(branch, groupWidth);
        lo = Math.min(lo, l);
        hi = Math.max(hi, h);
      }
      return [lo, hi];
    }
    case 'char':
    case 'notChar':
    case 'any':
    case 'set':
      return [1, 1];
    case 'anchor':
    case 'look':
      return [0, 0];
    case 'group':
    case 'atomic':
      return widthOf(node.body, groupWidth);
    case 'repeat': {
      const [l, h] = widthOf(node.body, groupWidth);
      // Python: an unbounded repeat of something non-empty is unbounded; of the empty string, 0.
      return [l * node.min, h === 0 ? 0 : h * node.max];
    }
    case 'backref':
      return groupWidth(node.index);
    case 'cond': {
      const [yl, yh] = widthOf(node.yes, groupWidth);
      if (!node.no) return [0, yh];
      const [nl, nh] = widthOf(node.no, groupWidth);
      return [Math.min(yl, nl), Math.max(yh, nh)];
    }
  }
}

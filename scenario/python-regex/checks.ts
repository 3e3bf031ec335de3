/**
 * The checks CPython makes when it compiles a parsed pattern rather than while parsing: a
 * lookbehind must have one width, and the deprecated TEMPLATE flag allows no repeat.
 */
import type { Node } from './ast.js';
import { PythonRegexError } from './errors.js';
import { TEMPLATE_FLAG } from './parse-flags.js';
import type { ParseState } from './parse-state.js';
import { widthOf } from './width.js';

/** Calls `visit` on every node, parents first, in pattern order (the order Python compiles in). */
export function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  switch (node.kind) {
    case 'seq':
      node.items.forEach((n) => walk(n, visit));
      break;
    case 'alt':
      node.branches.forEach((n) => walk(n, visit));
      break;
    case 'group':
    case 'atomic':
    case 'repeat':
    case 'look':
      walk(node.body, visit);
      break;
    case 'cond':
      walk(node.yes, visit);
      if (node.no) walk(node.no, visit);
      break;
    default:
      break;
  }
}

/** @throws PythonRegexError "look-behind requires fixed-width pattern". */
export function checkLookbehinds(pattern: string, root: Node, state: ParseState): void {
  walk(root, (n) => {
    if (n.kind !== 'look' || !n.behind) return;
    const [lo, hi] = widthOf(n.body, (i) => state.groupWidths[i] ?? [0, 0]);
    if (lo !== hi) throw new PythonRegexError(pattern, 'look-behind requires fixed-width pattern', null);
  });
}

/** @throws PythonRegexError as Python 3.11 does for a repeat under `(?t)`. */
export function checkTemplateFlag(pattern: string, root: Node, flags: number): void {
  if (!(flags & TEMPLATE_FLAG)) return;
  walk(root, (n) => {
    if (n.kind === 'repeat') {
      const op = n.mode === 'lazy' ? 'MIN_REPEAT' : n.mode === 'possessive' ? 'POSSESSIVE_REPEAT' : 'MAX_REPEAT';
      throw new PythonRegexError(pattern, `internal: unsupported template operator ${op}`, null);
    }
  });
}

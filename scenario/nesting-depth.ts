/**
 * How deeply a YAML file nests lists and mappings, from its concrete syntax tree, without
 * recursion. A scenario needs three levels (the list of items, an item's mapping, a list value);
 * a file of nothing but `[[[[…` nests thousands deep, and every recursive walk over it (ours, the
 * `yaml` package's composer) would overflow the stack: it is refused before any of them runs.
 */
import type { CST } from 'yaml';

/** The most levels of lists and mappings inside each other a scenario file may have. */
export const MAX_NESTING = 32;

/** Whether a token is a collection, one level of nesting. */
function isCollection(token: object): boolean {
  const type = (token as { type?: unknown }).type;
  return type === 'block-map' || type === 'block-seq' || type === 'flow-collection';
}

/**
 * The deepest nesting of collections in `tokens` and the offset where it is first reached, or
 * as soon as it passes `limit`.
 */
export function nestingDepth(tokens: readonly CST.Token[], limit: number): { depth: number; offset: number } {
  const stack: { value: unknown; depth: number }[] = tokens.map((value) => ({ value, depth: 0 }));
  let deepest = { depth: 0, offset: 0 };
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const here = isCollection(value) ? depth + 1 : depth;
    if (here > deepest.depth) {
      deepest = { depth: here, offset: (value as { offset?: number }).offset ?? 0 };
      if (here > limit) return deepest;
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: here });
    }
  }
  return deepest;
}

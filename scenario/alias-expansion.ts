/**
 * How many values a YAML document stands for once its aliases are expanded. Aliases are valid
 * YAML and krkn files may use them (`namespace: *ns`, a whole item as `- *dns`), so their number
 * is not limited, only what they expand to: the `yaml` package's own guard (`maxAliasCount`,
 * 100 by default) counts alias uses, refusing 150 ordinary ones while its words name no limit of
 * ours. Nine lines of nested aliases ("billion laughs") stand for billions of values; every
 * check after reading walks them, so they are counted here, each anchored value once.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { AliasTargets } from './alias-targets.js';

/**
 * The number of values (scalars, lists, mappings, keys included) `node` expands to, or any
 * number above `limit` once it is clearly more; an alias inside the value it names counts as
 * endless. Linear in the document's size: each anchored value is counted once (recursion is as
 * deep as the document nests, as an alias names a value that ended before it).
 */
export function expandedValues(aliases: AliasTargets, node: unknown, limit: number): number {
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  const size = (n: unknown): number => {
    if (n === null || n === undefined || isScalar(n)) return 1;
    const known = sizes.get(n);
    if (known !== undefined) return known;
    if (open.has(n)) return Infinity;
    open.add(n);
    let total = 0;
    if (isAlias(n)) total = size(aliases.targets.get(n));
    else if (isMap(n) || isSeq(n)) {
      total = 1;
      for (const item of n.items as unknown[]) {
        total += isPair(item) ? size(item.key) + size(item.value) : size(item as Node);
        if (total > limit) break;
      }
    } else total = 1;
    open.delete(n);
    sizes.set(n, total);
    return total;
  };
  return size(node);
}

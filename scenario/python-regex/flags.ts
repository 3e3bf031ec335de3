/**
 * How a scoped group `(?i:…)`, `(?-i:…)`, `(?a:…)` changes the flags in force (CPython's
 * `_combine_flags`): turning on `a` or `u` replaces the other.
 */
import { TYPE_FLAGS } from './ast.js';

export function combineFlags(flags: number, add: number, del: number): number {
  const base = add & TYPE_FLAGS ? flags & ~TYPE_FLAGS : flags;
  return (base | add) & ~del;
}

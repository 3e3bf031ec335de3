/**
 * What the parser remembers while it reads a pattern (CPython's `re._parser.State`): groups opened
 * and closed, their names and widths, and whether it is inside a lookbehind, so that references to
 * open, unknown or same-lookbehind groups are refused as Python refuses them.
 */
import type { Tokenizer } from './tokenizer.js';
import type { Width } from './width.js';

/** Python's MAXGROUPS on 64-bit builds is far larger; a name pattern never comes near it. */
const MAX_GROUPS = 1_073_741_823;

export class ParseState {
  flags = 0;
  readonly groupNames = new Map<string, number>();
  /** Width of each group once closed; group 0 is the whole pattern (never closed while parsing). */
  readonly groupWidths: (Width | null)[] = [null];
  /** `state.groups` when the outermost open lookbehind began, or null outside lookbehinds. */
  lookbehindGroups: number | null = null;
  /** Groups a conditional `(?(n)…)` named by number, with the position, checked at the end. */
  readonly groupRefPositions = new Map<number, number>();

  get groups(): number {
    return this.groupWidths.length;
  }

  /** @throws Error with Python's message when the name is taken (the caller adds the position). */
  openGroup(name: string | null): number {
    const gid = this.groups;
    this.groupWidths.push(null);
    if (this.groups > MAX_GROUPS) throw new Error('too many groups');
    if (name !== null) {
      const previous = this.groupNames.get(name);
      if (previous !== undefined) {
        throw new Error(`redefinition of group name '${name}' as group ${gid}; was group ${previous}`);
      }
      this.groupNames.set(name, gid);
    }
    return gid;
  }

  closeGroup(gid: number, width: Width): void {
    this.groupWidths[gid] = width;
  }

  checkGroup(gid: number): boolean {
    return gid < this.groups && this.groupWidths[gid] !== null;
  }

  checkLookbehindGroup(gid: number, source: Tokenizer): void {
    if (this.lookbehindGroups === null) return;
    if (!this.checkGroup(gid)) throw source.error('cannot refer to an open group');
    if (gid >= this.lookbehindGroups) throw source.error('cannot refer to group defined in the same lookbehind subpattern');
  }
}

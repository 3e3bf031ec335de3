/**
 * The first check of every scenario value, whatever its source (file, flag, `-p`, environment):
 * its length, its number of items, and no control character. It runs before any other check,
 * so that no later message echoes a megabyte of text or a raw line break, escape or NUL into
 * the terminal, and no later check spends time in proportion to a hostile value.
 */
import { coerceList } from './coerce.js';
import { CONTROL_CHARACTER } from './control-characters.js';
import { LIST_LIMITS, listStringChars, STRING_LIMITS, type StringLimit } from './limits.js';

/** A value out of bounds: where inside it (list indexes), and why. */
export interface BoundProblem {
  /** List indexes inside the value; empty for the value itself. */
  readonly path: readonly string[];
  readonly message: string;
}

/** Why `text` is out of bounds, or undefined. The text itself is never quoted back. */
function stringProblem(text: string, limit: StringLimit): string | undefined {
  if (text.length > limit.chars) return `is ${text.length} characters long; the most is ${limit.chars} (${limit.reason})`;
  return controlProblem(text);
}

/** The first control character of `text`, by code point and 1-based character position. */
function controlProblem(text: string): string | undefined {
  const match = CONTROL_CHARACTER.exec(text);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  const position = Array.from(text.slice(0, match.index)).length + 1;
  return `contains the control character U+${code} at character ${position}; scenario values must be printable text`;
}

/**
 * The problems of `value` for scenario key `key` (none for keys without bounds: unknown keys
 * are reported as such, and their values are never used).
 */
export function boundProblems(key: string, value: unknown): BoundProblem[] {
  const list = LIST_LIMITS[key as keyof typeof LIST_LIMITS];
  if (list) {
    if (typeof value === 'string') {
      const problem = stringProblem(value, { chars: listStringChars(list), reason: `${list.items} items of at most ${list.item.chars} characters, with commas` });
      if (problem) return [{ path: [], message: problem }];
    }
    const items = coerceList(value);
    if (!Array.isArray(items)) return [];
    if (items.length > list.items) return [{ path: [], message: `has ${items.length} items; the most is ${list.items}` }];
    return items.flatMap((item, index) => {
      const problem = typeof item === 'string' ? stringProblem(item, list.item) : undefined;
      // A list written as one string has no line per item: its items are named by index all the same.
      return problem ? [{ path: [String(index)], message: problem }] : [];
    });
  }
  const limit = STRING_LIMITS[key as keyof typeof STRING_LIMITS];
  if (!limit || typeof value !== 'string') return [];
  const problem = stringProblem(value, limit);
  return problem ? [{ path: [], message: problem }] : [];
}

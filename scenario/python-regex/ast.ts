/**
 * The tree a Python `re` pattern parses to (the shape of CPython's `re._parser` output, with the
 * parser's own optimisations left out). Both engines read it: the RE2 translation and the
 * bounded backtracker, so a pattern means one thing whichever runs it.
 */

/** Python's inline flags, as bits (the values of `re.I`, `re.M`, … do not matter here). */
export const FLAG = {
  ignoreCase: 1,
  multiline: 2,
  dotAll: 4,
  verbose: 8,
  ascii: 16,
  unicode: 32,
} as const;

/** The flags `a`, `u` (and `L`) that say which character tables `\w`, `\d`, `\s`, `\b` and case folding use. */
export const TYPE_FLAGS = FLAG.ascii | FLAG.unicode;

/** `\d`, `\D`, `\s`, `\S`, `\w`, `\W`. */
export type Category = 'digit' | 'notDigit' | 'space' | 'notSpace' | 'word' | 'notWord';

/** One member of a character set `[…]`. */
export type SetItem =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'category'; readonly category: Category };

/** Zero-width positions: `^`, `$`, `\A`, `\Z`, `\b`, `\B`. */
export type Anchor = 'begin' | 'end' | 'beginString' | 'endString' | 'boundary' | 'nonBoundary';

/** How a repeat gives characters back: `*` greedy, `*?` lazy, `*+` possessive (never). */
export type RepeatMode = 'greedy' | 'lazy' | 'possessive';

export type Node =
  | { readonly kind: 'seq'; readonly items: readonly Node[] }
  | { readonly kind: 'alt'; readonly branches: readonly Node[] }
  | { readonly kind: 'char'; readonly cp: number }
  /** `[^x]`: Python reads a one-character negated set as NOT_LITERAL. */
  | { readonly kind: 'notChar'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly negate: boolean; readonly items: readonly SetItem[] }
  | { readonly kind: 'anchor'; readonly anchor: Anchor }
  /** `(…)`, `(?P<name>…)`, `(?:…)` and `(?flags-flags:…)`; `index` is null when it does not capture. */
  | {
      readonly kind: 'group';
      readonly index: number | null;
      readonly name: string | null;
      readonly addFlags: number;
      readonly delFlags: number;
      readonly body: Node;
    }
  | { readonly kind: 'atomic'; readonly body: Node }
  | { readonly kind: 'repeat'; readonly min: number; readonly max: number; readonly mode: RepeatMode; readonly body: Node }
  | { readonly kind: 'backref'; readonly index: number }
  | { readonly kind: 'look'; readonly behind: boolean; readonly negate: boolean; readonly body: Node }
  | { readonly kind: 'cond'; readonly index: number; readonly yes: Node; readonly no: Node | null };

/** A parsed pattern: the tree, the flags set for the whole pattern, and the number of groups. */
export interface ParsedPattern {
  readonly source: string;
  readonly root: Node;
  /** Global flags after Python's `fix_flags` (a str pattern is `unicode` unless `ascii`). */
  readonly flags: number;
  /** Capturing groups, group 0 (the whole match) included, as Python's `state.groups`. */
  readonly groups: number;
  /** [least, greatest] characters each group matches, by index (group 0 unused). */
  readonly groupWidths: readonly (readonly [number, number])[];
}

/** Python's MAXREPEAT: an unbounded repeat (`*`, `+`, `{m,}`). */
export const UNBOUNDED = Number.POSITIVE_INFINITY;

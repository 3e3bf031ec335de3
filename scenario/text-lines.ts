/**
 * Line numbers of offsets in a text. The `yaml` package's LineCounter learns line starts from
 * its lexer, which skips some while it recovers from an error (after a tab, say): counted here
 * from the text itself instead.
 */

/** Maps an offset of `text` to its 1-based line. */
export type LineOf = (offset: number) => number;

/** The line finder of `text`. */
export function linesOf(text: string): LineOf {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Patterns strung together at random (seeded, so every run tests the same ones) from pieces of
 * Python's grammar, for the differential test: most are refused, which tests that our messages
 * and positions are Python's; the rest test matching where nobody would think to write a case.
 */
const PIECES = [
  'a', 'b', '-', '1', 'A', 'B', ',', ' ', '#', '\\', '(', ')', '|', '*', '+', '?', '{1,2}', '{,2}', '{2}', '{', '}', '[', '[^', ']',
  '^', '$', '.', '\\d', '\\w', '\\s', '\\b', '\\B', '\\A', '\\Z', '\\n', '\\-', '\\]', '\\x61', '\\N{LATIN SMALL LETTER A}',
  '(?i)', '(?a)', '(?s)', '(?m)', '(?x)', '(?i:', '(?-i:', '(?:', '(?=', '(?!', '(?<=', '(?<!', '(?>', '(?#c)',
  '(?P<g>', '(?P=g)', '\\1', '\\2', '(?(1)',
];

/** `count` patterns of 1 to 7 pieces, from a linear congruential generator seeded with `seed`. */
export function randomPatterns(count: number, seed: number): string[] {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const patterns: string[] = [];
  for (let i = 0; i < count; i++) {
    let pattern = '';
    const length = 1 + next(7);
    for (let j = 0; j < length; j++) pattern += PIECES[next(PIECES.length)];
    patterns.push(pattern);
  }
  return patterns;
}

/** Short names that reach the corners these pieces make: case, newlines, the empty name. */
export const RANDOM_NAMES: readonly string[] = ['', 'a', 'b', 'ab', 'ba', 'aab', 'A', 'aB', 'a-1', '1', 'a b', 'a\n', 'ab\nb', '-', ']', 'abab', 'aaaa', 'é'];

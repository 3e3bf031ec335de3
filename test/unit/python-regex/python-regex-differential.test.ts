/**
 * Differential test: for every pattern of the corpus, our reader and Python's own `re` (the
 * python3 on the machine, run once with the corpus on stdin) must both refuse it with the same
 * message, or both accept it and agree on `re.match` for every name. No python3, no pass.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilePythonRegex, PythonRegexError } from '../../../scenario/python-regex/index.js';
import { RANDOM_NAMES, randomPatterns } from './random-patterns.js';

interface Oracle {
  readonly version: string;
  readonly results: readonly ({ readonly error: string } | { readonly matches: readonly boolean[] })[];
}

const here = dirname(fileURLToPath(import.meta.url));
const corpus = JSON.parse(readFileSync(join(here, 'corpus.json'), 'utf8')) as { names: string[]; groups: { patterns: string[] }[] };
const NAMES = corpus.names;
const PATTERNS = corpus.groups.flatMap((g) => g.patterns);
const oracleScript = join(here, 'python-oracle.py');
const askPython = (patterns: readonly string[], names: readonly string[]): Oracle =>
  JSON.parse(execFileSync('python3', [oracleScript], { input: JSON.stringify({ patterns, names }), encoding: 'utf8', maxBuffer: 1 << 26 })) as Oracle;
const oracle = askPython(PATTERNS, NAMES);

function ours(pattern: string, names: readonly string[] = NAMES): { error: string } | { matches: boolean[] } {
  try {
    const regex = compilePythonRegex(pattern);
    return { matches: names.map((n) => regex.match(n)) };
  } catch (e) {
    if (e instanceof PythonRegexError) return { error: e.message };
    throw e;
  }
}

describe(`Python regexes against Python ${oracle.version}'s re`, () => {
  it('should have a corpus of at least 150 patterns, each answered by Python', () => {
    expect(PATTERNS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(PATTERNS).size).toBe(PATTERNS.length);
    expect(oracle.results).toHaveLength(PATTERNS.length);
  });

  it.each(PATTERNS.map((p, i) => [p, i] as const))('should read %j as Python does', (pattern, i) => {
    const python = oracle.results[i];
    const mine = ours(pattern);
    if (python && 'error' in python) {
      expect(mine).toEqual({ error: python.error });
    } else {
      const expected = Object.fromEntries(NAMES.map((n, j) => [JSON.stringify(n), python?.matches[j]]));
      const actual = Object.fromEntries(NAMES.map((n, j) => [JSON.stringify(n), 'matches' in mine ? mine.matches[j] : mine.error]));
      expect(actual).toEqual(expected);
    }
  });
});

describe('Python regexes against Python\'s re: 3,000 random strings of grammar pieces', () => {
  const patterns = randomPatterns(3000, 17);
  const python = askPython(patterns, RANDOM_NAMES);

  it('should refuse each with Python\'s message, or accept it and answer as Python for every name', () => {
    const differences = patterns
      .map((pattern, i) => ({ pattern, python: python.results[i], ours: ours(pattern, RANDOM_NAMES) }))
      .filter((d) => JSON.stringify(d.python) !== JSON.stringify(d.ours));
    expect(differences).toEqual([]);
    // Both kinds are exercised: about a quarter are accepted.
    expect(python.results.filter((r) => 'matches' in r).length).toBeGreaterThan(500);
  });
});

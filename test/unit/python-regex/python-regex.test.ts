import { describe, expect, it } from 'vitest';
import { compilePythonRegex, parsePythonRegex, RegexBudgetError } from '../../../scenario/python-regex/index.js';

const a29 = `${'a'.repeat(28)}!`;
const a63 = `${'a'.repeat(62)}!`;

describe('python regexes: which engine runs a pattern', () => {
  it('should run (a+)+$ under RE2, in linear time, on 29- and 63-character names', () => {
    const regex = compilePythonRegex('(a+)+$');
    expect(regex.engine).toBe('re2');
    const started = performance.now();
    expect([regex.match(a29), regex.match(a63), regex.match('a'.repeat(63))]).toEqual([false, false, true]);
    // Python's backtracking takes 2^n steps here (17.8 s at n = 29); RE2 needs microseconds.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('should run every RE2-expressible construct under RE2', () => {
    const patterns = ['^virt-.*', '(?i)WEB', '(?x) a b # c', '(?s).', '(?m)^b$', '(?a)\\w+\\b', '[]1]{,3}', '\\N{DIGIT ONE}', 'a*?b', '(?P<n>a)|b'];
    expect(patterns.map((p) => compilePythonRegex(p).engine)).toEqual(patterns.map(() => 're2'));
  });

  it('should name the construct that needs the backtracker', () => {
    const patterns = ['(a)\\1', '(?=a)', '(?<!a)b', '(?>a)', 'a*+', '(a)?(?(1)b)', 'a{1001}', '(?:a{100}){20}'];
    expect(patterns.map((p) => compilePythonRegex(p).backtrackingFeature)).toEqual([
      'a backreference',
      'a lookahead',
      'a lookbehind',
      'an atomic group',
      'a possessive repeat',
      'a conditional group',
      'a repeat count above 1000',
      'repeat counts too large for RE2',
    ]);
  });

  it("should match a $ before a final newline as Python does (a name RE2 would read otherwise)", () => {
    const regex = compilePythonRegex('abc$');
    expect([regex.match('abc'), regex.match('abc\n'), regex.match('abc\nd')]).toEqual([true, true, false]);
  });
});

describe('python regexes: bounded backtracking', () => {
  it('should stop a backtracking pattern at its step budget with a message naming the key, pattern and name', () => {
    const regex = compilePythonRegex('(a+)+(?=b)', { label: 'target regex', stepBudget: 10_000 });
    expect(() => regex.match(a29)).toThrow(
      new RegexBudgetError({ label: 'target regex', pattern: '(a+)+(?=b)', input: a29, steps: 10_000, total: false, why: 'a lookahead' }),
    );
    expect(() => regex.match(a29)).toThrow(
      `target regex "(a+)+(?=b)" gave up on "${a29}" after 10,000 backtracking steps: it uses a lookahead, which only a backtracking engine runs, so its time is bounded rather than linear; simplify the pattern (without backreferences, lookarounds, atomic groups or possessive repeats it runs in linear time)`,
    );
  });

  it('should give up on a 63-character name within the default budget in well under a few seconds', () => {
    const regex = compilePythonRegex('(a+)+(?=b)');
    const started = performance.now();
    expect(() => regex.match(a63)).toThrow(RegexBudgetError);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('should stop when the names together exhaust the total budget, so many names cannot add up to a hang', () => {
    const regex = compilePythonRegex('(?=a)a+b', { label: 'namespace regex', totalStepBudget: 200 });
    const names = Array.from({ length: 30 }, (_, i) => `${'a'.repeat(10)}${i}`);
    expect(() => names.forEach((n) => regex.match(n))).toThrow(/^namespace regex "\(\?=a\)a\+b" gave up after 200 backtracking steps over all names \(at "a{10}\d+"\): it uses a lookahead/);
  });

  it('should answer a backtracking pattern that stays within its budget', () => {
    const regex = compilePythonRegex('(?P<w>[a-z]+)-(?P=w)$');
    expect([regex.match('web-web'), regex.match('web-db'), regex.match('web-webx')]).toEqual([true, false, false]);
  });
});

describe('python regexes: one answer per distinct name', () => {
  it('should evaluate each distinct name once however often it is asked', () => {
    const regex = compilePythonRegex('prod');
    const namespaces = Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'prod' : 'dev'));
    expect(namespaces.filter((n) => regex.match(n))).toHaveLength(500);
    expect(regex.engineRuns).toBe(2);
  });
});

describe('python regexes: the parsed tree', () => {
  it('should read {,3} as 0 to 3 repeats and ]1 first in a set as literals', () => {
    expect(parsePythonRegex('1{,3}').root).toEqual({ kind: 'repeat', min: 0, max: 3, mode: 'greedy', body: { kind: 'char', cp: 0x31 } });
    expect(parsePythonRegex('[]1]').root).toEqual({
      kind: 'set',
      negate: false,
      items: [
        { kind: 'char', cp: 0x5d },
        { kind: 'char', cp: 0x31 },
      ],
    });
  });

  it('should keep global flags apart from scoped ones', () => {
    const parsed = parsePythonRegex('(?i)a(?-i:b)');
    expect(parsed.flags & 1).toBe(1);
    expect(parsed.root).toEqual({
      kind: 'seq',
      items: [
        { kind: 'char', cp: 0x61 },
        { kind: 'group', index: null, name: null, addFlags: 0, delFlags: 1, body: { kind: 'char', cp: 0x62 } },
      ],
    });
  });
});

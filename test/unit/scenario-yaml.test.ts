import { describe, expect, it } from 'vitest';
import { loadScenarios, ScenarioError } from '../../scenario/index.js';

/** The formatted problem lines of a rejected file (without the count line). */
function problems(text: string): string[] {
  try {
    loadScenarios({ file: { path: 's.yaml', text } });
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).message.split('\n').slice(0, -1);
  }
  throw new Error('expected the file to be rejected');
}

const HEAD = '- id: vmi_network_filter\n';

describe('YAML problems of a scenario file', () => {
  it.each([
    ['an unclosed double quote, at the line it opens on', `${HEAD}  namespace: "virt-\n  ports: [53]\n  target: web\n`, 's.yaml:2: the double quote opened on this line is never closed'],
    ['an unclosed single quote, escaped quotes inside', `${HEAD}  namespace: 'it''s\n  ports: [53]\n`, 's.yaml:2: the single quote opened on this line is never closed'],
    ['an unclosed bracket, at the line it opens on', `${HEAD}  namespace: ns\n  ports: [53,\n    80\n`, 's.yaml:3: the list opened with "[" on this line is never closed with "]"'],
    ['an unclosed bracket in a list item, at the item', `${HEAD}  namespace: ns\n  interfaces:\n    - eth0\n    - [tap0\n`, 's.yaml:5: the list opened with "[" on this line is never closed with "]"'],
    ['a tab indenting a key', `${HEAD}\tnamespace: ns\n`, 's.yaml:2: tabs are not allowed for indentation; indent with spaces'],
    ['a tab indenting a list item', `${HEAD}  namespace: ns\n  ports:\n\t- 53\n`, 's.yaml:4: tabs are not allowed for indentation; indent with spaces'],
    [
      'a tab after a colon, which PyYAML refuses',
      `${HEAD}  namespace:\tns\n`,
      "s.yaml:2: tabs are not allowed between or inside unquoted values (krkn's YAML reader, PyYAML, refuses them); use spaces, or quote a value that holds a tab",
    ],
    [
      'a second document',
      `${HEAD}  namespace: a\n---\n${HEAD}  namespace: b\n`,
      's.yaml:3: a second YAML document starts here; krkn reads a scenario file as one document: keep every scenario in one list, with no "---" between them',
    ],
    ['a duplicate key', `${HEAD}  namespace: a\n  ports: [1]\n  namespace: b\n`, 's.yaml:4: duplicate key "namespace" (first on line 2): krkn would silently keep only the last value; remove one'],
    ['a missing colon', `${HEAD}  namespace ns\n  ports: [1]\n`, 's.yaml:2: a key must fit on one line and be followed by ":"; is a ":" missing?'],
    [
      'a list item indented less than its siblings, at the item',
      `${HEAD}  namespace: ns\n  ports:\n    - 53\n   - 80\n`,
      's.yaml:5: a list or mapping stands where a key was expected: check the indentation, and quote a value that holds ": "',
    ],
    ['a key outside its item', `${HEAD}  namespace: ns\nports: [1]\n`, `s.yaml:3: "ports" is not where YAML expects it: check this line's indentation and brackets`],
    ['a bad escape', `${HEAD}  namespace: "a\\qb"\n`, 's.yaml:2: "\\q" is not an escape a double-quoted string may hold; write \\\\ for a backslash, or use single quotes'],
    ['a reserved first character', `${HEAD}  namespace: @ns\n`, 's.yaml:2: a value cannot start with "@" unless it is quoted'],
    ['an unknown tag', `${HEAD}  namespace: !regex ns\n`, `s.yaml:2: unknown tag "!regex": krkn's YAML reader (PyYAML's safe loader) refuses it`],
    ['a type tag on a value not of that type', `${HEAD}  namespace: ns\n  test_duration: !!int abc\n`, `s.yaml:3: the tag "!!int" does not fit its value: krkn's YAML reader (PyYAML) refuses it`],
    ['a lone "=", which PyYAML cannot construct', `${HEAD}  namespace: ns\n  target: =\n`, `s.yaml:3: a lone "=" is the YAML 1.1 "value" type, which krkn's YAML reader (PyYAML) refuses; quote it`],
    ['an alias without an anchor', `${HEAD}  namespace: *ns\n`, 's.yaml:2: alias "*ns" names no anchor "&ns" defined before it'],
    ['a value without a key', `${HEAD}  namespace: ns\n  : 53\n`, `s.yaml:3: a ":" with no key before it (krkn's YAML reader, PyYAML, refuses it)`],
  ])('should report %s in our words', (_, text, expected) => {
    expect(problems(text)).toEqual([expected]);
  });

  it('should report one problem per line, every line that has one', () => {
    expect(problems(`${HEAD}\tnamespace: ns\n  ports: [53]\n\ttarget: x\n`)).toEqual([
      's.yaml:2: tabs are not allowed for indentation; indent with spaces',
      's.yaml:4: tabs are not allowed for indentation; indent with spaces',
    ]);
  });

  it("should never let the YAML library's words or positions through", () => {
    const texts = [
      `${HEAD}  namespace: a\n---\n- id: x\n`,
      `${HEAD}  namespace: "a\n`,
      `${HEAD}  namespace: [a\n`,
      `${HEAD}  namespace: a: b\n`,
      `${HEAD}  namespace: a\n  namespace: b\n`,
    ];
    for (const line of texts.flatMap(problems)) {
      expect(line).not.toMatch(/parseAllDocuments|at line \d+, column \d+|Map keys|Implicit|Unexpected|Nested mappings/);
    }
  });

  it('should read a file that starts with a byte order mark, as PyYAML does', () => {
    expect(loadScenarios({ file: { path: 's.yaml', text: `\ufeff${HEAD}  namespace: ns\n` } })[0]!.namespace).toBe('ns');
  });

  it('should accept tabs in comments, and read those inside quotes and block scalars as PyYAML does, then refuse them as control characters in a value', () => {
    expect(loadScenarios({ file: { path: 's.yaml', text: `${HEAD}  # a\tcomment\n  namespace: ns\n` } })[0]!.namespace).toBe('ns');
    expect(problems(`${HEAD}  # a\tcomment\n  namespace: "n\ts"\n  target: |-\n    \tweb\n`)).toEqual([
      's.yaml:3: scenario[0].namespace: contains the control character U+0009 at character 2; scenario values must be printable text',
      's.yaml:4: scenario[0].target: contains the control character U+0009 at character 1; scenario values must be printable text',
    ]);
  });
});

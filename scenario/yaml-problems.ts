/**
 * Every YAML problem of a scenario file, in our words and at the line where the user has to
 * look. The `yaml` package's messages name its own API ("please use parseAllDocuments()"), and
 * its positions are where the parser gave up: an unclosed quote or bracket is reported at the
 * end of the file. So problems are built from its error codes and positions, and from its CST
 * for what it reports late (unclosed quotes and brackets) or not at all (tabs PyYAML refuses,
 * duplicate keys, aliases without an anchor). Never its message text, except for the tags of
 * pyyaml-tags.ts, whose messages are ours.
 */
import { isAlias, isScalar, Parser, visit, type CST, type Document, type ErrorCode, type YAMLError } from 'yaml';
import { aliasTargets } from './alias-targets.js';
import type { LineOf } from './text-lines.js';

/** A problem of the file as YAML: where it is (1-based line) and what it is. */
export interface YamlProblem {
  readonly line: number;
  readonly message: string;
}

/** Our words for an error code; `near` is the file's text at the error's position, on its line. */
const WORDS: Partial<Record<ErrorCode, (near: string) => string>> = {
  ALIAS_PROPS: () => 'an alias (*name) cannot carry an anchor (&) or a tag (!)',
  BAD_ALIAS: () => 'an alias (*name) is malformed here',
  BAD_DIRECTIVE: () => 'a "%" directive is malformed here',
  BAD_DQ_ESCAPE: (near) => `"${near.slice(0, 2)}" is not an escape a double-quoted string may hold; write \\\\ for a backslash, or use single quotes`,
  BAD_INDENT: () => "this line's indentation does not fit the lines above it",
  BAD_PROP_ORDER: () => 'an anchor (&) or tag (!) must come before its value',
  BAD_SCALAR_START: (near) => `a value cannot start with ${JSON.stringify(near.charAt(0))} unless it is quoted`,
  BLOCK_AS_IMPLICIT_KEY: () => 'a list or mapping stands where a key was expected: check the indentation, and quote a value that holds ": "',
  BLOCK_IN_FLOW: () => 'a block list or mapping ("- " or "key: " lines) cannot stand inside [ ] or { }',
  BAD_COLLECTION_TYPE: () => 'the tag does not fit this kind of value',
  KEY_OVER_1024_CHARS: () => 'a key longer than 1024 characters',
  MISSING_CHAR: () => 'something is missing here: a ":" after a key, a "," between items, or a closing bracket',
  MULTILINE_IMPLICIT_KEY: () => 'a key must fit on one line and be followed by ":"; is a ":" missing?',
  MULTIPLE_ANCHORS: () => 'a value has two anchors (&)',
  MULTIPLE_TAGS: () => 'a value has two tags (!)',
  MULTIPLE_DOCS: () =>
    'a second YAML document starts here; krkn reads a scenario file as one document: keep every scenario in one list, with no "---" between them',
  RESOURCE_EXHAUSTION: () => 'aliases (*name) expand to too much data here',
  TAB_AS_INDENT: () => 'tabs are not allowed for indentation; indent with spaces',
  UNEXPECTED_TOKEN: (near) => `${JSON.stringify(near)} is not where YAML expects it: check this line's indentation and brackets`,
};

/** What to check beyond YAML itself. */
export interface YamlProblemsOptions {
  /**
   * Refuse tabs where PyYAML does: a krkn file. Inline JSON from the command line is not one,
   * and JSON allows tabs between tokens.
   * @default true
   */
  readonly pyyamlTabs?: boolean;
  /**
   * The concrete syntax tree of `text`, when the caller has it already.
   * @default parsed here
   */
  readonly cst?: readonly CST.Token[];
}

/** The problems of `doc` (parsed from `text`), in file order, at most one per line. */
export function yamlProblems(text: string, doc: Document, lineOf: LineOf, options: YamlProblemsOptions = {}): YamlProblem[] {
  const cst = options.cst ?? [...new Parser().parse(text)];
  const tabs = options.pyyamlTabs === false ? [] : tabProblems(text, cst);
  const open = unclosed(text, cst);
  const found: YamlProblem[] = [...tabs, ...open].map((p) => ({ line: lineOf(p.offset), message: p.message }));
  // Tabs and unclosed quotes are certain, found in the text itself; what the parser says after
  // the first of them follows from it, so it is left out.
  const firstCertain = Math.min(...[...tabs, ...open].map((p) => p.offset));
  for (const error of [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')]) {
    // Duplicate keys are found in structureProblems; tabs, when checked, in tabProblems.
    if (error.code === 'DUPLICATE_KEY' || (error.code === 'TAB_AS_INDENT' && options.pyyamlTabs !== false) || error.pos[0] >= firstCertain) continue;
    found.push({ line: lineOf(error.pos[0]), message: wordsFor(error, text) });
  }
  if (doc.errors.length === 0) found.push(...structureProblems(doc, lineOf));
  const seen = new Set<number>();
  return found
    .sort((a, b) => a.line - b.line)
    .filter((p) => !seen.has(p.line) && seen.add(p.line));
}

function wordsFor(error: YAMLError, text: string): string {
  if (error.code === 'TAG_RESOLVE_FAILED') {
    // An error is one of our tags refusing a scalar (our words); a warning, a tag nobody knows.
    if (error.name === 'YAMLParseError') return error.message;
    const tag = /^!\S*/.exec(text.slice(error.pos[0]))?.[0] ?? '!';
    // A YAML 1.1 type tag on a value that is not of that type (`!!int abc`), which PyYAML refuses too.
    if (/^!!(bool|int|float|null|timestamp)$/.test(tag)) return `the tag ${JSON.stringify(tag)} does not fit its value: krkn's YAML reader (PyYAML) refuses it`;
    return `unknown tag ${JSON.stringify(tag)}: krkn's YAML reader (PyYAML's safe loader) refuses it`;
  }
  const end = error.code === 'UNEXPECTED_TOKEN' ? error.pos[1] : error.pos[0] + 40;
  const near = text.slice(error.pos[0], end).split('\n')[0]!.trim().slice(0, 40);
  return (WORDS[error.code] ?? (() => 'YAML cannot read this'))(near);
}

/**
 * PyYAML (hence krkn) refuses a tab anywhere but inside quotes, block scalars and comments: as
 * indentation, between tokens, even inside a plain value. The `yaml` package takes most of them.
 */
function tabProblems(text: string, cst: readonly CST.Token[]): Located[] {
  const problems: Located[] = [];
  walk(cst, (token) => {
    if ((token.type !== 'space' && token.type !== 'scalar') || !token.source.includes('\t')) return;
    const offset = token.offset + token.source.indexOf('\t');
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const indent = /^[ \t]*$/.test(text.slice(lineStart, offset));
    problems.push({
      offset,
      message: indent
        ? 'tabs are not allowed for indentation; indent with spaces'
        : "tabs are not allowed between or inside unquoted values (krkn's YAML reader, PyYAML, refuses them); use spaces, or quote a value that holds a tab",
    });
  });
  return problems;
}

/** A problem found in the text, at an offset. */
interface Located {
  readonly offset: number;
  readonly message: string;
}

/**
 * Quotes and flow brackets that never close, at the line they open on. A bracket counts as
 * unclosed only when nothing but blanks follows its contents: the parser also ends a flow
 * collection early at a line indented less than it, where the problem is that line.
 */
function unclosed(text: string, cst: readonly CST.Token[]): Located[] {
  const found: Located[] = [];
  walk(cst, (token) => {
    if (token.type === 'double-quoted-scalar' || token.type === 'single-quoted-scalar') {
      const quote = token.source.charAt(0);
      if (!closesQuote(token.source, quote)) found.push({ offset: token.offset, message: `the ${quote === '"' ? 'double' : 'single'} quote opened on this line is never closed` });
    }
    if (token.type === 'flow-collection') {
      const close = token.start.source === '[' ? ']' : '}';
      if (!token.end.some((t) => t.source === close) && /^\s*$/.test(text.slice(extentEnd(token)))) {
        found.push({ offset: token.offset, message: `the ${close === ']' ? 'list' : 'mapping'} opened with "${token.start.source}" on this line is never closed with "${close}"` });
      }
    }
  });
  return found;
}

/** Whether a quoted scalar's source ends with its closing quote (escapes taken into account). */
function closesQuote(source: string, quote: string): boolean {
  for (let i = 1; i < source.length; i++) {
    const c = source.charAt(i);
    if (quote === '"' && c === '\\') i++;
    else if (c === quote) {
      if (quote === "'" && source.charAt(i + 1) === "'") i++;
      else return i === source.length - 1 || /^\s*$/.test(source.slice(i + 1));
    }
  }
  return false;
}

/** The offset just past the last source token of `token`'s subtree. */
function extentEnd(token: CST.Token): number {
  let end = token.offset;
  walk([token], (t) => {
    if ('source' in t && typeof t.source === 'string') end = Math.max(end, t.offset + t.source.length);
  });
  return end;
}

/** Calls `visit` on every token of the CST, nested ones included. */
function walk(tokens: readonly unknown[], visitToken: (token: CST.Token) => void): void {
  for (const token of tokens) {
    if (Array.isArray(token)) walk(token, visitToken);
    else if (token && typeof token === 'object') {
      if ('type' in token && 'offset' in token) visitToken(token as CST.Token);
      walk(Object.values(token).filter((v) => v !== null && typeof v === 'object'), visitToken);
    }
  }
}

/**
 * Problems of a document that parsed: a key twice in one mapping (PyYAML keeps the last value
 * without a word; we refuse, as the other value was meant for something), and an alias with no
 * anchor before it.
 */
function structureProblems(doc: Document, lineOf: LineOf): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const aliases = aliasTargets(doc);
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number>();
      for (const pair of map.items) {
        // `: a` parses as an empty key; `~: a` and `null: a` are keys PyYAML reads as None.
        const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
        if (pair.key === null || (isScalar(pair.key) && pair.key.value === null && keyRange?.[0] === keyRange?.[1])) {
          const at = keyRange?.[0] ?? (pair.value as { range?: [number, number, number] } | null)?.range?.[0];
          problems.push({ line: at === undefined ? 1 : lineOf(at), message: 'a ":" with no key before it (krkn\'s YAML reader, PyYAML, refuses it)' });
          continue;
        }
        if (!isScalar(pair.key) || pair.key.value === '<<') continue;
        const name = String(pair.key.value);
        const line = lineOf(pair.key.range?.[0] ?? 0);
        const earlier = first.get(name);
        if (earlier === undefined) first.set(name, line);
        else problems.push({ line, message: `duplicate key ${JSON.stringify(name)} (first on line ${earlier}): krkn would silently keep only the last value; remove one` });
      }
    },
    Alias(_, alias) {
      if (isAlias(alias) && aliases.targets.get(alias) === undefined) {
        problems.push({ line: lineOf(alias.range?.[0] ?? 0), message: `alias "*${alias.source}" names no anchor "&${alias.source}" defined before it` });
      }
    },
  });
  return problems;
}

/**
 * Reads a krkn scenario file as krkn does: one YAML document (PyYAML's `safe_load`, YAML 1.1)
 * holding a list of items, each a mapping with an `id`. Gives each item's values with where
 * they came from, down to the line of each list element, for messages.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, Parser, type Node } from 'yaml';
import { expandedValues } from './alias-expansion.js';
import { aliasTargets } from './alias-targets.js';
import { show } from './coerce.js';
import type { Problem } from './errors.js';
import { SCENARIO_ID } from './keys.js';
import { MAX_ALIASES, MAX_ALIASES_REASON, MAX_EXPANDED_VALUES, MAX_SCENARIOS, MAX_SCENARIOS_REASON } from './limits.js';
import { MAX_NESTING, nestingDepth } from './nesting-depth.js';
import { PYYAML_SAFE_TAGS } from './pyyaml-tags.js';
import { linesOf, type LineOf } from './text-lines.js';
import { yamlProblems } from './yaml-problems.js';

export interface ScenarioFile {
  /** Shown in messages. */
  readonly path: string;
  readonly text: string;
  /**
   * Inline JSON from the command line rather than a krkn file: its items may leave `id` out.
   * @default false
   */
  readonly inline?: boolean;
}

/** Where one key's value came from, for messages. */
export interface Origin {
  readonly source: string;
  readonly line?: number;
  readonly index?: number;
  /** The value's node in the file, to find the line of a list element. */
  readonly node?: Node;
  /** The file's line finder. */
  readonly lines?: LineOf;
}

/** One item of a file (or the command line's one scenario), before validation. */
export interface RawScenario {
  readonly values: Record<string, unknown>;
  readonly origins: Record<string, Origin>;
  readonly index?: number;
  readonly itemOrigin: Origin;
}

/**
 * The line of `path` (list indexes) inside the value at `origin`: a list element's own line,
 * else the key's.
 */
export function lineOf(origin: Origin, path: readonly string[]): number | undefined {
  let node: unknown = origin.node;
  let line = origin.line;
  for (const step of path) {
    if (!isSeq(node) || !/^\d+$/.test(step)) break;
    node = node.items[Number(step)];
    const start = (node as Node | undefined)?.range?.[0];
    if (start === undefined || !origin.lines) break;
    line = origin.lines(start);
  }
  return line;
}

/** Whether the file wrote the value as a string whatever it reads like: quoted, or tagged (`!!str 120`). */
export function writtenAsString(origin: Origin): boolean {
  const node = origin.node;
  return isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' || node.tag !== undefined);
}

/** Counts the scenarios of several files, for the bound on their number. */
export interface ScenarioTally {
  /** The scenarios of the files read before. */
  scenarios: number;
}

/**
 * The items of `file`, or none with `problems` filled when it is not a readable scenario list.
 * An item's own problems (missing id) are added too; its values are checked later.
 * @param tally the scenarios of the files read before, to which this file's are added.
 */
export function readScenarioFile(file: ScenarioFile, problems: Problem[], tally: ScenarioTally = { scenarios: 0 }): RawScenario[] {
  // PyYAML skips a byte order mark; the yaml package would read it as content.
  const text = file.text.replace(/^\ufeff/, '');
  const lines = linesOf(text);
  const cst = [...new Parser().parse(text)];
  // Before anything walks the tree recursively.
  const nesting = nestingDepth(cst, MAX_NESTING);
  if (nesting.depth > MAX_NESTING) {
    problems.push({ source: file.path, line: lines(nesting.offset), message: `lists and mappings nest more than ${MAX_NESTING} deep here; a scenario needs 3 (the list of scenarios, a scenario, a list value)` });
    return [];
  }
  const doc = parseDocument(text, { schema: 'failsafe', customTags: PYYAML_SAFE_TAGS, uniqueKeys: false, prettyErrors: false });
  const syntax = yamlProblems(text, doc, lines, { pyyamlTabs: !file.inline, cst });
  if (syntax.length > 0) {
    problems.push(...syntax.map((p) => ({ source: file.path, ...p })));
    return [];
  }
  const root = doc.contents;
  const at = (node: { range?: [number, number, number] | null } | null | undefined): number | undefined =>
    node?.range ? lines(node.range[0]) : undefined;
  if (root === null || text.trim() === '') {
    problems.push({ source: file.path, message: `the scenario file is empty; it must be a YAML list of "- id: ${SCENARIO_ID}" items` });
    return [];
  }
  if (!isSeq(root)) {
    problems.push({
      source: file.path,
      line: at(root),
      message: `the scenario file must be a YAML list of scenarios ("- id: ${SCENARIO_ID}" items), as krkn reads it`,
    });
    return [];
  }
  if (root.items.length === 0) {
    problems.push({ source: file.path, line: at(root), message: 'the scenario list is empty' });
    return [];
  }
  // Counted before any work per scenario is done.
  const before = tally.scenarios;
  const total = (tally.scenarios += root.items.length);
  if (total > MAX_SCENARIOS) {
    const count = before === 0 ? '' : `, which make ${total} with the ${before} before`;
    problems.push({ source: file.path, line: at(root), message: `the file holds ${root.items.length} scenarios${count}; one workflow runs at most ${MAX_SCENARIOS} (${MAX_SCENARIOS_REASON})` });
    return [];
  }
  const aliases = aliasTargets(doc);
  // The yaml package's toJS resolves an alias by a pass over the aliases and anchors before it.
  if (aliases.targets.size > MAX_ALIASES) {
    problems.push({ source: file.path, message: `the file uses ${aliases.targets.size} aliases (*name); the most is ${MAX_ALIASES} (${MAX_ALIASES_REASON}): write the values out` });
    return [];
  }
  if (expandedValues(aliases, root, MAX_EXPANDED_VALUES) > MAX_EXPANDED_VALUES) {
    problems.push({
      source: file.path,
      message: `aliases (*name) expand the file to more than ${MAX_EXPANDED_VALUES} values, as many as the largest scenario file could write out (an alias bomb?)`,
    });
    return [];
  }
  // Expansion is bounded above; the package's own count of alias uses would refuse ordinary files.
  const js = doc.toJS({ maxAliasCount: -1 }) as unknown[];
  const raws: RawScenario[] = [];
  root.items.forEach((written, index) => {
    const itemOrigin: Origin = { source: file.path, line: at(written as never), index };
    // `- *name` repeats an earlier item: its keys are read where the anchored item wrote them.
    const item = isAlias(written) ? aliases.targets.get(written) : written;
    if (!isMap(item)) {
      problems.push({ ...itemOrigin, message: `each scenario must be a mapping of keys, not ${show(js[index])}` });
      return;
    }
    const origins: Record<string, Origin> = {};
    for (const pair of item.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      origins[key] = { source: file.path, line: at(pair.key as never), index, ...(pair.value ? { node: pair.value as Node, lines } : {}) };
    }
    const values = { ...(js[index] as Record<string, unknown>) };
    // krkn dispatches an item by its id and stops at one without (a KeyError): not ours to guess.
    if (!file.inline && !('id' in values)) {
      problems.push({ ...itemOrigin, key: 'id', message: `is missing: krkn runs an item by its id and stops at one without; add "id: ${SCENARIO_ID}"` });
    }
    raws.push({ values, origins, index, itemOrigin });
  });
  return raws;
}

/**
 * Loads scenarios from a krkn scenario file, krkn-hub environment variables and krknctl flags.
 * Precedence per key: flags > environment > file > defaults. Flags and environment apply to
 * every scenario of the file. All problems of all sources are collected into one ScenarioError.
 */
import { deadlineBoundProblem } from './deadline-bound.js';
import { ScenarioError, type Problem } from './errors.js';
import { SCENARIO_KEYS, type ScenarioKeyName } from './keys.js';
import { readAsKrkn, type ValueSource } from './krkn-values.js';
import { lineOf, readScenarioFile, writtenAsString, type Origin, type RawScenario, type ScenarioFile } from './scenario-file.js';
import { normalize, scenarioSchema, type Scenario } from './schema.js';
import { suggestKey } from './suggest.js';
import { boundProblems } from './value-bounds.js';

export type { ScenarioFile } from './scenario-file.js';

export interface ScenarioSources {
  /** A krkn scenario file: a YAML list of `- id: vmi_network_filter` items. */
  readonly file?: ScenarioFile;
  /**
   * Several scenario files (`--scenario a.yaml --scenario b.yaml`), read after `file`: their
   * scenarios run in the order given and are numbered across the files in messages.
   */
  readonly files?: readonly ScenarioFile[];
  /**
   * krkn-hub environment (TOTAL_CHAOS_DURATION, NAMESPACE, …). An empty variable counts as
   * unset, so a blank variable in a pod spec cannot silently override the file.
   * @default {} (the caller decides whether to pass process.env)
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** krknctl flag values by scenario key, as given on the command line (strings). */
  readonly flags?: Readonly<Partial<Record<ScenarioKeyName, string>>>;
  /** `-p key=value` values by scenario key (argo submit's spelling); they rank with the flags. */
  readonly parameters?: Readonly<Partial<Record<ScenarioKeyName, string>>>;
}

/**
 * Validates and normalizes the scenarios described by `sources`.
 * @returns one scenario per file item (one when there is no file).
 * @throws ScenarioError with every problem found.
 */
export function loadScenarios(sources: ScenarioSources): Scenario[] {
  const problems: Problem[] = [];
  const files = [...(sources.file ? [sources.file] : []), ...(sources.files ?? [])];
  const raws = files.length > 0 ? readFiles(files, problems) : [{ values: {}, origins: {}, itemOrigin: { source: 'command line' } }];

  const overrides = overridesFrom(sources);
  const scenarios: Scenario[] = [];
  for (const raw of raws) {
    for (const [key, { value, origin }] of Object.entries(overrides)) {
      raw.values[key] = value;
      raw.origins[key] = { ...origin, ...(raw.index === undefined ? {} : { index: raw.index }) };
    }
    const scenario = validate(raw, problems);
    if (scenario) scenarios.push(scenario);
  }
  if (problems.length > 0) {
    // In file order: by scenario, then line (sort is stable, so same-line problems keep theirs).
    problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1) || (a.line ?? 0) - (b.line ?? 0));
    throw new ScenarioError(problems);
  }
  return scenarios;
}

function overridesFrom(sources: ScenarioSources): Record<string, { value: string; origin: Origin }> {
  const out: Record<string, { value: string; origin: Origin }> = {};
  for (const k of SCENARIO_KEYS) {
    const env = sources.env?.[k.env];
    if (env !== undefined && env !== '') out[k.key] = { value: env, origin: { source: `env ${k.env}` } };
    const parameter = sources.parameters?.[k.key];
    if (parameter !== undefined) out[k.key] = { value: parameter, origin: { source: '-p' } };
    const flag = sources.flags?.[k.key];
    if (flag !== undefined) out[k.key] = { value: flag, origin: { source: `flag --${k.flag}` } };
  }
  return out;
}

/** An origin as a problem's place: the line of `path`'s element when it has one of its own. */
function where(origin: Origin, path: readonly string[] = []): Pick<Problem, 'source' | 'line' | 'index'> {
  const line = lineOf(origin, path);
  return { source: origin.source, ...(line === undefined ? {} : { line }), ...(origin.index === undefined ? {} : { index: origin.index }) };
}

/**
 * The scenario keys whose value comes from the environment (set there, and not overridden by a
 * flag or `-p`), with the variable and its value, in table order: what the CLI announces.
 */
export function keysFromEnvironment(sources: ScenarioSources): { key: ScenarioKeyName; env: string; value: string }[] {
  return SCENARIO_KEYS.flatMap((k) => {
    const value = sources.env?.[k.env];
    const overridden = sources.flags?.[k.key] !== undefined || sources.parameters?.[k.key] !== undefined;
    return value === undefined || value === '' || overridden ? [] : [{ key: k.key, env: k.env, value }];
  });
}

/** Reads several files as one list: each file's scenarios are numbered after the previous file's. */
function readFiles(files: readonly ScenarioFile[], problems: Problem[]): RawScenario[] {
  const raws: RawScenario[] = [];
  let offset = 0;
  const tally = { scenarios: 0 };
  for (const file of files) {
    const before = problems.length;
    const read = readScenarioFile(file, problems, tally);
    const own = problems.splice(before);
    // The file's item count: one past the last index its scenarios and problems carry.
    const count = Math.max(0, ...read.map((r) => (r.index ?? -1) + 1), ...own.map((p) => (p.index ?? -1) + 1));
    const shift = (origin: Origin): Origin => (origin.index === undefined || offset === 0 ? origin : { ...origin, index: origin.index + offset });
    problems.push(...own.map((p) => (p.index === undefined || offset === 0 ? p : { ...p, index: p.index + offset })));
    for (const r of read) {
      raws.push({
        values: r.values,
        origins: Object.fromEntries(Object.entries(r.origins).map(([key, origin]) => [key, shift(origin)])),
        itemOrigin: shift(r.itemOrigin),
        ...(r.index === undefined ? {} : { index: r.index + offset }),
      });
    }
    offset += count;
  }
  return raws;
}

function validate(raw: RawScenario, problems: Problem[]): Scenario | undefined {
  const originOf = (key: string | undefined): Origin => (key !== undefined && raw.origins[key]) || raw.itemOrigin;
  const sourceOf = (key: string): ValueSource => {
    const origin = raw.origins[key];
    if (raw.index === undefined || origin?.source !== raw.itemOrigin.source) return 'other';
    return writtenAsString(origin) ? 'file-string' : 'file';
  };
  // Bounds first: a value out of them is reported alone, and no later check sees it. A list
  // item out of them is reported alone too, while the other items are still checked (the file
  // that holds them is bounded, so the checks cost little).
  const bounded: Problem[] = [];
  const boundedItems = new Set<string>();
  const inBounds: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw.values)) {
    const problems = boundProblems(key, value);
    for (const p of problems) {
      const keyPath = key + p.path.map((i) => `[${i}]`).join('');
      if (p.path.length > 0) boundedItems.add(keyPath);
      bounded.push({ ...where(originOf(key), p.path), key: keyPath, message: p.message });
    }
    if (problems.every((p) => p.path.length > 0)) inBounds[key] = value;
  }
  const reading = readAsKrkn(inBounds, sourceOf);
  const found: Problem[] = [...bounded, ...reading.problems.map((p) => ({ ...where(originOf(p.key)), key: p.key, message: p.message }))];
  const judged = new Set([...reading.problems.map((p) => p.key), ...Object.keys(raw.values).filter((key) => !(key in inBounds))]);
  const values = reading.values;
  const result = scenarioSchema.safeParse(values);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const hint = suggestKey(key);
          found.push({ ...where(originOf(key)), key, message: `unknown key${hint ? `; did you mean "${hint}"?` : ''}` });
        }
        continue;
      }
      const [key, ...rest] = issue.path.map(String);
      if (key !== undefined && judged.has(key)) continue;
      const keyPath = key === undefined ? undefined : key + rest.map((p) => `[${p}]`).join('');
      if (keyPath !== undefined && boundedItems.has(keyPath)) continue;
      const message = key === 'namespace' && values.namespace === undefined
        ? 'is required: name the namespace (or a regex of namespaces) of the target VMIs (--namespace, NAMESPACE)'
        : issue.message;
      found.push({ ...where(originOf(key), rest), ...(keyPath === undefined ? {} : { key: keyPath }), message });
    }
  }
  // A cross-key rule, checked on the raw values so it is reported alongside per-key problems.
  const off = (key: 'ingress' | 'egress'): boolean => values[key] === false || String(values[key]).trim().toLowerCase() === 'false';
  if (off('ingress') && off('egress')) {
    found.push({
      ...where(raw.origins.egress ?? raw.origins.ingress ?? raw.itemOrigin),
      key: 'ingress/egress',
      message: 'ingress and egress are both false, so nothing would be blocked; set at least one to true',
    });
  }
  // One VMI at a time cannot start together: the shared start is a parallel run's.
  if (result.success && result.data.onset === 'synchronized' && result.data.execution === 'serial') {
    found.push({
      ...where(raw.origins.onset ?? raw.origins.execution ?? raw.itemOrigin),
      key: 'onset',
      message: 'synchronized starts every VMI at one instant, which needs execution: parallel (serial faults one VMI at a time); set execution to parallel, or onset to immediate',
    });
  }
  // The kernel's deadline must fit every backend (deadline-bound.ts).
  const bound = result.success ? deadlineBoundProblem(result.data) : undefined;
  if (bound) {
    found.push({ ...where(raw.origins.test_duration ?? raw.origins.expiry_grace ?? raw.itemOrigin), key: 'test_duration', message: bound });
  }
  problems.push(...inItemOrder(found));
  return found.length === 0 && result.success ? normalize(result.data) : undefined;
}

/**
 * `found` with each key's problems together, its list items in order (`ports[0]` before
 * `ports[2]`), whichever check found them (bounds first, the schema after); keys keep the order
 * of their first problem.
 */
function inItemOrder(found: readonly Problem[]): Problem[] {
  const byKey = new Map<string, Problem[]>();
  for (const p of found) {
    const base = p.key?.replace(/\[.*$/, '') ?? '';
    byKey.set(base, [...(byKey.get(base) ?? []), p]);
  }
  const item = (p: Problem): number => Number(/\[(\d+)\]/.exec(p.key ?? '')?.[1] ?? -1);
  return [...byKey.values()].flatMap((group) => [...group].sort((a, b) => item(a) - item(b)));
}

/**
 * The scenario options every scenario-taking command shares: `--scenario FILE|JSON|-`
 * (repeatable: the scenarios of several files run in the order given), one krknctl flag per
 * scenario key (krknctl's `--vmi-name` too), `-p key=value` (argo submit's spelling), and
 * `--no-env` to ignore krkn-hub environment variables. Every key taken from the environment is
 * announced on stderr, so a `NAMESPACE` left in a CI pod cannot silently pick the VMIs.
 */
import { Option, type Command } from 'commander';
import {
  keysFromEnvironment,
  loadScenarios,
  readScenarioArguments,
  SCENARIO_KEYS,
  ScenarioError,
  suggestKey,
  toParameterValues,
  type Scenario,
  type ScenarioKey,
  type ScenarioKeyName,
  type ScenarioSources,
  type Problem,
} from '../../scenario/index.js';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';

/** krknctl names the VMI regex flag so (krkn-hub's krknctl-input.json); the seed says --target. */
const VMI_NAME_FLAG = 'vmi-name';

/** The parsed-options attribute commander stores a `--kebab-case` flag under. */
export function attributeOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

const collect = (value: string, previous: readonly string[] | undefined): string[] => [...(previous ?? []), value];

/** The defaults of every key but namespace (required), as they are written in a flag. */
function defaultsForHelp(): Partial<Record<ScenarioKeyName, string>> {
  const values = toParameterValues(loadScenarios({ flags: { namespace: '.*' } })[0]!);
  const { namespace: _required, ...rest } = values;
  return rest;
}

function helpOf(k: ScenarioKey, defaults: Partial<Record<ScenarioKeyName, string>>): string {
  const value = defaults[k.key];
  const shown = value === undefined ? '' : ` (default: ${value === '' ? 'none' : value})`;
  return `${k.description}${shown} [env ${k.env}, file key ${k.key}]`;
}

/** Adds the scenario options to `command`. */
export function addScenarioOptions(command: Command): Command {
  command.option(
    '--scenario <file|json|->',
    'krkn scenario file (YAML list), inline JSON, or - for standard input; repeatable: the scenarios of every file run in the order given',
    collect,
  );
  const defaults = defaultsForHelp();
  for (const k of SCENARIO_KEYS) {
    command.addOption(new Option(`--${k.flag} <value>`, helpOf(k, defaults)));
    if (k.key === 'target') command.addOption(new Option(`--${VMI_NAME_FLAG} <value>`, "krknctl's name for --target"));
  }
  command.option('-p, --parameter <key=value>', 'set a scenario key by its scenario-file name, e.g. -p ports=53 (repeatable, as argo submit -p)', collect);
  command.option('--no-env', 'ignore krkn-hub environment variables (NAMESPACE, PORTS, …)');
  return command;
}

/** The scenario keys given as flags (`--vmi-name` counts as `--target`). @throws UsageError when both spellings disagree. */
function flagValues(options: Readonly<Record<string, unknown>>): Partial<Record<ScenarioKeyName, string>> {
  const flags: Partial<Record<ScenarioKeyName, string>> = {};
  for (const k of SCENARIO_KEYS) {
    const value = options[attributeOf(k.flag)];
    if (typeof value === 'string') flags[k.key] = value;
  }
  const vmiName = options[attributeOf(VMI_NAME_FLAG)];
  if (typeof vmiName === 'string') {
    if (flags.target !== undefined && flags.target !== vmiName) {
      throw new UsageError(`--vmi-name "${vmiName}" and --target "${flags.target}" name the same key (target); give one`);
    }
    flags.target = vmiName;
  }
  return flags;
}

/**
 * The `-p key=value` values by scenario key, and a problem per unknown key (with the loader's
 * "did you mean"), reported with the loader's problems.
 * @throws UsageError for a value without "=", a key given twice or also given as a flag.
 */
function parameterValues(
  options: Readonly<Record<string, unknown>>,
  flags: Partial<Record<ScenarioKeyName, string>>,
): { values: Partial<Record<ScenarioKeyName, string>>; problems: Problem[] } {
  const given = (options.parameter as readonly string[] | undefined) ?? [];
  const out: Partial<Record<ScenarioKeyName, string>> = {};
  const unknown: string[] = [];
  for (const text of given) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new UsageError(`-p "${text}" must be key=value, with a scenario-file key, e.g. -p ports=53`);
    const name = text.slice(0, eq).trim();
    const value = text.slice(eq + 1);
    const k = SCENARIO_KEYS.find((s) => s.key === name);
    if (k === undefined) {
      unknown.push(name);
      continue;
    }
    if (out[k.key] !== undefined) throw new UsageError(`-p ${k.key} is given twice ("${out[k.key]}", "${value}"); give it once`);
    if (flags[k.key] !== undefined) throw new UsageError(`-p ${k.key} and --${k.flag} both set ${k.key}; give one`);
    out[k.key] = value;
  }
  const problems = unknown.map((key): Problem => {
    const hint = suggestKey(key);
    return { source: '-p', key, message: `unknown key${hint ? `; did you mean "${hint}"?` : ''}` };
  });
  return { values: out, problems };
}

/** The scenario sources of the command line, and the problems found gathering them. */
export interface GatheredSources {
  readonly sources: ScenarioSources;
  /** Unknown `-p` keys: reported together with the loader's problems. */
  readonly problems: readonly Problem[];
}

/**
 * Runs `load` (which loads `gathered.sources`) and reports the gathering problems with its own.
 * @throws ScenarioError with every problem.
 */
export function loadGathered<T>(gathered: GatheredSources, load: (sources: ScenarioSources) => T): T {
  let result: T;
  try {
    result = load(gathered.sources);
  } catch (e) {
    if (e instanceof ScenarioError && gathered.problems.length > 0) throw new ScenarioError([...gathered.problems, ...e.problems]);
    throw e;
  }
  if (gathered.problems.length > 0) throw new ScenarioError(gathered.problems);
  return result;
}

/**
 * The sources the parsed options name: the `--scenario` files (standard input at most once),
 * the environment unless `--no-env`, the flags and `-p` values.
 * @throws UsageError, ScenarioFileError.
 */
export function scenarioSourcesFrom(options: Readonly<Record<string, unknown>>, io: Io): GatheredSources {
  const flags = flagValues(options);
  const { values: parameters, problems } = parameterValues(options, flags);
  const arguments_ = (options.scenario as readonly string[] | undefined) ?? [];
  if (arguments_.filter((a) => a === '-').length > 1) throw new UsageError('--scenario - reads standard input, which can be read once; give it once');
  const files = readScenarioArguments(arguments_);
  return { sources: { files, env: options.env === false ? {} : io.env, flags, parameters }, problems };
}

/** One stderr line per scenario key taken from the environment, e.g. `NAMESPACE=kube-system sets namespace (environment)`. */
export function announceEnvironment(sources: ScenarioSources, io: Io): void {
  for (const { key, env, value } of keysFromEnvironment(sources)) io.err(`${env}=${value} sets ${key} (environment)\n`);
}

/**
 * Loads the scenarios named by the parsed options, with flags and -p > env > file > defaults,
 * after announcing the keys the environment sets.
 * @throws ScenarioError with every problem; ScenarioFileError when a file cannot be read; UsageError.
 */
export function scenariosFromOptions(options: Readonly<Record<string, unknown>>, io: Io): Scenario[] {
  const gathered = scenarioSourcesFrom(options, io);
  announceEnvironment(gathered.sources, io);
  return loadGathered(gathered, loadScenarios);
}

/** The scenario options given on the command line (for the warning of commands that ignore them). */
export function givenScenarioOptions(options: Readonly<Record<string, unknown>>): string[] {
  const given: string[] = [];
  if (options.scenario !== undefined) given.push('--scenario');
  for (const k of SCENARIO_KEYS) if (options[attributeOf(k.flag)] !== undefined) given.push(`--${k.flag}`);
  if (options[attributeOf(VMI_NAME_FLAG)] !== undefined) given.push(`--${VMI_NAME_FLAG}`);
  if (options.parameter !== undefined) given.push('-p');
  return given;
}

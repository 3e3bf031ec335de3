/**
 * The scenario options every scenario-taking command shares: `--scenario FILE|JSON`, one krknctl
 * flag per scenario key, and `--no-env` to ignore krkn-hub environment variables.
 */
import { Option, type Command } from 'commander';
import { loadScenarios, readScenarioArgument, SCENARIO_KEYS, type Scenario, type ScenarioKeyName } from '../../scenario/index.js';
import type { Io } from '../../core/io.js';

export function addScenarioOptions(command: Command): Command {
  command.option('--scenario <file|json>', 'krkn scenario file (YAML list), or the scenario as inline JSON');
  for (const k of SCENARIO_KEYS) {
    command.addOption(new Option(`--${k.flag} <value>`, `${k.description} [env ${k.env}, file key ${k.key}]`));
  }
  command.option('--no-env', 'ignore krkn-hub environment variables (NAMESPACE, PORTS, …)');
  return command;
}

/**
 * Loads the scenarios named by the parsed options, with flags > env > file > defaults.
 * @throws ScenarioError with every problem; ScenarioFileError when the file cannot be read.
 */
export function scenariosFromOptions(options: Record<string, unknown>, io: Io): Scenario[] {
  const flags: Partial<Record<ScenarioKeyName, string>> = {};
  for (const k of SCENARIO_KEYS) {
    const attribute = k.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = options[attribute];
    if (typeof value === 'string') flags[k.key] = value;
  }
  const file = typeof options.scenario === 'string' ? readScenarioArgument(options.scenario) : undefined;
  return loadScenarios({ ...(file ? { file } : {}), env: options.env === false ? {} : io.env, flags });
}

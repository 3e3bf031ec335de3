/**
 * How a step reads its scenario: krkn-hub environment variables (what the generated workflows
 * set on every step container: no quoting hazards whatever the values hold), optionally on top
 * of `--scenario <file|inline JSON>`. A step runs exactly one scenario.
 */
import { loadScenarios, readScenarioArgument, ScenarioError, type Scenario } from '../scenario/index.js';
import type { Io } from '../core/io.js';

/**
 * @throws ScenarioError (exit 2) for an invalid scenario or an input with several;
 *   ScenarioFileError when the file cannot be read.
 */
export function stepScenario(scenarioArgument: string | undefined, io: Io): Scenario {
  const file = scenarioArgument === undefined ? undefined : readScenarioArgument(scenarioArgument);
  const scenarios = loadScenarios({ ...(file ? { file } : {}), env: io.env });
  if (scenarios.length !== 1) {
    throw new ScenarioError([{ source: file?.path ?? 'environment', message: `a step runs one scenario; this input holds ${scenarios.length}` }]);
  }
  return scenarios[0]!;
}

/**
 * Scenario keys as workflow parameters, shared by the Argo and Tekton renderings: one parameter
 * per key with the scenario's value (krknctl strings), so a key can be changed at submit time;
 * with several scenarios in one file the names carry the scenario number (`ports-2`).
 */
import { SCENARIO_KEYS, toParameterValues, type Scenario, type ScenarioKeyName } from '../scenario/index.js';

/** Name of the parameter of `key` for scenario `number` (1-based) of `count`. */
export function parameterName(key: string, number: number, count: number): string {
  return count === 1 ? key : `${key}-${number}`;
}

export interface ScenarioParameter {
  readonly name: string;
  readonly key: ScenarioKeyName;
  readonly value: string;
  readonly description: string;
}

/** Every key of every scenario as a parameter, in file order then key order. */
export function scenarioParameters(scenarios: readonly Scenario[]): ScenarioParameter[] {
  const count = scenarios.length;
  return scenarios.flatMap((scenario, i) => {
    const values = toParameterValues(scenario);
    return SCENARIO_KEYS.map((k) => ({
      name: parameterName(k.key, i + 1, count),
      key: k.key,
      value: values[k.key],
      description: count === 1 ? k.description : `scenario ${i + 1}: ${k.description}`,
    }));
  });
}

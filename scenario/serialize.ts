import { SCENARIO_KEYS, type ScenarioKeyName } from './keys.js';
import type { Scenario } from './schema.js';

/**
 * A scenario as krknctl/krkn-hub strings ("53,80", "true"): the form of workflow parameters,
 * step flags and environment variables. Loading these strings gives the same scenario back.
 */
export function toParameterValues(scenario: Scenario): Record<ScenarioKeyName, string> {
  const out = {} as Record<ScenarioKeyName, string>;
  for (const { key } of SCENARIO_KEYS) {
    const value: unknown = scenario[key];
    out[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

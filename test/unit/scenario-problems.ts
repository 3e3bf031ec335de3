/** The problems a rejected scenario source gives, one line each (the count line dropped). */
import { expect } from 'vitest';
import { loadScenarios, ScenarioError, type ScenarioSources } from '../../scenario/index.js';

/** The lines of the ScenarioError `sources` is rejected with; fails the test when accepted. */
export function problems(sources: ScenarioSources): string[] {
  try {
    loadScenarios(sources);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).message.split('\n').slice(0, -1);
  }
  throw new Error('expected the input to be rejected');
}

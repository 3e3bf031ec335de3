/** The scenario model: the whole public surface of scenario/. */
export { loadScenarios, keysFromEnvironment } from './load.js';
export { suggestKey } from './suggest.js';
export type { ScenarioFile, ScenarioSources } from './load.js';
export { ScenarioError, formatProblems } from './errors.js';
export type { Problem } from './errors.js';
export { SCENARIO_KEYS, SCENARIO_KEY_NAMES, SCENARIO_ID } from './keys.js';
export type { ScenarioKey, ScenarioKeyName, ValueKind } from './keys.js';
export { DEFAULT_IMAGE, KRKN_DEFAULT_IMAGE, PROTOCOLS, EXECUTIONS, ONSETS, MAX_ARM_BUDGET } from './schema.js';
export type { Scenario, Protocol, Execution, Onset } from './schema.js';
export { parseLabelSelector, matchesLabels, LabelSelectorError } from './label-selector.js';
export type { Requirement } from './label-selector.js';
export { compileKrknRegex, parseTaint, ifnameProblem, templateExpressionProblem } from './validators.js';
export type { Taint } from './validators.js';
export { toParameterValues } from './serialize.js';
export { tolerationsFor } from './tolerations.js';
export type { Toleration } from './tolerations.js';
export { readScenarioArgument, ScenarioFileError } from './argument.js';

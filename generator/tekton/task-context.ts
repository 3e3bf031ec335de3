/**
 * The data of the generic Tasks (pure): the same for every scenario, so a user can apply them
 * once and call them from any pipeline. Every scenario key is a Task param (defaults: the
 * model's, except `namespace`, which has none) that reaches the step as its krkn-hub
 * environment variable; the steps read the scenario from there, never from a command line.
 */
import { loadScenarios, SCENARIO_KEYS, toParameterValues } from '../../scenario/index.js';

/** Names of the Tasks, fixed so that pipelines can reference them. */
export const TASK_NAMES = {
  select: 'vmi-network-filter-select',
  inject: 'vmi-network-filter-inject',
  verify: 'vmi-network-filter-verify',
  rollback: 'vmi-network-filter-rollback',
  hold: 'vmi-network-filter-hold',
  report: 'vmi-network-filter-report',
} as const;

const NODE_STEPS = [
  { step: 'inject', task: TASK_NAMES.inject, displayName: 'vmi-network-filter: inject', summary: "Blocks the scenario's traffic of the VMIs of the run ledger (those of `node` when given)." },
  { step: 'verify', task: TASK_NAMES.verify, displayName: 'vmi-network-filter: verify', summary: 'Checks that the rules of this run are still in place for the VMIs of the run ledger (those of `node` when given).' },
  { step: 'rollback', task: TASK_NAMES.rollback, displayName: 'vmi-network-filter: rollback', summary: "Removes this run's rules from the VMIs of the run ledger (those of `node` when given; idempotent)." },
] as const;

/** The scenario defaults as Task param defaults (strings, like every param). */
function taskParamDefaults(): Record<string, string> {
  // namespace is required by the model; any valid value yields the other keys' defaults.
  const [defaults] = loadScenarios({ flags: { namespace: 'default' } });
  return toParameterValues(defaults!);
}

/** Template data of the Tasks. */
export function taskContext(version: string, privileged: boolean, procDiscovery: boolean) {
  const defaults = taskParamDefaults();
  return {
    version,
    privileged,
    procDiscovery,
    taskNames: TASK_NAMES,
    nodeSteps: NODE_STEPS,
    defaultImage: defaults.image,
    /** One param per scenario key; namespace has no default, as in the model. */
    taskParams: SCENARIO_KEYS.map((k) => ({
      name: k.key,
      description: k.description,
      hasDefault: k.key !== 'namespace',
      default: k.key === 'namespace' ? '' : defaults[k.key],
    })),
    /** The krkn-hub variable of each key, set from the Task param of that key. */
    env: SCENARIO_KEYS.map((k) => ({ name: k.env, param: k.key })),
  };
}

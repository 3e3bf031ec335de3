/**
 * The Workflow `submit` creates (pure apart from reading the scenario): the rendered workflow of
 * the scenario, or a small one that runs an installed WorkflowTemplate (`workflowTemplateRef`)
 * with the scenario's values as its arguments.
 */
import { loadScenarios, SCENARIO_KEYS, toParameterValues, type Scenario, type ScenarioSources } from '../scenario/index.js';
import { parameterName } from '../generator/parameters.js';
import { renderArgo } from '../generator/render.js';
import { VERSION } from '../core/version.js';
import type { ArgoParameter, ArgoWorkflow } from '../kube/argo-workflow.js';

/** What to submit. */
export interface SubmitOptions {
  /** Where the scenario comes from: files, environment, flags and `-p` values. */
  readonly sources: ScenarioSources;
  /** generateName prefix. @default 'vmi-network-filter-', or '<template>-' with fromTemplate */
  readonly name?: string;
  /** Node steps privileged (rendered workflows only). @default false */
  readonly privileged?: boolean;
  /** Node steps find launchers through the host's /proc (rendered workflows only). @default false */
  readonly procDiscovery?: boolean;
  /** Run this installed WorkflowTemplate instead of rendering the scenario. */
  readonly fromTemplate?: string;
}

/**
 * The Workflow object for `submit`.
 *
 * With `fromTemplate` the arguments are every key of the scenario file when `--scenario` is
 * given (the file describes the whole run), else only the keys set by a flag or an environment
 * variable: passing defaults would silently override the template's own values (a DNS blackout
 * template run with `--namespace prod` must stay a DNS blackout). Values are validated as usual.
 * @throws ScenarioError (exit 2) listing every problem; ScenarioFileError.
 */
export function workflowToSubmit(submit: SubmitOptions): ArgoWorkflow {
  const { sources } = submit;
  const env = sources.env ?? {};
  const flags = { ...sources.parameters, ...sources.flags };
  const hasFile = (sources.files ?? []).length > 0 || sources.file !== undefined;
  if (!submit.fromTemplate) {
    const scenarios = loadScenarios(sources);
    const rendered = renderArgo(scenarios, { kind: 'Workflow', version: VERSION, privileged: submit.privileged === true, procDiscovery: submit.procDiscovery === true, ...(submit.name ? { name: submit.name } : {}) });
    return rendered.objects[0] as ArgoWorkflow;
  }
  let parameters: ArgoParameter[];
  if (hasFile) {
    const scenarios = loadScenarios(sources);
    parameters = scenarios.flatMap((scenario, i) => allParameters(scenario, i + 1, scenarios.length));
  } else {
    const set = SCENARIO_KEYS.filter((k) => flags[k.key] !== undefined || (env[k.env] !== undefined && env[k.env] !== ''));
    // The template holds the namespace when none is given here; a stand-in lets the model check
    // every other value without making namespace required.
    const namespaceSet = set.some((k) => k.key === 'namespace');
    const scenario = loadScenarios({ ...sources, flags: { ...(namespaceSet ? {} : { namespace: '.*' }), ...sources.flags } })[0]!;
    const values = toParameterValues(scenario);
    parameters = set.map((k) => ({ name: k.key, value: values[k.key] }));
  }
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      generateName: submit.name ?? `${submit.fromTemplate}-`,
      labels: { 'app.kubernetes.io/name': 'vmi-network-filter', 'app.kubernetes.io/component': 'chaos-scenario', 'app.kubernetes.io/version': VERSION },
    },
    spec: { workflowTemplateRef: { name: submit.fromTemplate }, arguments: { parameters } },
  };
}

function allParameters(scenario: Scenario, number: number, count: number): ArgoParameter[] {
  const values = toParameterValues(scenario);
  return SCENARIO_KEYS.map((k) => ({ name: parameterName(k.key, number, count), value: values[k.key] }));
}

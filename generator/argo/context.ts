/**
 * Scenario list → the data the Argo template renders (pure). Every scenario key becomes a
 * workflow parameter, so a WorkflowTemplate can be run with `-p ports=53`; with several
 * scenarios in one file the parameters carry the scenario number (`ports-2`).
 */
import { EXECUTIONS, ONSETS, SCENARIO_KEYS, type Scenario } from '../../scenario/index.js';
import { stableName } from '../names.js';
import { parameterName, scenarioParameters } from '../parameters.js';

export type ArgoKind = 'Workflow' | 'WorkflowTemplate' | 'CronWorkflow';
export const ARGO_KINDS: readonly ArgoKind[] = ['Workflow', 'WorkflowTemplate', 'CronWorkflow'];

export interface ArgoOptions {
  /** @default 'Workflow' */
  readonly kind?: ArgoKind;
  /** Cron schedule; required for CronWorkflow, refused otherwise. */
  readonly schedule?: string;
  /** IANA time zone of the schedule (CronWorkflow `spec.timezone`). @default the controller's, UTC */
  readonly timezone?: string;
  /**
   * metadata.name (WorkflowTemplate, CronWorkflow) or generateName prefix (Workflow).
   * @default 'vmi-network-filter-' for a Workflow, 'vmi-network-filter-<hash>' otherwise
   */
  readonly name?: string;
  /**
   * Service account of the workflow pods when a scenario names none (the one `generate rbac` creates).
   * @default 'vmi-network-filter'
   */
  readonly serviceAccount?: string;
  /** Run node steps privileged instead of with NET_ADMIN and SYS_ADMIN. @default false */
  readonly privileged?: boolean;
  /** Node steps find launchers through the host's /proc (plus SYS_PTRACE), not /var/run/netns. @default false */
  readonly procDiscovery?: boolean;
  /** Version label. */
  readonly version: string;
}


export function buildArgoContext(scenarios: readonly Scenario[], options: ArgoOptions): object {
  const kind = options.kind ?? 'Workflow';
  const count = scenarios.length;
  const keys = SCENARIO_KEYS.map((k) => k.key);
  const name = options.name ?? (kind === 'Workflow' ? 'vmi-network-filter-' : stableName('vmi-network-filter', scenarios));
  const parameters = scenarioParameters(scenarios).map((p) => ({ ...p, enum: p.key === 'execution' ? EXECUTIONS : p.key === 'onset' ? ONSETS : undefined }));
  const scenarioContexts = scenarios.map((_, i) => {
    const number = i + 1;
    const param = (key: string): string => parameterName(key, number, count);
    return {
      number,
      previous: i,
      waitBefore: i === 0 ? '' : parameterName('wait_duration', i, count),
      /** Workflow parameter name of each scenario key. */
      p: Object.fromEntries(keys.map((key) => [key, param(key)])),
      /** The scenario as krkn-hub environment variables of the step containers. */
      env: SCENARIO_KEYS.map((k) => ({ name: k.env, param: param(k.key) })),
    };
  });
  return {
    kind,
    generateName: kind === 'Workflow' ? name : '',
    name,
    cron: kind === 'CronWorkflow' ? { schedule: options.schedule, timezone: options.timezone ?? '' } : false,
    version: options.version,
    scenarioCount: count,
    serviceAccountName: scenarios[0]?.service_account || (options.serviceAccount ?? 'vmi-network-filter'),
    privileged: options.privileged ?? false,
    procDiscovery: options.procDiscovery ?? false,
    parameters,
    scenarios: scenarioContexts,
    reportImageParam: parameterName('image', 1, count),
  };
}

/**
 * What select checks of the Tekton it runs under, before any fault (pure). Two settings are
 * known to break a run without a word from Tekton:
 *   - before v1.3, Tekton does not substitute `$(params.node)` in a taskRunSpecs pod template:
 *     every node step stays Pending until the run times out;
 *   - the affinity assistant's `coschedule: pipelineruns` / `isolate-pipelinerun` modes tie
 *     every pod of a run to one node: node steps pinned to another node never schedule.
 */

import { isOlderThan } from './version.js';

/** The oldest Tekton Pipelines release we support. */
export const MIN_TEKTON_VERSION = '1.3.0';

/** Why `version` (Tekton's pipelines-info) cannot run our Pipelines, or undefined. */
export function tektonVersionProblem(version: string): string | undefined {
  if (!isOlderThan(version, MIN_TEKTON_VERSION)) return undefined;
  return (
    `Tekton Pipelines ${version} is older than ${MIN_TEKTON_VERSION}: it does not substitute $(params.node) in the taskRunSpecs pod ` +
    'templates that pin inject, verify and rollback to their VMI\'s node, so those pods would stay Pending until the run times out. Upgrade Tekton Pipelines'
  );
}

/** The parts of a pod the coschedule check reads. */
export interface PodPlacement {
  readonly spec?: {
    readonly nodeName?: string;
    readonly affinity?: { readonly podAffinity?: { readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly { readonly labelSelector?: { readonly matchLabels?: Readonly<Record<string, string>> } }[] } };
  };
}

/** The label Tekton's affinity assistant pods carry (and TaskRun pods must be placed with). */
const ASSISTANT = { key: 'app.kubernetes.io/component', value: 'affinity-assistant' };

/**
 * Why the run cannot reach `targetNodes` when select's own pod (`pod`) is tied by the affinity
 * assistant to its node, or undefined (no assistant, or every target on select's node).
 */
export function coscheduleProblem(pod: PodPlacement, targetNodes: readonly string[]): string | undefined {
  const terms = pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  if (!terms.some((t) => t.labelSelector?.matchLabels?.[ASSISTANT.key] === ASSISTANT.value)) return undefined;
  const here = pod.spec?.nodeName;
  const elsewhere = [...new Set(targetNodes)].filter((n) => n !== here);
  if (elsewhere.length === 0) return undefined;
  return (
    `Tekton's affinity assistant places every pod of this run on node ${here ?? '(unknown)'} (feature flag coschedule: pipelineruns or ` +
    `isolate-pipelinerun), but selected VMIs run on ${elsewhere.join(', ')}: their inject pods could never be scheduled. ` +
    'Set coschedule to "workspaces" (the default) or "disabled" in the feature-flags ConfigMap of Tekton\'s namespace'
  );
}

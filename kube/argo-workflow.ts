/**
 * The part of an Argo `Workflow` object (argoproj.io/v1alpha1) that submit and watch read: what
 * the controller writes into `status` (node statuses, phases, outputs) and the `spec` fields we
 * set (`arguments`, `shutdown`). Plain JSON, as the API server sends it; every field optional
 * because the controller fills them in over time.
 */
import { gunzipSync } from 'node:zlib';

/** The metadata of an object as the API server returns it (Workflows, PipelineRuns, TaskRuns). */
export interface ObjectMetadata {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A name/value parameter (arguments, inputs, outputs). Values are strings in Argo. */
export interface ArgoParameter {
  readonly name: string;
  readonly value?: string;
}

/** Argo's node phases (`NodePhase`). */
export type ArgoNodePhase = 'Pending' | 'Running' | 'Succeeded' | 'Skipped' | 'Failed' | 'Error' | 'Omitted';

/** One entry of `status.nodes` (Argo's `NodeStatus`). */
export interface ArgoNode {
  readonly id: string;
  /** Unique in the tree, e.g. `wf.scenario-1.serial.vmi(0:{…}).inject`. */
  readonly name: string;
  /** Unique within a template boundary, e.g. `inject`, `vmi(0:{…})`, `inject(1)` for a retry attempt. */
  readonly displayName?: string;
  /** Pod, Retry, DAG, Steps, Suspend, TaskGroup, Skipped… */
  readonly type: string;
  readonly templateName?: string;
  readonly phase?: ArgoNodePhase;
  /** The node of the template invocation (a DAG) this node runs in. */
  readonly boundaryID?: string;
  readonly children?: readonly string[];
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly message?: string;
  readonly inputs?: { readonly parameters?: readonly ArgoParameter[] };
  readonly outputs?: { readonly parameters?: readonly ArgoParameter[]; readonly exitCode?: string };
}

/** Argo's workflow phases; the last three are final. */
export type ArgoWorkflowPhase = '' | 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';

/** A Workflow as read from the API server. */
export interface ArgoWorkflow {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMetadata;
  readonly spec?: {
    readonly arguments?: { readonly parameters?: readonly ArgoParameter[] };
    readonly workflowTemplateRef?: { readonly name: string };
    /** `Stop` (exit handlers still run) or `Terminate` (they do not; never sent by us). */
    readonly shutdown?: string;
    readonly [key: string]: unknown;
  };
  readonly status?: {
    readonly phase?: ArgoWorkflowPhase;
    readonly message?: string;
    readonly startedAt?: string;
    readonly finishedAt?: string;
    readonly nodes?: Readonly<Record<string, ArgoNode>>;
    /**
     * `status.nodes`, gzipped and base64-encoded: what the controller stores instead once the
     * Workflow passes its size limit (MAX_WORKFLOW_SIZE, 1 MiB by default).
     */
    readonly compressedNodes?: string;
  };
}

/** The status of a Workflow cannot be read (a compressedNodes that is not gzip+base64 JSON). */
export class WorkflowStatusError extends Error {}
WorkflowStatusError.prototype.name = 'WorkflowStatusError';

/**
 * The nodes of `workflow`, whether the controller keeps them in status.nodes or compressed them
 * into status.compressedNodes (Argo's packer, above MAX_WORKFLOW_SIZE).
 * @throws WorkflowStatusError when compressedNodes cannot be decoded
 */
export function workflowNodes(workflow: ArgoWorkflow): Readonly<Record<string, ArgoNode>> {
  const status = workflow.status;
  if (status?.nodes) return status.nodes;
  if (!status?.compressedNodes) return {};
  try {
    return JSON.parse(gunzipSync(Buffer.from(status.compressedNodes, 'base64')).toString('utf8')) as Record<string, ArgoNode>;
  } catch (e) {
    throw new WorkflowStatusError(`workflow ${workflow.metadata.name ?? ''}: status.compressedNodes cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

/** True once the controller has given the workflow its final phase (after the exit handler ran). */
export function isFinished(workflow: ArgoWorkflow): boolean {
  const phase = workflow.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
}

/** The value of parameter `name` in `parameters`, or undefined. */
export function parameterValue(parameters: readonly ArgoParameter[] | undefined, name: string): string | undefined {
  return parameters?.find((p) => p.name === name)?.value;
}

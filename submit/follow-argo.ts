/** Following an Argo Workflow: one watched object holds the whole run (nodes, compressed or not). */
import { isFinished, type ArgoWorkflow } from '../kube/argo-workflow.js';
import { followObject } from '../kube/object-watch.js';
import { WORKFLOW_RESOURCE, type WorkflowClient } from '../kube/workflows.js';
import { argoRunOf } from './argo-run.js';
import type { FollowedRun } from './followed-run.js';
import type { EngineRun } from './run-state.js';

/** The Workflow `name` in `namespace`. */
export function followedWorkflow(client: WorkflowClient, namespace: string, name: string): FollowedRun {
  let run: EngineRun | undefined;
  return {
    kind: 'workflow',
    words: {
      engine: 'Argo',
      stopHow: 'spec.shutdown: Stop',
      inspect: `argo get -n ${namespace} ${name}`,
      stop: `argo stop -n ${namespace} ${name}`,
      follow: `argo watch -n ${namespace} ${name}   (logs: argo logs -n ${namespace} ${name} -f)`,
    },
    current: () => run,
    async follow(signal, onChange) {
      await followObject<ArgoWorkflow>(client, {
        resource: WORKFLOW_RESOURCE,
        kind: 'workflow',
        namespace,
        name,
        signal,
        onUpdate: (workflow) => {
          run = argoRunOf(workflow);
          onChange();
          return isFinished(workflow);
        },
      });
    },
    refresh: async () => undefined,
    async requestStop() {
      await client.requestStop(namespace, name);
    },
  };
}

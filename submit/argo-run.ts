/**
 * An Argo Workflow → the EngineRun of run-state.ts (pure): read from the nodes Argo's
 * controller writes for the workflows `generate argo` emits (templates `select-N`,
 * `nodes-parallel-N`, `vmi-N`, `fan-out-N`, `exit-rollback-N`, `hold`, the `onExit` node),
 * compressed or not.
 */
import { isFinished, parameterValue, workflowNodes, type ArgoNode, type ArgoWorkflow } from '../kube/argo-workflow.js';
import { phaseOf, positiveInt, scenarioOf, stepState, type StepState } from './_node-read.js';
import { annotatedScenarioCount, stepKey, type EngineRun, type FailedStep } from './run-state.js';

/** The EngineRun of `workflow`. @throws WorkflowStatusError when compressedNodes cannot be decoded. */
export function argoRunOf(workflow: ArgoWorkflow): EngineRun {
  const nodes = Object.values(workflowNodes(workflow));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Attempts of a retried step: read through their Retry node, never counted on their own.
  const attempts = new Set(nodes.filter((n) => n.type === 'Retry').flatMap((n) => n.children ?? []));
  const steps = nodes.filter((n) => !attempts.has(n.id));
  const stepOf = (node: ArgoNode): StepState => stepState(node, byId);

  const selections = steps
    .filter((n) => scenarioOf(n.templateName, 'select') !== undefined)
    .sort(byStart)
    .map((node) => ({ scenario: scenarioOf(node.templateName, 'select')!, state: stepOf(node) }));

  // Fan-out pods by place; holds by scenario (parallel) or by VMI (serial).
  const fanOuts: Record<string, StepState> = {};
  const exitScenarios = new Set<number>();
  for (const node of steps.filter((n) => scenarioOf(n.templateName, 'fan-out') !== undefined && (n.type === 'Pod' || n.type === 'Retry'))) {
    const scenario = scenarioOf(node.templateName, 'fan-out')!;
    const input = (name: string): string => parameterValue(node.inputs?.parameters, name) ?? '';
    const record = input('record') || input('step');
    fanOuts[stepKey(scenario, record, input('node'), input('index'))] = stepOf(node);
    if (record === 'exit-rollback') exitScenarios.add(scenario);
  }
  const holds: Record<string, { state: StepState; seconds?: number }> = {};
  for (const hold of steps.filter((n) => n.templateName === 'hold')) {
    const branch = byId.get(hold.boundaryID ?? '');
    const parallel = scenarioOf(branch?.templateName, 'nodes-parallel');
    const serial = scenarioOf(branch?.templateName, 'vmi');
    const input = (name: string): string => parameterValue(branch?.inputs?.parameters, name) ?? '';
    const seconds = positiveInt(parameterValue(hold.inputs?.parameters, 'seconds'));
    const value = { state: stepOf(hold), ...(seconds === undefined ? {} : { seconds }) };
    if (parallel !== undefined) holds[stepKey(parallel, 'hold')] = value;
    else if (serial !== undefined) holds[stepKey(serial, 'hold', input('node'), input('index'))] = value;
  }

  const exitNode = nodes.find((n) => n.name.endsWith('.onExit'));
  const status = workflow.status ?? {};
  const scenarioCount = annotatedScenarioCount(workflow.metadata.annotations);
  return {
    kind: 'workflow',
    name: workflow.metadata.name ?? '',
    namespace: workflow.metadata.namespace ?? '',
    ...(workflow.metadata.uid ? { runId: workflow.metadata.uid } : {}),
    phase: status.phase || 'Pending',
    ...(status.message ? { message: status.message } : {}),
    ...(status.startedAt ? { startedAt: status.startedAt } : {}),
    ...(status.finishedAt ? { finishedAt: status.finishedAt } : {}),
    stopping: workflow.spec?.shutdown === 'Stop',
    finished: isFinished(workflow),
    parameters: Object.fromEntries((workflow.spec?.arguments?.parameters ?? []).flatMap((p) => (p.value === undefined ? [] : [[p.name, p.value]]))),
    ...(scenarioCount === undefined ? {} : { scenarioCount }),
    selections,
    fanOuts,
    holds,
    exit: { phase: exitNode ? stepOf(exitNode).phase : 'pending', rollbackScenarios: [...exitScenarios].sort((a, b) => a - b) },
    failedSteps: failedPods(steps, byId),
  };
}

/** Pods (and retried pods) that failed: select's, or a fan-out's, with its node or VMI. */
function failedPods(steps: readonly ArgoNode[], byId: ReadonlyMap<string, ArgoNode>): FailedStep[] {
  return steps
    .filter((n) => (n.type === 'Pod' || n.type === 'Retry') && phaseOf(n.phase) === 'failed')
    .map((n) => {
      const state = stepState(n, byId);
      const step = scenarioOf(n.templateName, 'select') !== undefined ? 'select' : (parameterValue(n.inputs?.parameters, 'step') ?? n.displayName ?? n.name);
      const node = parameterValue(n.inputs?.parameters, 'node');
      const vmi = parameterValue(byId.get(n.boundaryID ?? '')?.inputs?.parameters, 'vmi');
      const where = vmi ? {} : node ? { message: `on node ${node}: ${state.message ?? n.phase}` } : {};
      return { step, ...(vmi ? { vmi } : {}), message: state.message ?? `${n.type} node ${n.displayName ?? n.name} ${n.phase}`, ...where, at: n.finishedAt ?? '' };
    });
}

function byStart(a: ArgoNode, b: ArgoNode): number {
  return (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.name.localeCompare(b.name);
}

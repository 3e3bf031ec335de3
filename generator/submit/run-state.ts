/**
 * Workflow object → the run in this scenario's words (pure): per selected VMI the phases
 * selected → injected (rules, backend) → holding → verified → rolled back, and the exit
 * handler's state. Everything is read from what Argo's controller writes into `status.nodes`
 * for the workflows `generate argo` emits (templates `select-N`, `vmi-N`, `node-step-N`,
 * `rollback-all-N`, the `onExit` node), so it works the same for a Workflow created from a
 * WorkflowTemplate.
 */
import { isFinished, parameterValue, workflowNodes, type ArgoNode, type ArgoWorkflow, type ArgoWorkflowPhase } from './argo-workflow.js';
import { outputOf, parseTarget, parseTargets, phaseOf, positiveInt, scenarioOf, stepState, type Target } from './_node-read.js';

/** The four steps of a VMI's branch, in order. */
export const VMI_STEPS = ['inject', 'hold', 'verify', 'rollback'] as const;
/** One of VMI_STEPS. */
export type VmiStep = (typeof VMI_STEPS)[number];

/** A step's phase: Argo's Pending and Running are both `running` (the step has begun). */
export type StepPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** What one step node says. */
export interface StepState {
  readonly phase: StepPhase;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The step's own error (its result's `error`), else Argo's node message. */
  readonly message?: string;
  /** The step's result JSON (output parameter `result`), when it wrote one. */
  readonly result?: Readonly<Record<string, unknown>>;
}

/** Where a VMI stands, derived from its steps. */
export type VmiStage =
  | 'selected'
  | 'injecting'
  | 'injected'
  | 'holding'
  | 'verifying'
  | 'verified'
  | 'inject-failed'
  | 'verify-failed'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed';

/** One selected VMI of one scenario. */
export interface VmiState {
  /** `<scenario>/<namespace>/<name>`: unique in a run. */
  readonly key: string;
  readonly scenario: number;
  readonly namespace: string;
  readonly name: string;
  readonly node?: string;
  readonly binding?: string;
  /** The VMI's own branch: inject, hold, verify, rollback. */
  readonly steps: Readonly<Record<VmiStep, StepState>>;
  /** The exit handler's rollback of this VMI. */
  readonly exitRollback: StepState;
  /** Seconds the fault is held (the hold step's input, else the workflow's test_duration). */
  readonly holdSeconds?: number;
  readonly stage: VmiStage;
  /** A rollback step (the branch's or the exit handler's) succeeded after the last inject. */
  readonly rollbackConfirmed: boolean;
}

/** The exit handler (`onExit`: rollback of every selected VMI, then report). */
export interface ExitHandlerState {
  readonly phase: StepPhase;
  readonly rollbacksDone: number;
  readonly rollbacks: number;
}

/** The first thing that went wrong, in the order it happened. */
export interface RunFailure {
  /** `select`, a VMI step, or `workflow`. */
  readonly step: string;
  /** `namespace/name` for a VMI step. */
  readonly vmi?: string;
  readonly message: string;
}

/** The whole run as the watcher shows and reports it. */
export interface RunState {
  readonly name: string;
  readonly namespace: string;
  /** Argo's phase; Pending until the controller has written one. */
  readonly phase: Exclude<ArgoWorkflowPhase, ''>;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** spec.shutdown is Stop: a stop was requested (by us or `argo stop`). */
  readonly stopping: boolean;
  /** Per scenario: its select step and how many VMIs it chose. */
  readonly selections: readonly { readonly scenario: number; readonly phase: StepPhase; readonly selected?: number; readonly message?: string }[];
  readonly vmis: readonly VmiState[];
  readonly exitHandler: ExitHandlerState;
  /** The workflow has its final phase. */
  readonly finished: boolean;
  readonly failure?: RunFailure;
}

const PENDING: StepState = { phase: 'pending' };

/** The run state of `workflow` (pure; the same object always gives the same state). */
export function runStateOf(workflow: ArgoWorkflow): RunState {
  const nodes = Object.values(workflowNodes(workflow));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Attempts of a retried step: read through their Retry node, never counted on their own.
  const attempts = new Set(nodes.filter((n) => n.type === 'Retry').flatMap((n) => n.children ?? []));
  const steps = nodes.filter((n) => !attempts.has(n.id));
  const stepOf = (node: ArgoNode): StepState => stepState(node, byId);

  const vmis = new Map<string, { scenario: number; target: Target; steps: Partial<Record<VmiStep, StepState>>; exit?: StepState; hold?: number }>();
  const entry = (scenario: number, target: Target) => {
    const key = `${scenario}/${target.namespace}/${target.name}`;
    let e = vmis.get(key);
    if (!e) vmis.set(key, (e = { scenario, target, steps: {} }));
    return e;
  };

  const selections: RunState['selections'][number][] = [];
  for (const node of steps.filter((n) => scenarioOf(n.templateName, 'select') !== undefined).sort(byStart)) {
    const scenario = scenarioOf(node.templateName, 'select')!;
    const state = stepOf(node);
    const targets = parseTargets(outputOf(node, byId, 'targets'));
    for (const target of targets ?? []) entry(scenario, target);
    selections.push({ scenario, phase: state.phase, ...(targets ? { selected: targets.length } : {}), ...(state.message ? { message: state.message } : {}) });
  }

  for (const branch of steps.filter((n) => scenarioOf(n.templateName, 'vmi') !== undefined && n.type === 'DAG')) {
    const target = parseTarget(parameterValue(branch.inputs?.parameters, 'vmi'));
    if (!target) continue;
    const e = entry(scenarioOf(branch.templateName, 'vmi')!, target);
    for (const node of steps.filter((n) => n.boundaryID === branch.id)) {
      const step = VMI_STEPS.find((s) => s === node.displayName);
      if (!step) continue;
      e.steps[step] = stepOf(node);
      if (step === 'hold') e.hold = positiveInt(parameterValue(node.inputs?.parameters, 'seconds')) ?? e.hold;
    }
  }

  const exitNode = nodes.find((n) => n.name.endsWith('.onExit'));
  // The exit handler's rollbacks: node steps whose boundary is an `exit-rollback-N` Steps
  // template (or, in workflows of earlier versions, `cleanup` itself).
  const inExitHandler = (template: string | undefined): boolean => template === 'cleanup' || scenarioOf(template, 'exit-rollback') !== undefined;
  const exitRollbacks = steps.filter(
    (n) => scenarioOf(n.templateName, 'node-step') !== undefined && parameterValue(n.inputs?.parameters, 'step') === 'rollback' && inExitHandler(byId.get(n.boundaryID ?? '')?.templateName),
  );
  for (const node of exitRollbacks) {
    const target = parseTarget(parameterValue(node.inputs?.parameters, 'vmi'));
    if (target) entry(scenarioOf(node.templateName, 'node-step')!, target).exit = stepOf(node);
  }

  const parameters = workflow.spec?.arguments?.parameters;
  const scenarioCount = new Set(selections.map((s) => s.scenario)).size;
  const vmiStates = [...vmis.entries()].map(([key, e]): VmiState => {
    const holdSeconds = e.hold ?? positiveInt(parameterValue(parameters, scenarioCount > 1 ? `test_duration-${e.scenario}` : 'test_duration')) ?? positiveInt(parameterValue(parameters, 'test_duration'));
    const stepStates = Object.fromEntries(VMI_STEPS.map((s) => [s, e.steps[s] ?? PENDING])) as Record<VmiStep, StepState>;
    const exitRollback = e.exit ?? PENDING;
    const rollbackConfirmed = [stepStates.rollback, exitRollback].some((s) => s.phase === 'succeeded' && s.result?.ok !== false);
    return {
      key,
      scenario: e.scenario,
      namespace: e.target.namespace,
      name: e.target.name,
      ...(e.target.node ? { node: e.target.node } : {}),
      ...(e.target.binding ? { binding: e.target.binding } : {}),
      steps: stepStates,
      exitRollback,
      ...(holdSeconds === undefined ? {} : { holdSeconds }),
      stage: stageOf(stepStates, exitRollback, rollbackConfirmed),
      rollbackConfirmed,
    };
  });

  const exitPhase = exitNode ? stepOf(exitNode).phase : 'pending';
  const status = workflow.status ?? {};
  const base = {
    name: workflow.metadata.name ?? '',
    namespace: workflow.metadata.namespace ?? '',
    phase: status.phase || 'Pending',
    ...(status.message ? { message: status.message } : {}),
    ...(status.startedAt ? { startedAt: status.startedAt } : {}),
    ...(status.finishedAt ? { finishedAt: status.finishedAt } : {}),
    stopping: workflow.spec?.shutdown === 'Stop',
    selections,
    vmis: vmiStates,
    exitHandler: { phase: exitPhase, rollbacks: exitRollbacks.length, rollbacksDone: exitRollbacks.filter((n) => stepOf(n).phase === 'succeeded').length },
    finished: isFinished(workflow),
  };
  const failure = firstFailure(steps, byId, base);
  return failure ? { ...base, failure } : base;
}


function stageOf(steps: Record<VmiStep, StepState>, exit: StepState, confirmed: boolean): VmiStage {
  const { inject, hold, verify, rollback } = steps;
  if (confirmed) return 'rolled-back';
  if (rollback.phase === 'running' || exit.phase === 'running') return 'rolling-back';
  // Not confirmed yet: the exit handler retries a failed branch rollback, but until then it is failed.
  if (rollback.phase === 'failed' || exit.phase === 'failed') return 'rollback-failed';
  if (inject.phase === 'failed') return 'inject-failed';
  if (verify.phase === 'failed') return 'verify-failed';
  if (verify.phase === 'succeeded') return 'verified';
  if (verify.phase === 'running' || hold.phase === 'succeeded') return 'verifying';
  if (hold.phase === 'running') return 'holding';
  if (inject.phase === 'succeeded') return 'injected';
  if (inject.phase === 'running') return 'injecting';
  return 'selected';
}

function firstFailure(steps: readonly ArgoNode[], byId: ReadonlyMap<string, ArgoNode>, run: Omit<RunState, 'failure'>): RunFailure | undefined {
  const failed = steps
    .filter((n) => n.type === 'Pod' || n.type === 'Retry')
    .filter((n) => phaseOf(n.phase) === 'failed')
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.name.localeCompare(b.name));
  const first = failed[0];
  if (first) {
    const state = stepState(first, byId);
    const step = scenarioOf(first.templateName, 'select') !== undefined ? 'select' : (parameterValue(first.inputs?.parameters, 'step') ?? first.displayName ?? first.name);
    const target = parseTarget(parameterValue(first.inputs?.parameters, 'vmi'));
    const vmi = target ? `${target.namespace}/${target.name}` : undefined;
    return { step, ...(vmi ? { vmi } : {}), message: state.message ?? `${first.type} node ${first.displayName ?? first.name} ${first.phase}` };
  }
  if (run.finished && run.phase !== 'Succeeded') return { step: 'workflow', message: run.message ?? `workflow ${run.phase}` };
  const unconfirmed = run.finished ? run.vmis.find((v) => !v.rollbackConfirmed) : undefined;
  if (unconfirmed) return { step: 'rollback', vmi: `${unconfirmed.namespace}/${unconfirmed.name}`, message: 'no rollback of this VMI was confirmed' };
  return undefined;
}

function byStart(a: ArgoNode, b: ArgoNode): number {
  return (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.name.localeCompare(b.name);
}


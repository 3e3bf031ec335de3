/**
 * Workflow object and run ledger → the run in this scenario's words (pure): per selected VMI the
 * phases selected → injected (rules, backend) → holding → verified → rolled back, and the exit
 * handler's state. The VMIs and each step's outcome come from the run ledger (ConfigMaps, the
 * same at any fleet size); what runs now and when comes from the nodes Argo's controller writes
 * for the workflows `generate argo` emits (templates `select-N`, `nodes-parallel-N`, `vmi-N`,
 * `fan-out-N`, `exit-rollback-N`, `hold`, the `onExit` node), compressed or not. A fan-out is one
 * pod for all of a scenario's nodes (parallel, exit handler) or for one VMI (a serial round);
 * the node pods it creates are not in the Workflow: each VMI's outcome is its ledger record.
 */
import { isFinished, parameterValue, workflowNodes, type ArgoNode, type ArgoWorkflow, type ArgoWorkflowPhase } from '../kube/argo-workflow.js';
import type { LedgerIndex, LedgerRecord, NodeLedger, RecordName } from '../kube/index.js';
import { phaseOf, positiveInt, scenarioOf, stepState, type StepPhase, type StepState } from './_node-read.js';

export type { StepPhase, StepState } from './_node-read.js';

/** The four steps of a VMI's branch, in order. */
export const VMI_STEPS = ['inject', 'hold', 'verify', 'rollback'] as const;
/** One of VMI_STEPS. */
export type VmiStep = (typeof VMI_STEPS)[number];

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
  /** VMIs the exit handler restored (their exit-rollback record is ok). */
  readonly rollbacksDone: number;
  /** VMIs the exit handler has started to roll back. */
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

/** What the run ledger holds of a run (kube/ledger.ts), for the watcher. */
export interface LedgerView {
  readonly indexes: readonly LedgerIndex[];
  readonly nodes: readonly NodeLedger[];
}

/** A run whose ledger was not (or could not be) read. */
export const NO_LEDGER: LedgerView = { indexes: [], nodes: [] };

/** A fan-out pod's place: scenario, ledger record, node and the VMI's index ('' and '': every node). */
const podKey = (scenario: number, record: string, node: string, index: string): string => `${scenario}|${record}|${node}|${index}`;

/**
 * The run state of `workflow` and its run ledger (pure; the same input always gives the same
 * state). The ledger says which VMIs were selected and what each step did to each of them; the
 * Workflow's nodes say what runs now (pods pending or running, the holds, the exit handler), what
 * failed without writing a record (a pod that timed out), and when each pod ran.
 */
export function runStateOf(workflow: ArgoWorkflow, ledger: LedgerView = NO_LEDGER): RunState {
  const nodes = Object.values(workflowNodes(workflow));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Attempts of a retried step: read through their Retry node, never counted on their own.
  const attempts = new Set(nodes.filter((n) => n.type === 'Retry').flatMap((n) => n.children ?? []));
  const steps = nodes.filter((n) => !attempts.has(n.id));
  const stepOf = (node: ArgoNode): StepState => stepState(node, byId);

  const selections: RunState['selections'][number][] = [];
  for (const node of steps.filter((n) => scenarioOf(n.templateName, 'select') !== undefined).sort(byStart)) {
    const scenario = scenarioOf(node.templateName, 'select')!;
    const state = stepOf(node);
    const index = ledger.indexes.find((i) => i.scenario === scenario);
    selections.push({ scenario, phase: state.phase, ...(index ? { selected: index.targets } : {}), ...(state.message ? { message: state.message } : {}) });
  }

  // Fan-out pods by place; holds by scenario (parallel) or by VMI (serial).
  const pods = new Map<string, ArgoNode>();
  const exitRollbacks: ArgoNode[] = [];
  for (const node of steps.filter((n) => scenarioOf(n.templateName, 'fan-out') !== undefined && (n.type === 'Pod' || n.type === 'Retry'))) {
    const scenario = scenarioOf(node.templateName, 'fan-out')!;
    const input = (name: string): string => parameterValue(node.inputs?.parameters, name) ?? '';
    const record = input('record') || input('step');
    pods.set(podKey(scenario, record, input('node'), input('index')), node);
    if (record === 'exit-rollback') exitRollbacks.push(node);
  }
  const holds = new Map<string, ArgoNode>();
  for (const hold of steps.filter((n) => n.templateName === 'hold')) {
    const branch = byId.get(hold.boundaryID ?? '');
    const parallel = scenarioOf(branch?.templateName, 'nodes-parallel');
    const serial = scenarioOf(branch?.templateName, 'vmi');
    const input = (name: string): string => parameterValue(branch?.inputs?.parameters, name) ?? '';
    if (parallel !== undefined) holds.set(`${parallel}`, hold);
    else if (serial !== undefined) holds.set(podKey(serial, 'hold', input('node'), input('index')), hold);
  }

  const parameters = workflow.spec?.arguments?.parameters;
  const scenarioCount = Math.max(1, ledger.indexes.length, selections.length);
  const vmis: VmiState[] = [];
  for (const part of [...ledger.nodes].sort((a, b) => a.scenario - b.scenario || a.node.localeCompare(b.node))) {
    part.targets.forEach((target, i) => {
      const records = part.records[i] ?? {};
      const state = (record: RecordName): StepState => {
        const pod = pods.get(podKey(part.scenario, record, part.node, String(i))) ?? pods.get(podKey(part.scenario, record, '', ''));
        return combine(pod ? stepOf(pod) : PENDING, records[record]);
      };
      const holdNode = holds.get(podKey(part.scenario, 'hold', part.node, String(i))) ?? holds.get(`${part.scenario}`);
      const hold = holdNode ? stepOf(holdNode) : PENDING;
      const stepStates: Record<VmiStep, StepState> = { inject: state('inject'), hold, verify: state('verify'), rollback: state('rollback') };
      const exitRollback = state('exit-rollback');
      const holdSeconds =
        positiveInt(parameterValue(holdNode?.inputs?.parameters, 'seconds')) ??
        positiveInt(parameterValue(parameters, scenarioCount > 1 ? `test_duration-${part.scenario}` : 'test_duration')) ??
        positiveInt(parameterValue(parameters, 'test_duration'));
      const rollbackConfirmed = records.rollback?.ok === true || records['exit-rollback']?.ok === true;
      vmis.push({
        key: `${part.scenario}/${target.namespace}/${target.name}`,
        scenario: part.scenario,
        namespace: target.namespace,
        name: target.name,
        node: target.node,
        binding: target.binding,
        steps: stepStates,
        exitRollback,
        ...(holdSeconds === undefined ? {} : { holdSeconds }),
        stage: stageOf(stepStates, exitRollback, rollbackConfirmed),
        rollbackConfirmed,
      });
    });
  }

  const exitNode = nodes.find((n) => n.name.endsWith('.onExit'));
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
    vmis,
    // Counted in VMIs: those of the scenarios whose exit fan-out started, and those it restored.
    exitHandler: {
      phase: exitPhase,
      rollbacks: vmis.filter((v) => exitRollbacks.some((n) => scenarioOf(n.templateName, 'fan-out') === v.scenario)).length,
      rollbacksDone: vmis.filter((v) => v.exitRollback.phase === 'succeeded').length,
    },
    finished: isFinished(workflow),
  };
  const failure = firstFailure(steps, byId, base);
  return failure ? { ...base, failure } : base;
}

/**
 * A VMI's step: its ledger record when the pod wrote one (the pod's phase is the node's, the
 * record the VMI's own; the times are the pod's, as Argo shows them), else what the pod's node
 * says (running, or failed before recording).
 */
function combine(pod: StepState, record: LedgerRecord | undefined): StepState {
  if (!record) return pod;
  return {
    phase: record.ok ? 'succeeded' : 'failed',
    ...(pod.startedAt ? { startedAt: pod.startedAt } : {}),
    finishedAt: pod.finishedAt ?? record.at,
    ...(record.ok ? {} : { message: record.detail }),
    result: { ok: record.ok, detail: record.detail, ...(record.data ?? {}) },
  };
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
  // A VMI's own failed step first (the ledger's words), then a pod that failed without one.
  const vmiFailures = run.vmis.flatMap((v) =>
    [...(['inject', 'verify', 'rollback'] as const).map((s) => [s, v.steps[s]] as const), ['rollback', v.exitRollback] as const]
      .filter(([, state]) => state.phase === 'failed')
      .map(([step, state]) => ({ step, vmi: `${v.namespace}/${v.name}`, message: state.message ?? `${step} failed`, at: state.finishedAt ?? '' })),
  );
  const podFailures = steps
    .filter((n) => (n.type === 'Pod' || n.type === 'Retry') && phaseOf(n.phase) === 'failed')
    .map((n) => {
      const state = stepState(n, byId);
      const step = scenarioOf(n.templateName, 'select') !== undefined ? 'select' : (parameterValue(n.inputs?.parameters, 'step') ?? n.displayName ?? n.name);
      const node = parameterValue(n.inputs?.parameters, 'node');
      const vmi = parameterValue(byId.get(n.boundaryID ?? '')?.inputs?.parameters, 'vmi');
      const where = vmi ? {} : node ? { message: `on node ${node}: ${state.message ?? n.phase}` } : {};
      return { step, ...(vmi ? { vmi } : {}), message: state.message ?? `${n.type} node ${n.displayName ?? n.name} ${n.phase}`, ...where, at: n.finishedAt ?? '' };
    });
  const first = [...vmiFailures, ...podFailures].sort((a, b) => a.at.localeCompare(b.at))[0];
  if (first) {
    const { at: _at, ...failure } = first;
    return failure;
  }
  if (run.finished && run.phase !== 'Succeeded') return { step: 'workflow', message: run.message ?? `workflow ${run.phase}` };
  const unconfirmed = run.finished ? run.vmis.find((v) => !v.rollbackConfirmed) : undefined;
  if (unconfirmed) return { step: 'rollback', vmi: `${unconfirmed.namespace}/${unconfirmed.name}`, message: 'no rollback of this VMI was confirmed' };
  return undefined;
}

function byStart(a: ArgoNode, b: ArgoNode): number {
  return (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.name.localeCompare(b.name);
}


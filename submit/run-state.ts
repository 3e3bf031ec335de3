/**
 * The run ledger and what an engine says of its run (submit/argo-run.ts, submit/tekton-run.ts)
 * → the run in this scenario's words (pure): per selected VMI the phases selected → injected
 * (rules, backend) → holding → verified → rolled back, and the exit handler's state (Argo's
 * `onExit`, Tekton's `finally`). The VMIs and each step's outcome come from the run ledger
 * (ConfigMaps, the same at any fleet size and for both engines); what runs now and when comes
 * from the engine's steps: a fan-out is one pod for all of a scenario's nodes (parallel, exit
 * handler) or for one VMI (a serial round); the node pods it creates are not the engine's: each
 * VMI's outcome is its ledger record.
 */
import type { LedgerIndex, LedgerRecord, NodeLedger, RecordName } from '../kube/index.js';
import { positiveInt, type StepPhase, type StepState } from './_node-read.js';

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

/**
 * The number of scenarios the generator recorded on a run (annotation
 * `vmi-network-filter/scenarios`: it decides the parameter names), or undefined.
 */
export function annotatedScenarioCount(annotations: Readonly<Record<string, string>> | undefined): number | undefined {
  const count = Number(annotations?.['vmi-network-filter/scenarios']);
  return Number.isInteger(count) && count > 0 ? count : undefined;
}

/** What the engine calls a run. */
export type RunKind = 'workflow' | 'PipelineRun';

/** What rolls every VMI back at the end, in the engine's words: Argo's exit handler, Tekton's finally. */
export function exitHandlerName(kind: RunKind): string {
  return kind === 'PipelineRun' ? 'finally' : 'exit handler';
}

/** A run's phase: Argo's, which Tekton's `Succeeded` condition maps onto. */
export type RunPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';

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
  /** What the engine calls the run, in messages: `workflow` (Argo), `PipelineRun` (Tekton). */
  readonly kind: RunKind;
  readonly name: string;
  readonly namespace: string;
  /** The engine's phase, in Argo's words (Tekton's condition mapped); Pending until it has one. */
  readonly phase: RunPhase;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** A stop was requested (by us, `argo stop`, `tkn pipelinerun cancel`). */
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

/** A step's place: scenario, ledger record, node and the VMI's index ('' and '': every node). */
export const stepKey = (scenario: number, record: string, node = '', index = ''): string => `${scenario}|${record}|${node}|${index}`;

/** An engine step that failed, with what it was for. */
export interface FailedStep {
  /** `select`, `inject`, `verify`, `rollback`, or the engine's name of the step. */
  readonly step: string;
  /** `namespace/name` of a step for one VMI. */
  readonly vmi?: string;
  readonly message: string;
  /** When it ended: failures are reported in order. */
  readonly at: string;
}

/**
 * What an engine says of its run, in this tool's terms: what an engine reader derives from its
 * objects (a Workflow's nodes; a PipelineRun and its TaskRuns), the input of runStateOf.
 */
export interface EngineRun {
  readonly kind: RunKind;
  readonly name: string;
  readonly namespace: string;
  /** Names the run ledger: the Workflow's or PipelineRun's uid (absent until the server set it). */
  readonly runId?: string;
  readonly phase: RunPhase;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly stopping: boolean;
  /** The run has its final phase (after the exit handler or finally). */
  readonly finished: boolean;
  /** The run's parameters (`ports`, `ports-2`, …), as strings. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Scenarios in the run, when the generator recorded it (it decides the parameter names). */
  readonly scenarioCount?: number;
  /** Each scenario's select step. */
  readonly selections: readonly { readonly scenario: number; readonly state: StepState }[];
  /** Fan-out steps by stepKey(scenario, record, node, index): node and index '' for every node. */
  readonly fanOuts: Readonly<Record<string, StepState>>;
  /** Holds by stepKey(scenario, 'hold') (parallel) or stepKey(scenario, 'hold', node, index) (a serial round). */
  readonly holds: Readonly<Record<string, { readonly state: StepState; readonly seconds?: number }>>;
  /** The exit handler or finally: its phase, and the scenarios whose exit rollback started. */
  readonly exit: { readonly phase: StepPhase; readonly rollbackScenarios: readonly number[] };
  /** Engine steps that failed (a pod or TaskRun), whether or not they wrote a ledger record. */
  readonly failedSteps: readonly FailedStep[];
}

/**
 * The run state of an engine's run and its run ledger (pure; the same input always gives the
 * same state). The ledger says which VMIs were selected and what each step did to each of them;
 * the engine's steps say what runs now (pods pending or running, the holds, the exit handler),
 * what failed without writing a record (a pod that timed out), and when each step ran.
 */
export function runStateOf(run: EngineRun, ledger: LedgerView = NO_LEDGER): RunState {
  const selections = run.selections.map(({ scenario, state }) => {
    const index = ledger.indexes.find((i) => i.scenario === scenario);
    return { scenario, phase: state.phase, ...(index ? { selected: index.targets } : {}), ...(state.message ? { message: state.message } : {}) };
  });
  const scenarioCount = run.scenarioCount ?? Math.max(1, ledger.indexes.length, selections.length);
  const vmis: VmiState[] = [];
  for (const part of [...ledger.nodes].sort((a, b) => a.scenario - b.scenario || a.node.localeCompare(b.node))) {
    part.targets.forEach((target, i) => {
      const records = part.records[i] ?? {};
      const state = (record: RecordName): StepState => {
        const step = run.fanOuts[stepKey(part.scenario, record, part.node, String(i))] ?? run.fanOuts[stepKey(part.scenario, record)];
        return combine(step ?? PENDING, records[record]);
      };
      const hold = run.holds[stepKey(part.scenario, 'hold', part.node, String(i))] ?? run.holds[stepKey(part.scenario, 'hold')];
      const stepStates: Record<VmiStep, StepState> = { inject: state('inject'), hold: hold?.state ?? PENDING, verify: state('verify'), rollback: state('rollback') };
      const exitRollback = state('exit-rollback');
      const holdSeconds =
        hold?.seconds ?? positiveInt(run.parameters[scenarioCount > 1 ? `test_duration-${part.scenario}` : 'test_duration']) ?? positiveInt(run.parameters.test_duration);
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

  const base = {
    kind: run.kind,
    name: run.name,
    namespace: run.namespace,
    phase: run.phase,
    ...(run.message ? { message: run.message } : {}),
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    stopping: run.stopping,
    selections,
    vmis,
    // Counted in VMIs: those of the scenarios whose exit rollback started, and those it restored.
    exitHandler: {
      phase: run.exit.phase,
      rollbacks: vmis.filter((v) => run.exit.rollbackScenarios.includes(v.scenario)).length,
      rollbacksDone: vmis.filter((v) => v.exitRollback.phase === 'succeeded').length,
    },
    finished: run.finished,
  };
  const failure = firstFailure(run.failedSteps, base);
  return failure ? { ...base, failure } : base;
}

/**
 * A VMI's step: its ledger record when the pod wrote one (the pod's phase is the engine step's,
 * the record the VMI's own; the times are the step's, as the engine shows them), else what the
 * engine's step says (running, or failed before recording).
 */
function combine(step: StepState, record: LedgerRecord | undefined): StepState {
  if (!record) return step;
  return {
    phase: record.ok ? 'succeeded' : 'failed',
    ...(step.startedAt ? { startedAt: step.startedAt } : {}),
    finishedAt: step.finishedAt ?? record.at,
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

function firstFailure(failedSteps: readonly FailedStep[], run: Omit<RunState, 'failure'>): RunFailure | undefined {
  // A VMI's own failed step first (the ledger's words), then an engine step that failed without one.
  const vmiFailures = run.vmis.flatMap((v) =>
    [...(['inject', 'verify', 'rollback'] as const).map((s) => [s, v.steps[s]] as const), ['rollback', v.exitRollback] as const]
      .filter(([, state]) => state.phase === 'failed')
      .map(([step, state]) => ({ step, vmi: `${v.namespace}/${v.name}`, message: state.message ?? `${step} failed`, at: state.finishedAt ?? '' })),
  );
  const first = [...vmiFailures, ...failedSteps].sort((a, b) => a.at.localeCompare(b.at))[0];
  if (first) {
    const { at: _at, ...failure } = first;
    return failure;
  }
  if (run.finished && run.phase !== 'Succeeded') return { step: 'workflow', message: run.message ?? `${run.kind} ${run.phase}` };
  const unconfirmed = run.finished ? run.vmis.find((v) => !v.rollbackConfirmed) : undefined;
  if (unconfirmed) return { step: 'rollback', vmi: `${unconfirmed.namespace}/${unconfirmed.name}`, message: 'no rollback of this VMI was confirmed' };
  return undefined;
}

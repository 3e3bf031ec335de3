/**
 * What changed between two run states, as events (pure): the non-TTY view prints one JSON line
 * per event, so a CI log shows each transition once, never the whole state again.
 */
import { ruleCount } from './_node-read.js';
import { VMI_STEPS, type RunState, type StepPhase, type VmiState, type VmiStep } from './run-state.js';

/** The run's phase, stop request or exit handler changed. */
export interface WorkflowEvent {
  readonly event: 'workflow';
  /** `workflow` (Argo) or `PipelineRun` (Tekton). */
  readonly kind: RunState['kind'];
  /** The run's name. */
  readonly workflow: string;
  readonly namespace: string;
  readonly phase: string;
  readonly stopping: boolean;
  readonly exitHandler: RunState['exitHandler'];
  readonly message?: string;
}

/** A scenario's select step changed. */
export interface SelectEvent {
  readonly event: 'select';
  readonly scenario: number;
  readonly phase: StepPhase;
  readonly selected?: number;
  readonly message?: string;
}

/** A VMI's stage or one of its steps changed. */
export interface VmiEvent {
  readonly event: 'vmi';
  readonly scenario: number;
  readonly vmi: string;
  readonly node?: string;
  readonly stage: VmiState['stage'];
  readonly steps: Readonly<Record<VmiStep | 'exitRollback', StepPhase>>;
  /** Rules and backend, once inject reported them. */
  readonly rules?: number;
  readonly backend?: string;
  readonly holdSeconds?: number;
  /** The message of a failed step. */
  readonly message?: string;
}

/** One line of the non-TTY view. */
export type RunEvent = WorkflowEvent | SelectEvent | VmiEvent;

/** The events that turn `previous` (undefined: nothing seen yet) into `next`. */
export function stateChanges(previous: RunState | undefined, next: RunState): RunEvent[] {
  const events: RunEvent[] = [];
  const workflow = workflowEvent(next);
  if (!previous || JSON.stringify(workflowEvent(previous)) !== JSON.stringify(workflow)) events.push(workflow);
  for (const s of next.selections) {
    const event: SelectEvent = { event: 'select', ...s };
    const before = previous?.selections.find((p) => p.scenario === s.scenario);
    if (!before || JSON.stringify({ event: 'select', ...before }) !== JSON.stringify(event)) events.push(event);
  }
  for (const v of next.vmis) {
    const event = vmiEvent(v);
    const before = previous?.vmis.find((p) => p.key === v.key);
    if (!before || JSON.stringify(vmiEvent(before)) !== JSON.stringify(event)) events.push(event);
  }
  return events;
}

function workflowEvent(s: RunState): WorkflowEvent {
  return { event: 'workflow', kind: s.kind, workflow: s.name, namespace: s.namespace, phase: s.phase, stopping: s.stopping, exitHandler: s.exitHandler, ...(s.message ? { message: s.message } : {}) };
}

function vmiEvent(v: VmiState): VmiEvent {
  const steps = Object.fromEntries([...VMI_STEPS.map((s) => [s, v.steps[s].phase] as const), ['exitRollback', v.exitRollback.phase] as const]) as VmiEvent['steps'];
  const inject = v.steps.inject.result;
  const failed = [...VMI_STEPS.map((s) => v.steps[s]), v.exitRollback].find((s) => s.phase === 'failed');
  return {
    event: 'vmi',
    scenario: v.scenario,
    vmi: `${v.namespace}/${v.name}`,
    ...(v.node ? { node: v.node } : {}),
    stage: v.stage,
    steps,
    ...(ruleCount(inject) === undefined ? {} : { rules: ruleCount(inject)! }),
    ...(typeof inject?.backend === 'string' ? { backend: inject.backend } : {}),
    ...(v.holdSeconds === undefined ? {} : { holdSeconds: v.holdSeconds }),
    ...(failed?.message ? { message: failed.message } : {}),
  };
}

/**
 * Reading Argo node statuses (private to submit/): a node's step state, phases, output
 * parameters (through a Retry node's attempts), scenario numbers of template names, and the
 * JSON a step wrote, read defensively: a step that died early leaves "{}" or nothing.
 */
import { parameterValue, type ArgoNode } from '../kube/argo-workflow.js';

/** A step's phase: Argo's Pending and Running are both `running` (the step has begun). */
export type StepPhase = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** What one step node says. */
export interface StepState {
  readonly phase: StepPhase;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** The step's own error (its result's `error`), else Argo's node message. */
  readonly message?: string;
  /** The step's result: its VMI's ledger record, or an output parameter `result` a step wrote. */
  readonly result?: Readonly<Record<string, unknown>>;
}

/** The state of a step node, with its result JSON and the message of a failure. */
export function stepState(node: ArgoNode, byId: ReadonlyMap<string, ArgoNode>): StepState {
  const result = parseObject(outputOf(node, byId, 'result'));
  const phase = phaseOf(node.phase);
  const error = typeof result?.error === 'string' ? result.error : undefined;
  const message = phase === 'failed' ? (error ?? node.message) : node.message;
  return {
    phase,
    ...(node.startedAt ? { startedAt: node.startedAt } : {}),
    ...(node.finishedAt ? { finishedAt: node.finishedAt } : {}),
    ...(message ? { message } : {}),
    ...(result ? { result } : {}),
  };
}

/** Argo's node phase as a step phase. */
export function phaseOf(phase: ArgoNode['phase']): StepPhase {
  switch (phase) {
    case 'Pending':
    case 'Running':
      return 'running';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
    case 'Error':
      return 'failed';
    case 'Skipped':
    case 'Omitted':
      return 'skipped';
    default:
      return 'pending';
  }
}

/** An output parameter of `node`, or of its last attempt that has it (a Retry node may lack outputs). */
export function outputOf(node: ArgoNode, byId: ReadonlyMap<string, ArgoNode>, name: string): string | undefined {
  const own = parameterValue(node.outputs?.parameters, name);
  if (own !== undefined || node.type !== 'Retry') return own;
  for (const id of [...(node.children ?? [])].reverse()) {
    const value = parameterValue(byId.get(id)?.outputs?.parameters, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The scenario number of template `<base>-N`, or undefined for another template. */
export function scenarioOf(templateName: string | undefined, base: string): number | undefined {
  const m = templateName === undefined ? null : new RegExp(`^${base}-(\\d+)$`).exec(templateName);
  return m ? Number(m[1]) : undefined;
}

/** A non-empty JSON object, or undefined. */
export function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0 ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // a step that died before writing its result leaves Argo's default "{}" or nothing
  }
}

/** The number of rules inject reported: a count (the ledger's record) or its list of rule ids. */
export function ruleCount(result: Readonly<Record<string, unknown>> | undefined): number | undefined {
  const rules = result?.rules;
  return typeof rules === 'number' ? rules : Array.isArray(rules) ? rules.length : undefined;
}

/** A whole number >= 1 written as text, or undefined. */
export function positiveInt(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

/**
 * The synchronized onset (issue 14), pure: select fixes one fault window [start, end) for every
 * VMI of a parallel run, the kernel starts and ends the fault there on each node, and the steps
 * around it only have to be on time: inject armed before the start, verify inside the window,
 * rollback after it.
 */
import { MAX_ARM_BUDGET, type Scenario } from '../scenario/index.js';
import type { FaultWindow } from './netfilter/index.js';

/** Auto arming budget: pod start and rule loading on a warm node, then the creates and scheduling that grow with the nodes. */
const BASE_ARM_SECONDS = 20;
const NODES_PER_EXTRA_SECOND = 10;

/** A VMI whose rules went live later than this after the start did not start with the others. */
export const ONSET_TOLERANCE_MS = 1000;

/** At most this many seconds before the end verify is let loose (half the window when shorter). */
const VERIFY_LEAD_SECONDS = 10;

/** Seconds from select to the start: `arm_budget`, or 0 for 20 s + 1 s per 10 nodes, at most 300. */
export function armBudgetSeconds(armBudget: number, nodes: number): number {
  if (armBudget > 0) return armBudget;
  return Math.min(MAX_ARM_BUDGET, BASE_ARM_SECONDS + Math.ceil(nodes / NODES_PER_EXTRA_SECOND));
}

/**
 * The run's window when `scenario.onset` is synchronized (undefined when immediate): it starts
 * on the first whole second `budget` seconds after `nowMs` and lasts test_duration. Whole
 * seconds: iptables' time match has no finer grain (docs/design-notes.md).
 */
export function synchronizedWindow(scenario: Pick<Scenario, 'onset' | 'arm_budget' | 'test_duration'>, nodes: number, nowMs: number): FaultWindow | undefined {
  if (scenario.onset !== 'synchronized') return undefined;
  const start = Math.ceil(nowMs / 1000) + armBudgetSeconds(scenario.arm_budget, nodes);
  return { start, end: start + scenario.test_duration };
}

/**
 * When the inject fan-out lets the engine go on (Unix ms): the engine's hold of test_duration
 * then ends a little before the window does, so verify sees the fault live; rollback follows
 * after the end, which the kernel keeps whatever the pods do.
 */
export function releaseAtMs(window: FaultWindow): number {
  const lead = Math.min(VERIFY_LEAD_SECONDS, Math.floor((window.end - window.start) / 2));
  return (window.start - lead) * 1000;
}

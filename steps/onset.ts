/**
 * The synchronized onset (issue 14), pure: select fixes one fault window [start, end) for every
 * VMI of a parallel run, the kernel starts and ends the fault there on each node, and the steps
 * around it only have to be on time: inject armed before the start, verify inside the window,
 * rollback after it.
 */
import { MAX_ARM_BUDGET, type Scenario } from '../scenario/index.js';
import type { RecordName } from '../kube/index.js';
import type { FaultWindow } from './netfilter/index.js';

/** Auto arming budget: pod start and rule loading on a warm node, then the creates and scheduling that grow with the nodes. */
const BASE_ARM_SECONDS = 45;
const NODES_PER_EXTRA_SECOND = 10;

/** A VMI whose rules went live later than this after the start did not start with the others. */
export const ONSET_TOLERANCE_MS = 1000;

/**
 * What the engine may take from the end of its hold to verify's checks on the nodes: the verify
 * fan-out's pod, then its node pods (10–13 s on the test cluster's 2 cores when quiet, 20–24 s
 * loaded). Too long a lead costs nothing (verify waits for the start); too short puts verify
 * after the end.
 */
export const VERIFY_LEAD_SECONDS = 30;

/** Seconds from select to the start: `arm_budget`, or 0 for 45 s + 1 s per 10 nodes, at most 300. */
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
 * When the inject fan-out lets the engine go on (Unix ms): early enough that the engine's hold
 * (test_duration) and the verify lead end in the middle of the window, so verify sees the fault
 * live. Arming that ends later releases at once: verify is then later in the window, and after
 * its end when the nodes armed less than the lead before the start.
 */
export function releaseAtMs(window: FaultWindow): number {
  return (window.start - Math.floor((window.end - window.start) / 2) - VERIFY_LEAD_SECONDS) * 1000;
}

/**
 * Before when a step's fan-out may act on the nodes (Unix ms; undefined: at once). Verify not
 * before the start (the fault is not live yet); the main path's rollback not before the end (it
 * would cut the fault short). The exit handler's rollback is an abort or a tidy-up: at once.
 * Every wait is shorter than the arming budget: the release came at most that long before the
 * start.
 */
export function notBeforeMs(window: FaultWindow, record: RecordName): number | undefined {
  if (record === 'verify') return window.start * 1000;
  if (record === 'rollback') return window.end * 1000;
  return undefined;
}

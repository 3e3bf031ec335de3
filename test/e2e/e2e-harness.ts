/**
 * Shared pieces of the end-to-end tests: scenario files, the filter a scenario asks for,
 * ruleset snapshots of every launcher, and the intervals during which each VMI was faulted.
 */
import type { FilterConfig } from '../netns/helpers/flows.js';
import { rulesetSnapshot } from '../netns/helpers/ruleset.js';
import type { EmulatedCluster } from './emulated-cluster.js';

/** One scenario of a krkn scenario file, as the test writes it. */
export interface E2eScenario {
  readonly namespace: string;
  readonly target?: string;
  readonly execution: 'serial' | 'parallel';
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly ports: readonly number[];
  readonly protocols: readonly ('tcp' | 'udp')[];
  /** @default 0 (all matches) */
  readonly instanceCount?: number;
  /** @default 1 */
  readonly waitDuration?: number;
}

/** Hold length of every e2e scenario: short, and still long enough to probe within. */
export const TEST_DURATION = 2;

/** A krkn scenario file (YAML list) of `scenarios`. */
export function scenarioFile(scenarios: readonly E2eScenario[]): string {
  return scenarios
    .map((s) =>
      [
        '- id: vmi_network_filter',
        `  namespace: ${JSON.stringify(s.namespace)}`,
        ...(s.target === undefined ? [] : [`  target: ${JSON.stringify(s.target)}`]),
        `  instance_count: ${s.instanceCount ?? 0}`,
        `  execution: ${s.execution}`,
        `  ingress: ${s.ingress}`,
        `  egress: ${s.egress}`,
        `  ports: [${s.ports.join(', ')}]`,
        `  protocols: [${s.protocols.join(', ')}]`,
        `  test_duration: ${TEST_DURATION}`,
        `  wait_duration: ${s.waitDuration ?? 1}`,
        '',
      ].join('\n'),
    )
    .join('');
}

/** The filter of a scenario, as the flows see it. */
export const filterOf = (s: E2eScenario): FilterConfig => ({ ingress: s.ingress, egress: s.egress, ports: s.ports, protocols: s.protocols });

/** The 1-based scenario index of a node path (`….scenario-2.…`). */
export function scenarioIndex(path: string): number {
  const m = /\.scenario-(\d+)\./.exec(path);
  if (!m) throw new Error(`${path} is not inside a scenario`);
  return Number(m[1]);
}

/** Normalized rulesets of every launcher namespace, by path. */
export function snapshotLaunchers(cluster: EmulatedCluster): Map<string, string> {
  return new Map(cluster.launcherPaths.map((p) => [p, rulesetSnapshot(p)]));
}

/** A fault's interval: when the VMI's first step started and its last ended. */
export interface FaultInterval {
  readonly vmi: string;
  readonly start: number;
  readonly end: number;
}

/** Sorts intervals by start and says whether any two overlap. */
export function overlaps(intervals: readonly FaultInterval[]): boolean {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  return sorted.some((iv, i) => i > 0 && iv.start < sorted[i - 1]!.end);
}

/** Whether one instant lies inside every interval (all faults held at once). */
export function allOverlap(intervals: readonly FaultInterval[]): boolean {
  return Math.max(...intervals.map((i) => i.start)) < Math.min(...intervals.map((i) => i.end));
}

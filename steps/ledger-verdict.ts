/**
 * A scenario's verdict from its run ledger (pure): every selected VMI must have been injected,
 * verified and rolled back, each by the record its node's pod wrote. A missing record means the
 * pod failed or never ran (its node NotReady, its step timed out): that VMI did not hold.
 */
import type { LedgerIndex, NodeLedger, RecordName } from '../kube/index.js';

/** A VMI whose fault did not hold, or whose rollback is not confirmed. */
export interface VmiProblem {
  readonly vmi: string;
  readonly node: string;
  readonly problem: string;
}

/** The verdict of one scenario. */
export interface LedgerVerdict {
  readonly scenario: number;
  readonly targets: number;
  readonly problems: readonly VmiProblem[];
}

/** Judges `index`'s scenario over its node parts (the parts of other scenarios are ignored). */
export function judgeScenario(index: LedgerIndex, nodes: readonly NodeLedger[]): LedgerVerdict {
  const problems: VmiProblem[] = [];
  const parts = new Map(nodes.filter((n) => n.scenario === index.scenario).map((n) => [n.node, n]));
  for (const { node, targets } of index.nodes) {
    const part = parts.get(node);
    if (!part) {
      problems.push({ vmi: `(${targets} VMIs)`, node, problem: "the node's part of the run ledger is missing" });
      continue;
    }
    part.targets.forEach((t, i) => {
      for (const problem of problemsOf(part.records[i] ?? {})) problems.push({ vmi: `${t.namespace}/${t.name}`, node, problem });
    });
  }
  return { scenario: index.scenario, targets: index.targets, problems };
}

/** Whether the fault held (inject, then verify), and whether a rollback is confirmed. */
function problemsOf(records: NodeLedger['records'][number]): string[] {
  const missing = (step: RecordName): string => `no ${step} record: its node's ${step} pod failed or never ran`;
  const held = !records.inject ? missing('inject') : !records.inject.ok ? `inject failed: ${records.inject.detail}`
    : !records.verify ? missing('verify') : !records.verify.ok ? `verify failed: ${records.verify.detail}` : undefined;
  const confirmed = records.rollback?.ok === true || records['exit-rollback']?.ok === true;
  const rollback = confirmed ? undefined : records.rollback ? `rollback failed: ${records.rollback.detail}` : missing('rollback');
  return [held, rollback].filter((p): p is string => p !== undefined);
}

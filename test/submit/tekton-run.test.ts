/**
 * Tekton's view of a run, read as the watcher's state (pure): a PipelineRun and its TaskRuns as
 * Tekton's controller writes them for the Pipelines `generate tekton` emits (labels
 * tekton.dev/pipelineTask, params with select's results substituted, the `Succeeded`
 * condition), plus the run ledger the node pods write. The real controller runs the same in
 * test/engines/tekton-e2e.test.ts (watch --engine tekton, Ctrl-C).
 */
import { describe, expect, it } from 'vitest';
import { ledgerObjects, parseLedgerIndex, parseNodeLedger, recordKey, type RecordName } from '../../kube/ledger.js';
import type { PipelineRun, TaskRun } from '../../kube/tekton-run.js';
import { runStateOf, type LedgerView } from '../../submit/run-state.js';
import { runningHolds, tektonRunOf } from '../../submit/tekton-run.js';
import { testTarget, type TestTarget } from './argo-controller.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString().replace('.000Z', 'Z');

type Condition = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** A TaskRun of pipeline task `task` running Task `vmi-network-filter-<step>`, started at second `start`. */
function taskRun(task: string, step: string, params: Record<string, string>, condition: Condition, start: number): TaskRun {
  const done = condition !== 'running';
  const status = { running: 'Unknown', succeeded: 'True', failed: 'False', cancelled: 'False' } as const;
  const reason = { running: 'Running', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'TaskRunCancelled' } as const;
  const message = {
    running: 'Not all Steps in the Task have finished executing',
    succeeded: 'All Steps have completed executing',
    failed: `"step-${step}" exited with code 1`,
    cancelled: `TaskRun "run-${task}" was cancelled. TaskRun cancelled as the PipelineRun it belongs to has been cancelled.`,
  } as const;
  return {
    metadata: { name: `run-${task}`, namespace: 'chaos', labels: { 'tekton.dev/pipelineRun': 'run', 'tekton.dev/pipelineTask': task, 'tekton.dev/task': `vmi-network-filter-${step}` } },
    spec: { params: Object.entries(params).map(([name, value]) => ({ name, value })), taskRef: { name: `vmi-network-filter-${step}` }, ...(condition === 'cancelled' ? { status: 'TaskRunCancelled' } : {}) },
    status: {
      conditions: [{ type: 'Succeeded', status: status[condition], reason: reason[condition], message: message[condition] }],
      startTime: at(start),
      ...(done ? { completionTime: at(start + 2) } : {}),
      podName: `run-${task}-pod`,
    },
  };
}

/** The PipelineRun: `condition` absent while Tekton has not started it. */
function pipelineRun(condition?: { status: 'True' | 'False' | 'Unknown'; reason: string; message?: string }, specStatus?: string): PipelineRun {
  return {
    metadata: { name: 'run', namespace: 'chaos', uid: 'uid-run', annotations: { 'vmi-network-filter/scenarios': '1' } },
    spec: { params: [{ name: 'test_duration', value: '30' }, { name: 'ports', value: '53' }, { name: 'ingress', value: 'true' }], ...(specStatus ? { status: specStatus } : {}) },
    status: {
      ...(condition ? { conditions: [{ type: 'Succeeded', ...condition }] } : {}),
      startTime: at(0),
      pipelineSpec: { tasks: [{ name: 'select' }, { name: 'inject' }, { name: 'hold' }], finally: [{ name: 'rollback' }, { name: 'report' }] },
    },
  };
}
const RUNNING = { status: 'Unknown', reason: 'Running', message: 'Tasks Completed: 2 (Failed: 0, Cancelled 0), Skipped: 9' } as const;

/** The run ledger select wrote for `targets`, with `records` [target index, record, ok] written by the node pods. */
function ledger(targets: readonly TestTarget[], records: readonly [number, RecordName, boolean][] = []): LedgerView {
  const objects = ledgerObjects({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', name: 'run', uid: 'uid-run' }, 1, targets as Parameters<typeof ledgerObjects>[2]);
  const data = objects.map((o) => ({ name: o.metadata.name, kind: o.metadata.labels['vmi-network-filter.io/ledger'], data: { ...o.data } as Record<string, string> }));
  for (const [i, record, ok] of records) {
    const target = targets[i]!;
    const part = data.find((o) => o.kind === 'node' && o.data.node === target.node)!;
    const index = targets.filter((t) => t.node === target.node).indexOf(target);
    const detail = ok ? `${record} done` : `${record} failed on purpose`;
    part.data[recordKey(record, index)] = JSON.stringify({ ok, at: at(100), detail, data: record === 'inject' ? { backend: 'nftables', rules: 4 } : {} });
  }
  return {
    indexes: data.filter((o) => o.kind === 'index').map((o) => parseLedgerIndex(o.name, o.data)),
    nodes: data.filter((o) => o.kind === 'node').map((o) => parseNodeLedger(o.name, o.data)),
  };
}

const vm1 = testTarget('vm-1', 'worker-1');
const vm2 = testTarget('vm-2', 'worker-2');
const vm3 = testTarget('vm-3', 'worker-1');

describe('tektonRunOf', () => {
  it('should show every VMI of a parallel run holding, with inject from the ledger and the hold from its TaskRun', () => {
    const taskRuns = [
      taskRun('select', 'select', { 'scenario-number': '1' }, 'succeeded', 0),
      taskRun('inject', 'inject', { 'scenario-number': '1', node: '', index: '' }, 'succeeded', 3),
      taskRun('hold', 'hold', { seconds: '45', image: 'img' }, 'running', 6),
    ];
    const state = runStateOf(tektonRunOf(pipelineRun(RUNNING), taskRuns), ledger([vm1, vm2, vm3], [0, 1, 2].map((i) => [i, 'inject', true] as const)));
    expect([state.kind, state.phase, state.finished, state.stopping, state.exitHandler.phase]).toEqual(['PipelineRun', 'Running', false, false, 'pending']);
    expect(state.selections).toEqual([{ scenario: 1, phase: 'succeeded', selected: 3 }]);
    expect(state.vmis.map((v) => [v.key, v.stage, v.holdSeconds, v.steps.inject.result?.rules])).toEqual([
      ['1/demo/vm-1', 'holding', 45, 4],
      ['1/demo/vm-3', 'holding', 45, 4],
      ['1/demo/vm-2', 'holding', 45, 4],
    ]);
    expect(state.failure).toBeUndefined();
  });

  it("should hold only the VMI of a serial round, found through the round's inject params", () => {
    // Round 1 is vm-2 (worker-2, index 0); round 2 has not started.
    const taskRuns = [
      taskRun('select', 'select', { 'scenario-number': '1' }, 'succeeded', 0),
      taskRun('inject-r1', 'inject', { 'scenario-number': '1', node: 'worker-2', index: '0' }, 'succeeded', 3),
      taskRun('hold-r1', 'hold', { seconds: '30', image: 'img' }, 'running', 6),
    ];
    const state = runStateOf(tektonRunOf(pipelineRun(RUNNING), taskRuns), ledger([vm1, vm2], [[1, 'inject', true]]));
    expect(state.vmis.map((v) => [v.name, v.stage, v.steps.inject.startedAt ?? null])).toEqual([
      ['vm-1', 'selected', null],
      ['vm-2', 'holding', at(3)],
    ]);
  });

  it('should read a stopped run: the cancelled hold, finally rolling back every VMI, the exit handler done', () => {
    const taskRuns = [
      taskRun('select', 'select', { 'scenario-number': '1' }, 'succeeded', 0),
      taskRun('inject', 'inject', { 'scenario-number': '1' }, 'succeeded', 3),
      taskRun('hold', 'hold', { seconds: '300', image: 'img' }, 'cancelled', 6),
      taskRun('rollback', 'rollback', { 'scenario-number': '1', record: 'exit-rollback' }, 'succeeded', 9),
      taskRun('report', 'report', { status: 'Failed' }, 'succeeded', 9),
    ];
    const run = pipelineRun({ status: 'False', reason: 'Cancelled', message: 'PipelineRun "run" was cancelled' }, 'StoppedRunFinally');
    const led = ledger([vm1, vm2], [[0, 'inject', true], [1, 'inject', true], [0, 'exit-rollback', true], [1, 'exit-rollback', true]]);
    const state = runStateOf(tektonRunOf(run, taskRuns), led);
    expect([state.phase, state.finished, state.stopping]).toEqual(['Failed', true, true]);
    expect(state.exitHandler).toEqual({ phase: 'succeeded', rollbacks: 2, rollbacksDone: 2 });
    expect(state.vmis.map((v) => [v.name, v.stage, v.rollbackConfirmed, v.steps.hold.phase])).toEqual([
      ['vm-1', 'rolled-back', true, 'failed'],
      ['vm-2', 'rolled-back', true, 'failed'],
    ]);
    expect(state.failure).toEqual({ step: 'hold', message: 'TaskRun "run-hold" was cancelled. TaskRun cancelled as the PipelineRun it belongs to has been cancelled. (logs: tkn taskrun logs run-hold -n chaos)' });
  });

  it('should report a node step that failed without writing records with its TaskRun and node', () => {
    const taskRuns = [
      taskRun('select', 'select', { 'scenario-number': '1' }, 'succeeded', 0),
      taskRun('inject-r1', 'inject', { 'scenario-number': '1', node: 'worker-1', index: '0' }, 'failed', 3),
    ];
    const state = runStateOf(tektonRunOf(pipelineRun(RUNNING), taskRuns), ledger([vm1]));
    expect(state.vmis.map((v) => [v.stage, v.steps.inject.message])).toEqual([['inject-failed', '"step-inject" exited with code 1']]);
    // The VMI's own failed step comes first: same time, same words, named by VMI.
    expect(state.failure).toEqual({ step: 'inject', vmi: 'demo/vm-1', message: '"step-inject" exited with code 1' });
    expect(tektonRunOf(pipelineRun(RUNNING), taskRuns).failedSteps).toEqual([
      { step: 'inject', message: 'on node worker-1: "step-inject" exited with code 1 (logs: tkn taskrun logs run-inject-r1 -n chaos)', at: at(5) },
    ]);
  });

  it("should give each scenario of a file its select and hold, and not take the pause between them for a hold", () => {
    const taskRuns = [
      taskRun('select-1', 'select', { 'scenario-number': '1' }, 'succeeded', 0),
      taskRun('hold-1', 'hold', { seconds: '10', image: 'img' }, 'succeeded', 3),
      taskRun('wait-2', 'hold', { seconds: '300', image: 'img' }, 'succeeded', 20),
      taskRun('select-2', 'select', { 'scenario-number': '2' }, 'running', 321),
    ];
    const run = tektonRunOf(pipelineRun(RUNNING), taskRuns);
    expect(run.selections.map((s) => [s.scenario, s.state.phase])).toEqual([[1, 'succeeded'], [2, 'running']]);
    expect(Object.entries(run.holds).map(([key, hold]) => [key, hold.seconds])).toEqual([['1|hold||', 10]]);
  });

  it("should map the run's Succeeded condition onto a phase", () => {
    const phase = (condition?: Parameters<typeof pipelineRun>[0]) => tektonRunOf(pipelineRun(condition), []).phase;
    expect(phase()).toBe('Pending');
    expect(phase({ status: 'Unknown', reason: 'PipelineRunPending' })).toBe('Pending');
    expect(phase(RUNNING)).toBe('Running');
    expect(phase({ status: 'Unknown', reason: 'StoppedRunFinally' })).toBe('Running');
    expect(phase({ status: 'True', reason: 'Completed' })).toBe('Succeeded');
    expect(phase({ status: 'False', reason: 'PipelineRunTimeout' })).toBe('Failed');
  });
});

describe('runningHolds', () => {
  it('should name the holds and pauses still sleeping, not those ended or already cancelled, nor other steps', () => {
    const cancelling = taskRun('hold-r2', 'hold', { seconds: '30' }, 'running', 9);
    const taskRuns = [
      taskRun('hold-r1', 'hold', { seconds: '30' }, 'succeeded', 0),
      { ...cancelling, spec: { ...cancelling.spec, status: 'TaskRunCancelled' } },
      taskRun('hold-r3', 'hold', { seconds: '30' }, 'running', 12),
      taskRun('wait-2', 'hold', { seconds: '30' }, 'running', 12),
      taskRun('inject-r3', 'inject', { node: 'worker-1', index: '0' }, 'running', 12),
    ];
    expect(runningHolds(taskRuns)).toEqual(['run-hold-r3', 'run-wait-2']);
  });
});

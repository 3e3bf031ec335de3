/**
 * The pure state model: Workflow objects as Argo's controller writes them, step by step, read
 * as per-VMI phases, the exit handler's state and the first failure.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ArgoWorkflow } from '../../kube/argo-workflow.js';
import { argoRunOf } from '../../submit/argo-run.js';
import { runStateOf } from '../../submit/run-state.js';
import { ArgoController, testTarget } from './argo-controller.js';

const workflow: ArgoWorkflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'vmi-network-filter-abcde', namespace: 'argo', resourceVersion: '1' },
  spec: { arguments: { parameters: [{ name: 'test_duration', value: '120' }, { name: 'ports', value: '53' }] } },
};
const vm1 = testTarget('vm-1', 'worker-1');
const vm2 = testTarget('vm-2', 'worker-2', 'bridge');
const injected = { step: 'inject', ok: true, backend: 'nftables', binding: 'masquerade', rules: ['in-tcp-53', 'in-udp-53', 'out-tcp-53', 'out-udp-53'] };
const verified = { step: 'verify', ok: true, checks: [{ name: 'netfilter', ok: true, detail: '4 rules of run r intact (nftables)' }] };
const rolledBack = { step: 'rollback', ok: true, removed: ['table inet vnf-r'], gone: false };

function controller(): ArgoController {
  return new ArgoController(workflow, { start: '2025-01-01T10:00:00Z', stepSeconds: 2, testDuration: 120 });
}

/** The state the watcher sees: the controller's workflow and ledger. */
function stateOf(argo: ArgoController): ReturnType<typeof runStateOf> {
  return runStateOf(argoRunOf(argo.snapshot()), argo.ledger());
}

describe('runStateOf', () => {
  it('should read the nodes the controller compressed into status.compressedNodes as if they were status.nodes', () => {
    const argo = controller().select([vm1]).startStep(0, 'inject').endStep(0, 'inject', injected);
    argo.startExitHandler([vm1], 'Succeeded').endExitRollback(vm1, rolledBack).finishWorkflow('Succeeded');
    const plain = argo.snapshot();
    const { nodes, ...status } = plain.status!;
    const compressed: ArgoWorkflow = { ...plain, status: { ...status, compressedNodes: gzipSync(JSON.stringify(nodes)).toString('base64') } };
    expect(runStateOf(argoRunOf(compressed), argo.ledger())).toEqual(runStateOf(argoRunOf(plain), argo.ledger()));
    expect(runStateOf(argoRunOf(compressed), argo.ledger()).vmis.map((v) => [v.key, v.rollbackConfirmed])).toEqual([['1/demo/vm-1', true]]);
    expect(() => runStateOf(argoRunOf({ ...plain, status: { ...status, compressedNodes: 'not gzip' } }), argo.ledger())).toThrow('workflow vmi-network-filter-abcde: status.compressedNodes cannot be read');
  });

  it('should list every selected VMI as selected before any step runs', () => {
    const state = stateOf(controller().select([vm1, vm2]));
    expect(state.selections).toEqual([{ scenario: 1, phase: 'succeeded', selected: 2 }]);
    expect(state.vmis.map((v) => [v.key, v.node, v.binding, v.stage, v.holdSeconds])).toEqual([
      ['1/demo/vm-1', 'worker-1', 'masquerade', 'selected', 120],
      ['1/demo/vm-2', 'worker-2', 'bridge', 'selected', 120],
    ]);
    expect(state).toMatchObject({ name: 'vmi-network-filter-abcde', namespace: 'argo', phase: 'Running', finished: false, stopping: false });
    expect(state.exitHandler).toEqual({ phase: 'pending', rollbacks: 0, rollbacksDone: 0 });
    expect(state.failure).toBeUndefined();
  });

  it('should follow one VMI through injecting, injected, holding, verifying and verified', () => {
    const argo = controller().select([vm1]);
    const stages: string[] = [];
    const step = (f: () => void): void => {
      f();
      stages.push(runStateOf(argoRunOf(argo.snapshot()), argo.ledger()).vmis[0]!.stage);
    };
    step(() => argo.startStep(0, 'inject'));
    step(() => argo.endStep(0, 'inject', injected));
    step(() => argo.startHold(0));
    step(() => argo.endHold(0));
    step(() => argo.startStep(0, 'verify'));
    step(() => argo.endStep(0, 'verify', verified));
    step(() => argo.startStep(0, 'rollback'));
    step(() => argo.endStep(0, 'rollback', rolledBack));
    expect(stages).toEqual(['injecting', 'injected', 'holding', 'verifying', 'verifying', 'verified', 'rolling-back', 'rolled-back']);

    const vmi = runStateOf(argoRunOf(argo.snapshot()), argo.ledger()).vmis[0]!;
    // The phase and result are the VMI's ledger record; the times its pod's.
    expect(vmi.steps.inject).toEqual({ phase: 'succeeded', startedAt: '2025-01-01T10:00:22Z', finishedAt: '2025-01-01T10:00:28Z', result: { ok: true, detail: 'inject done', backend: 'nftables', rules: 4 } });
    expect(vmi.steps.hold).toMatchObject({ phase: 'succeeded', startedAt: '2025-01-01T10:00:30Z', finishedAt: '2025-01-01T10:02:32Z' });
    expect(vmi.rollbackConfirmed).toBe(true);
  });

  it('should report a successful run with the exit handler done and no failure', () => {
    const argo = controller().select([vm1]);
    argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0).endHold(0);
    argo.startStep(0, 'verify').endStep(0, 'verify', verified).startStep(0, 'rollback').endStep(0, 'rollback', rolledBack).endBranch(0, 'Succeeded');
    argo.startExitHandler([vm1], 'Succeeded');
    const during = runStateOf(argoRunOf(argo.snapshot()), argo.ledger());
    expect(during.exitHandler).toEqual({ phase: 'running', rollbacks: 1, rollbacksDone: 0 });
    expect(during.vmis[0]!.exitRollback.phase).toBe('running');
    argo.endExitRollback(vm1, rolledBack).finishWorkflow('Succeeded');

    const state = runStateOf(argoRunOf(argo.snapshot()), argo.ledger());
    expect(state).toMatchObject({ phase: 'Succeeded', finished: true, exitHandler: { phase: 'succeeded', rollbacks: 1, rollbacksDone: 1 } });
    expect(state.vmis[0]!.exitRollback).toMatchObject({ phase: 'succeeded', result: { ok: true, detail: 'exit-rollback done' } });
    expect(state.failure).toBeUndefined();
  });

  it("should name a failed verify and its message as the run's failure, and still confirm the rollback", () => {
    const argo = controller().select([vm1]);
    argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0).endHold(0).startStep(0, 'verify');
    argo.endStep(0, 'verify', { step: 'verify', ok: false, error: 'verification failed: cluster: demo/vm-1 now runs on worker-9 (live migration?)' });
    expect(runStateOf(argoRunOf(argo.snapshot()), argo.ledger()).vmis[0]!.stage).toBe('verify-failed');
    argo.startStep(0, 'rollback').endStep(0, 'rollback', rolledBack).endBranch(0, 'Failed');
    argo.startExitHandler([vm1], 'Failed').endExitRollback(vm1, rolledBack).finishWorkflow('Failed', 'child failed');

    const state = runStateOf(argoRunOf(argo.snapshot()), argo.ledger());
    expect(state.vmis[0]).toMatchObject({ stage: 'rolled-back', rollbackConfirmed: true, steps: { verify: { phase: 'failed', message: 'verification failed: cluster: demo/vm-1 now runs on worker-9 (live migration?)' } } });
    expect(state.failure).toEqual({ step: 'verify', vmi: 'demo/vm-1', message: 'verification failed: cluster: demo/vm-1 now runs on worker-9 (live migration?)' });
  });

  it('should not confirm a rollback whose every attempt failed, and say so once the run is over', () => {
    const argo = controller().select([vm1]);
    argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0).endHold(0).startStep(0, 'verify').endStep(0, 'verify', verified);
    argo.startStep(0, 'rollback').endStep(0, 'rollback', { step: 'rollback', ok: false, error: 'nft: Operation not permitted' });
    expect(runStateOf(argoRunOf(argo.snapshot()), argo.ledger()).vmis[0]!.stage).toBe('rollback-failed');
    argo.endBranch(0, 'Failed').startExitHandler([vm1], 'Failed').endExitRollback(vm1, { step: 'rollback', ok: false, error: 'nft: Operation not permitted' });
    argo.finishWorkflow('Failed', 'child failed');

    const state = runStateOf(argoRunOf(argo.snapshot()), argo.ledger());
    expect(state.vmis[0]).toMatchObject({ stage: 'rollback-failed', rollbackConfirmed: false });
    expect(state.exitHandler).toEqual({ phase: 'succeeded', rollbacks: 1, rollbacksDone: 0 });
    expect(state.failure).toEqual({ step: 'rollback', vmi: 'demo/vm-1', message: 'nft: Operation not permitted' });
  });

  it('should see a stop request and the steps Argo failed because of it', () => {
    const argo = controller().select([vm1, vm2]);
    argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0);
    const stopped = { ...argo.snapshot(), spec: { ...workflow.spec, shutdown: 'Stop' } };
    expect(runStateOf(argoRunOf(stopped), argo.ledger()).stopping).toBe(true);
    argo.stop().startExitHandler([vm1, vm2], 'Failed', "Stopped with strategy 'Stop'");
    argo.endExitRollback(vm1, rolledBack).endExitRollback(vm2, { step: 'rollback', ok: true, removed: [], gone: false });
    argo.finishWorkflow('Failed', "Stopped with strategy 'Stop'");

    const state = runStateOf(argoRunOf({ ...argo.snapshot(), spec: { ...workflow.spec, shutdown: 'Stop' } }), argo.ledger());
    expect(state.vmis.map((v) => [v.name, v.stage, v.steps.hold.phase, v.steps.verify.phase, v.rollbackConfirmed])).toEqual([
      ['vm-1', 'rolled-back', 'failed', 'pending', true],
      ['vm-2', 'rolled-back', 'pending', 'pending', true],
    ]);
    expect(state.failure).toEqual({ step: 'workflow', message: "Stopped with strategy 'Stop'" });
  });

  it('should read the select step through its Retry node when only the attempt carries the outputs', () => {
    const argo = controller().select([vm1]);
    const snapshot = argo.snapshot();
    const nodes = Object.fromEntries(Object.entries(snapshot.status!.nodes!).map(([id, n]) => [id, n.type === 'Retry' ? { ...n, outputs: undefined } : n]));
    expect(runStateOf(argoRunOf({ ...snapshot, status: { ...snapshot.status, nodes } }), argo.ledger()).vmis.map((v) => v.key)).toEqual(['1/demo/vm-1']);
  });
});

/**
 * The report, its JUnit and JSON forms, the JSON-lines events and the TTY view, all from
 * workflow states a scripted Argo controller produced.
 */
import { describe, expect, it } from 'vitest';
import type { ArgoWorkflow } from '../../kube/argo-workflow.js';
import { escape, junitXml } from '../../submit/junit.js';
import { formatReport, runReportOf } from '../../submit/run-report.js';
import { argoRunOf } from '../../submit/argo-run.js';
import { runStateOf } from '../../submit/run-state.js';
import { stateChanges } from '../../submit/state-changes.js';
import { renderView } from '../../submit/tty-view.js';
import { ArgoController, testTarget } from './argo-controller.js';

const workflow: ArgoWorkflow = {
  metadata: { name: 'vmi-network-filter-abcde', namespace: 'argo' },
  spec: {
    arguments: {
      parameters: [
        { name: 'test_duration', value: '120' },
        { name: 'ingress', value: 'true' },
        { name: 'egress', value: 'false' },
        { name: 'ports', value: '53,853' },
        { name: 'protocols', value: 'tcp,udp' },
      ],
    },
  },
};
const vm1 = testTarget('vm-1', 'worker-1');
const vm2 = testTarget('vm-2', 'worker-2', 'bridge');
const injected = { step: 'inject', ok: true, backend: 'nftables', rules: ['a', 'b', 'c', 'd'] };
const rolledBack = { step: 'rollback', ok: true, removed: ['table inet vnf-r'], gone: false };
const verifyError = 'verification failed: netfilter: rule in-udp-53 missing';

/** vm-1 passes every step; vm-2 fails verify; both are rolled back; the workflow fails. */
function failedRun(): ArgoController {
  const argo = new ArgoController(workflow, { testDuration: 120 }).select([vm1, vm2]);
  argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0).endHold(0).startStep(0, 'verify').endStep(0, 'verify', { step: 'verify', ok: true });
  argo.startStep(0, 'rollback').endStep(0, 'rollback', rolledBack).endBranch(0, 'Succeeded');
  argo.startStep(1, 'inject').endStep(1, 'inject', injected).startHold(1).endHold(1).startStep(1, 'verify').endStep(1, 'verify', { step: 'verify', ok: false, error: verifyError });
  argo.startStep(1, 'rollback').endStep(1, 'rollback', rolledBack).endBranch(1, 'Failed');
  argo.startExitHandler([vm1, vm2], 'Failed').endExitRollback(vm1, rolledBack).endExitRollback(vm2, rolledBack).finishWorkflow('Failed', 'child failed');
  return argo;
}

describe('runReportOf and formatReport', () => {
  it("should read a two-scenario workflow's numbered parameters even when the second scenario never selected", () => {
    const two: ArgoWorkflow = {
      metadata: { name: 'vmi-network-filter-two', namespace: 'argo', annotations: { 'vmi-network-filter/scenarios': '2' } },
      spec: {
        arguments: {
          parameters: [
            { name: 'ports', value: '1' }, // a plain name would be a one-scenario workflow's: must not be read
            { name: 'ingress-1', value: 'true' },
            { name: 'egress-1', value: 'true' },
            { name: 'ports-1', value: '53' },
            { name: 'protocols-1', value: 'udp' },
            { name: 'ports-2', value: '80' },
          ],
        },
      },
    };
    const argo = new ArgoController(two, { testDuration: 120 }).select([vm1]);
    argo.startStep(0, 'inject').endStep(0, 'inject', injected);
    const snapshot = argo.snapshot();
    const report = runReportOf(runStateOf(argoRunOf(snapshot), argo.ledger()), argoRunOf(snapshot));
    expect(report.vmis[0]!.blocked).toMatchObject({ ingress: true, egress: true, ports: [53], protocols: ['udp'] });
  });

  it('should report each VMI, what was blocked, verify, rollback and durations, and fail naming the verify', () => {
    const argo = failedRun();
    const snapshot = argo.snapshot();
    const report = runReportOf(runStateOf(argoRunOf(snapshot), argo.ledger()), argoRunOf(snapshot));
    expect(report.ok).toBe(false);
    expect(report.failure).toEqual({ step: 'verify', vmi: 'demo/vm-2', message: verifyError });
    expect(report.vmis[1]).toEqual({
      scenario: 1,
      namespace: 'demo',
      name: 'vm-2',
      node: 'worker-2',
      binding: 'bridge',
      stage: 'rolled-back',
      blocked: { ingress: true, egress: false, ports: [53, 853], protocols: ['tcp', 'udp'], rules: 4, backend: 'nftables' },
      verify: { outcome: 'failed', message: verifyError },
      rollback: { confirmed: true, by: ['branch', 'exit handler'] },
      steps: {
        inject: { phase: 'succeeded', seconds: 6 },
        hold: { phase: 'succeeded', seconds: 122 },
        verify: { phase: 'failed', seconds: 6, message: verifyError },
        rollback: { phase: 'succeeded', seconds: 6 },
        exitRollback: { phase: 'succeeded', seconds: 6 },
      },
    });
    expect(formatReport(report)).toBe(
      [
        'report: workflow vmi-network-filter-abcde (namespace argo) Failed after 5m 52s',
        '  demo/vm-1 on worker-1 (masquerade), scenario 1',
        '    blocked:   4 rules (nftables): ingress, tcp/udp, ports 53,853',
        '    verify:    passed',
        '    rollback:  confirmed (by branch and exit handler)',
        '    durations: inject 6s, hold 2m 2s, verify 6s, rollback 6s',
        '  demo/vm-2 on worker-2 (bridge), scenario 1',
        '    blocked:   4 rules (nftables): ingress, tcp/udp, ports 53,853',
        `    verify:    failed: ${verifyError}`,
        '    rollback:  confirmed (by branch and exit handler)',
        '    durations: inject 6s, hold 2m 2s, verify 6s, rollback 6s',
        '  exit handler: succeeded (2 of 2 rollbacks succeeded)',
        `verdict: FAIL: verify of demo/vm-2 failed: ${verifyError}`,
        '',
      ].join('\n'),
    );
  });

  it('should pass only when the workflow succeeded and every rollback is confirmed', () => {
    const argo = new ArgoController(workflow).select([vm1]);
    argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0).endHold(0).startStep(0, 'verify').endStep(0, 'verify', { step: 'verify', ok: true });
    argo.startStep(0, 'rollback').endStep(0, 'rollback', rolledBack).endBranch(0, 'Succeeded').startExitHandler([vm1], 'Succeeded').endExitRollback(vm1, rolledBack);
    const running = argo.snapshot();
    expect(runReportOf(runStateOf(argoRunOf(running), argo.ledger()), argoRunOf(running)).ok).toBe(false); // not finished yet
    const done = argo.finishWorkflow('Succeeded').snapshot();
    const report = runReportOf(runStateOf(argoRunOf(done), argo.ledger()), argoRunOf(done));
    expect([report.ok, report.failure]).toEqual([true, null]);
    expect(formatReport(report).split('\n').at(-2)).toBe('verdict: PASS: the workflow succeeded and every rollback is confirmed');
  });
});

describe('junitXml', () => {
  it('should write one test case per VMI and phase, with the failure message and skipped phases', () => {
    const argo = new ArgoController(workflow).select([vm1, vm2]);
    argo.startStep(0, 'inject').endStep(0, 'inject', { step: 'inject', ok: false, error: 'launcher <virt-launcher-vm-1> & "netns" gone' });
    argo.startStep(0, 'rollback').endStep(0, 'rollback', rolledBack).endBranch(0, 'Failed').stop();
    argo.startExitHandler([vm1, vm2], 'Failed').endExitRollback(vm1, rolledBack).endExitRollback(vm2, { step: 'rollback', ok: false, error: 'nft: Operation not permitted' });
    const snapshot = argo.finishWorkflow('Failed', 'child failed').snapshot();
    expect(junitXml(runReportOf(runStateOf(argoRunOf(snapshot), argo.ledger()), argoRunOf(snapshot)))).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="vmi-network-filter" tests="8" failures="2" errors="0" skipped="5" time="72">',
        '  <testsuite name="vmi-network-filter argo/vmi-network-filter-abcde" tests="8" failures="2" errors="0" skipped="5" time="72" timestamp="2025-01-01T10:00:00Z">',
        '    <properties>',
        '      <property name="workflow.phase" value="Failed"/>',
        '      <property name="verdict" value="fail: inject of demo/vm-1 failed: launcher &lt;virt-launcher-vm-1&gt; &amp; &quot;netns&quot; gone"/>',
        '    </properties>',
        '    <testcase classname="scenario-1.demo/vm-1" name="inject" time="6">',
        '      <failure message="launcher &lt;virt-launcher-vm-1&gt; &amp; &quot;netns&quot; gone" type="StepFailed">launcher &lt;virt-launcher-vm-1&gt; &amp; &quot;netns&quot; gone</failure>',
        '    </testcase>',
        '    <testcase classname="scenario-1.demo/vm-1" name="hold" time="0">',
        '      <skipped message="hold did not run"/>',
        '    </testcase>',
        '    <testcase classname="scenario-1.demo/vm-1" name="verify" time="0">',
        '      <skipped message="verify did not run"/>',
        '    </testcase>',
        '    <testcase classname="scenario-1.demo/vm-1" name="rollback" time="6">',
        '      <system-out>confirmed by branch and exit handler</system-out>',
        '    </testcase>',
        '    <testcase classname="scenario-1.demo/vm-2" name="inject" time="0">',
        '      <skipped message="inject did not run"/>',
        '    </testcase>',
        '    <testcase classname="scenario-1.demo/vm-2" name="hold" time="0">',
        '      <skipped message="hold did not run"/>',
        '    </testcase>',
        '    <testcase classname="scenario-1.demo/vm-2" name="verify" time="0">',
        '      <skipped message="verify did not run"/>',
        '    </testcase>',
        '    <testcase classname="scenario-1.demo/vm-2" name="rollback" time="6">',
        '      <failure message="rollback not confirmed: nft: Operation not permitted" type="StepFailed">rollback not confirmed: nft: Operation not permitted</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('should fail a run that selected nothing with one select case', () => {
    const snapshot = { ...workflow, status: { phase: 'Failed' as const, message: 'child failed', nodes: {} } };
    const xml = junitXml(runReportOf(runStateOf(argoRunOf(snapshot)), argoRunOf(snapshot)));
    expect(xml).toContain('<testcase classname="workflow" name="select" time="0">\n      <failure message="workflow did not succeed: child failed" type="StepFailed">');
    expect(xml).toContain('tests="1" failures="1" errors="0" skipped="0"');
  });

  it('should drop characters XML cannot carry and escape the five special ones', () => {
    expect(escape('a\u0000b\u001bc <&>"\' ok\tend')).toBe('abc &lt;&amp;&gt;&quot;&apos; ok\tend');
  });
});

describe('stateChanges', () => {
  it('should emit one event per transition and nothing when the state is the same', () => {
    const argo = new ArgoController(workflow).select([vm1]);
    const first = runStateOf(argoRunOf(argo.snapshot()), argo.ledger());
    expect(stateChanges(undefined, first)).toEqual([
      { event: 'workflow', kind: 'workflow', workflow: 'vmi-network-filter-abcde', namespace: 'argo', phase: 'Running', stopping: false, exitHandler: { phase: 'pending', rollbacks: 0, rollbacksDone: 0 } },
      { event: 'select', scenario: 1, phase: 'succeeded', selected: 1 },
      { event: 'vmi', scenario: 1, vmi: 'demo/vm-1', node: 'worker-1', stage: 'selected', steps: { inject: 'pending', hold: 'pending', verify: 'pending', rollback: 'pending', exitRollback: 'pending' }, holdSeconds: 120 },
    ]);
    expect(stateChanges(first, runStateOf(argoRunOf(argo.snapshot()), argo.ledger()))).toEqual([]);
    const second = runStateOf(argoRunOf(argo.startStep(0, 'inject').endStep(0, 'inject', injected).snapshot()), argo.ledger());
    expect(stateChanges(first, second)).toEqual([
      { event: 'vmi', scenario: 1, vmi: 'demo/vm-1', node: 'worker-1', stage: 'injected', steps: { inject: 'succeeded', hold: 'pending', verify: 'pending', rollback: 'pending', exitRollback: 'pending' }, rules: 4, backend: 'nftables', holdSeconds: 120 },
    ]);
  });
});

describe('renderView', () => {
  it('should draw a run mid-way at a fixed width without colour', async () => {
    const argo = new ArgoController(workflow, { testDuration: 120 }).select([vm1, vm2, { ...testTarget('a-very-long-vmi-name-that-will-not-fit-the-width', 'worker-3') }]);
    argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0).endHold(0).startStep(0, 'verify').endStep(0, 'verify', { step: 'verify', ok: false, error: verifyError });
    argo.startStep(0, 'rollback').endStep(0, 'rollback', rolledBack);
    argo.startStep(1, 'inject').endStep(1, 'inject', injected).startHold(1);
    const state = runStateOf(argoRunOf(argo.snapshot()), argo.ledger());
    const holdStart = Date.parse(state.vmis[1]!.steps.hold.startedAt!);
    const view = renderView(state, { now: new Date(holdStart + 45_000), width: 80 });
    expect(view.every((line) => line.length <= 80)).toBe(true);
    await expect(`${view.join('\n')}\n`).toMatchFileSnapshot('./snapshots/tty-view-holding.txt');
    const coloured = renderView(state, { now: new Date(holdStart + 45_000), width: 80, color: true });
    expect(coloured[2]).toBe(`  \x1b[33m!\x1b[0m${view[2]!.slice(3)}`);
  });
});

/**
 * `submit --watch` and `watch` end to end: the built CLI in its own process against the local
 * API server with the workflows resource; the test plays Argo's controller, writing the status
 * step by step while the CLI watches. Needs `npm run build` first (npm test does it).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArgoWorkflow } from '../../kube/argo-workflow.js';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { FakeConfigMaps } from '../kube/fake-ledger.js';
import { FakeWorkflows } from '../kube/fake-workflows.js';
import { parseLines, tempDir, writeKubeconfig } from '../kube/harness.js';
import { ArgoController, testTarget } from './argo-controller.js';
import { startCli, until, type CliProcess } from './cli-process.js';

const NAME = 'vmi-network-filter-abcde';
const vm1 = testTarget('vm-1', 'worker-1');
const vm2 = testTarget('vm-2', 'worker-2', 'bridge');
const injected = { step: 'inject', ok: true, backend: 'nftables', rules: ['in-tcp-53', 'in-udp-53', 'out-tcp-53', 'out-udp-53'] };
const verified = { step: 'verify', ok: true };
const rolledBack = { step: 'rollback', ok: true, removed: ['table inet vnf-r'], gone: false };

let api: FakeKubeApi;
let workflows: FakeWorkflows;
/** The scripted controller of the run being watched; its ledger is what the API server serves. */
let current: ArgoController | undefined;
/** The run ledger as the API server serves it (the scripted controller's), with its request counts. */
let ledger: FakeConfigMaps;
let env: Record<string, string>;
let dir: string;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  workflows = FakeWorkflows.on(api);
  current = undefined;
  ledger = FakeConfigMaps.on(api, () => current?.configMaps() ?? []);
  env = { KUBECONFIG: writeKubeconfig(api.url), NO_COLOR: '1' };
  dir = tempDir('vmi-submit-');
});
afterEach(async () => api.close());

/**
 * Starts `submit --watch` and waits until the workflow exists and is being watched. `push` writes
 * the controller's status at once; `pushed` also waits until the CLI read the run ledger after
 * it (the watcher reads the ledger after each change of the workflow), so that every state the
 * test walks through is one the CLI sees.
 */
async function submitAndWatch(...extra: string[]): Promise<{ cli: CliProcess; argo: ArgoController; push: () => void; pushed: () => Promise<void> }> {
  const cli = startCli(['submit', '--namespace', 'demo', '--ports', '53', '--no-env', '--watch', ...extra], env);
  await until(() => workflows.openWatches > 0 || cli.stderr().includes('error'), 'the CLI to watch the workflow');
  const argo = new ArgoController(workflows.get('argo', NAME)!, { testDuration: 120 });
  current = argo;
  const push = (): void => void workflows.update('argo', NAME, (current) => ({ ...current, status: argo.snapshot().status }));
  const pushed = async (): Promise<void> => {
    const before = ledger.counts.list;
    push();
    await until(() => ledger.counts.list > before, 'the CLI to read the run ledger');
    // A change seen while a read was in flight is read again after it: wait until reads settle.
    for (let seen = -1; seen !== ledger.counts.list; ) {
      seen = ledger.counts.list;
      await sleep(300);
    }
  };
  return { cli, argo, push, pushed };
}

/** Runs vm-1 through every step, pushing each change. */
async function passOne(argo: ArgoController, pushed: () => Promise<void>, i: number, verify: Record<string, unknown> = verified): Promise<void> {
  for (const step of [
    () => argo.startStep(i, 'inject'),
    () => argo.endStep(i, 'inject', injected),
    () => argo.startHold(i),
    () => argo.endHold(i),
    () => argo.startStep(i, 'verify'),
    () => argo.endStep(i, 'verify', verify),
    () => argo.startStep(i, 'rollback'),
    () => argo.endStep(i, 'rollback', rolledBack),
  ]) {
    step();
    await pushed();
  }
}

async function finishRun(argo: ArgoController, pushed: () => Promise<void>, targets: readonly typeof vm1[], phase: 'Succeeded' | 'Failed'): Promise<void> {
  // The last change ends the run: the CLI reads the ledger once more before its report.
  argo.startExitHandler(targets, phase);
  await pushed();
  targets.forEach((t) => argo.endExitRollback(t, rolledBack));
  argo.finishWorkflow(phase, phase === 'Failed' ? 'child failed' : undefined);
  await pushed();
}

/** The JSON lines of stdout without their timestamps (checked to be there). */
function events(stdout: string): Record<string, unknown>[] {
  return parseLines(stdout).map(({ time, ...rest }) => {
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    return rest;
  });
}

describe('submit --watch (CLI)', () => {
  it('should create the workflow, print one JSON line per change, write the reports and exit 0', async () => {
    const junit = join(dir, 'report.xml');
    const json = join(dir, 'report.json');
    const { cli, argo, pushed } = await submitAndWatch('--report-junit', junit, '--report-json', json);
    expect(workflows.requests[0]).toMatchObject({ verb: 'create', namespace: 'argo', query: {} });
    expect((workflows.requests[0]!.body as ArgoWorkflow).metadata.generateName).toBe('vmi-network-filter-');
    argo.select([vm1]);
    await pushed();
    await passOne(argo, pushed, 0);
    argo.endBranch(0, 'Succeeded');
    await finishRun(argo, pushed, [vm1], 'Succeeded');

    const run = await cli.done;
    expect(run.stderr).toBe(
      `namespace of the workflow: argo (the kubeconfig context names none: Argo's default; -n to choose another)\nworkflow ${NAME} created in namespace argo\nstop it with Ctrl-C (Argo stops it and its exit handler rolls back), or: argo stop -n argo ${NAME}\n`,
    );
    expect(run.code).toBe(0);
    const lines = events(run.stdout);
    const vmiStages = lines.filter((l) => l.event === 'vmi').map((l) => l.stage);
    expect(vmiStages).toEqual(['selected', 'injecting', 'injected', 'holding', 'verifying', 'verifying', 'verified', 'rolling-back', 'rolled-back', 'rolled-back', 'rolled-back']);
    expect(lines.find((l) => l.stage === 'injected')).toEqual({
      event: 'vmi', scenario: 1, vmi: 'demo/vm-1', node: 'worker-1', stage: 'injected', rules: 4, backend: 'nftables', holdSeconds: 120,
      steps: { inject: 'succeeded', hold: 'pending', verify: 'pending', rollback: 'pending', exitRollback: 'pending' },
    });
    expect(lines.filter((l) => l.event === 'workflow').map((l) => [l.phase, (l.exitHandler as { phase: string }).phase])).toEqual([
      ['Pending', 'pending'], // created, not yet picked up by the controller
      ['Running', 'pending'],
      ['Running', 'running'],
      ['Succeeded', 'succeeded'],
    ]);
    const report = lines.at(-1)!;
    expect(report).toMatchObject({ event: 'report', workflow: NAME, phase: 'Succeeded', ok: true, failure: null });
    const { event: _event, ...data } = report;
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(data);
    expect(readFileSync(junit, 'utf8')).toContain('<testsuites name="vmi-network-filter" tests="4" failures="0" errors="0" skipped="0"');
  });

  it('should exit 1 with the failing verify message when verify fails', async () => {
    const { cli, argo, pushed } = await submitAndWatch();
    argo.select([vm1]);
    await pushed();
    await passOne(argo, pushed, 0, { step: 'verify', ok: false, error: 'verification failed: netfilter: rule in-udp-53 missing' });
    argo.endBranch(0, 'Failed');
    await finishRun(argo, pushed, [vm1], 'Failed');
    const run = await cli.done;
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').at(-2)).toBe('error: verify of demo/vm-1 failed: verification failed: netfilter: rule in-udp-53 missing');
    expect(events(run.stdout).at(-1)).toMatchObject({ ok: false, vmis: [{ verify: { outcome: 'failed' }, rollback: { confirmed: true, by: ['branch', 'exit handler'] } }] });
  });

  it('should reconnect from the last resourceVersion after a dropped connection, and re-read after 410 Gone', async () => {
    const { cli, argo, push, pushed } = await submitAndWatch();
    argo.select([vm1]);
    await pushed();
    argo.startStep(0, 'inject').endStep(0, 'inject', injected);
    await pushed();
    await until(() => cli.stdout().includes('"stage":"injected"'), 'the injected event');
    const seen = workflows.get('argo', NAME)!.metadata.resourceVersion!;
    workflows.dropWatches();
    argo.startHold(0);
    push(); // written while no watch is open: the reconnected watch must replay it
    await until(() => workflows.requests.filter((r) => r.verb === 'watch').length === 2, 'the second watch');
    expect(workflows.requests.filter((r) => r.verb === 'watch').map((r) => r.query.resourceVersion)).toEqual([String(Number(seen) - 2), seen]);
    await until(() => cli.stdout().includes('"stage":"holding"'), 'the holding event');

    // Synchronous, so the CLI cannot reconnect in between: it misses an update that then
    // leaves the history, and its resourceVersion is too old.
    workflows.dropWatches();
    argo.endHold(0);
    push();
    workflows.compact();
    await until(() => workflows.requests.filter((r) => r.verb === 'get').length === 2, 'the re-read after 410');
    await passOneRest(argo, pushed);
    const run = await cli.done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`warning: watch of workflow ${NAME} ended (`);
    expect(run.stderr).toContain(`); reconnecting from resourceVersion ${seen} in 250 ms\n`);
    expect(run.stderr).toContain(`is no longer in the watch history (HTTP 410 Gone); reading it again\n`);
    expect(events(run.stdout).filter((l) => l.event === 'vmi').map((l) => l.stage)).toEqual(['selected', 'injected', 'holding', 'verifying', 'verifying', 'verified', 'rolling-back', 'rolled-back', 'rolled-back', 'rolled-back']);
  });

  it('should stop the workflow on Ctrl-C with spec.shutdown Stop and wait for the exit handler', async () => {
    const { cli, argo, push } = await submitAndWatch();
    argo.select([vm1, vm2]);
    push();
    argo.startStep(0, 'inject').endStep(0, 'inject', injected).startHold(0);
    push();
    workflows.onPatch = (workflow) => {
      if (workflow.spec?.shutdown !== 'Stop') return;
      argo.stop().startExitHandler([vm1, vm2], 'Failed', "Stopped with strategy 'Stop'");
      push();
      setTimeout(() => {
        argo.endExitRollback(vm1, rolledBack).endExitRollback(vm2, rolledBack).finishWorkflow('Failed', "Stopped with strategy 'Stop'");
        push();
      }, 300);
    };
    await until(() => cli.stdout().includes('"stage":"holding"'), 'the holding event');
    cli.kill('SIGINT');
    const run = await cli.done;

    const patches = workflows.requests.filter((r) => r.verb === 'patch');
    expect(patches).toEqual([{ verb: 'patch', namespace: 'argo', name: NAME, query: {}, contentType: 'application/merge-patch+json', body: { spec: { shutdown: 'Stop' } } }]);
    const lines = events(run.stdout);
    expect(lines.filter((l) => l.event === 'note').map((l) => l.message)).toEqual([
      `SIGINT: asking Argo to stop workflow ${NAME} (spec.shutdown: Stop); its exit handler rolls back every selected VMI. Waiting up to 300 s for it (Ctrl-C again to stop waiting).`,
      `stop requested: ${NAME} has spec.shutdown: Stop; waiting for the exit handler`,
    ]);
    // The report came after the exit handler finished: both rollbacks confirmed.
    expect(lines.at(-1)).toMatchObject({ event: 'report', phase: 'Failed', stopped: true, ok: false, exitHandler: { phase: 'succeeded', rollbacks: 2, rollbacksDone: 2 } });
    expect((lines.at(-1)!.vmis as { rollback: { confirmed: boolean } }[]).map((v) => v.rollback.confirmed)).toEqual([true, true]);
    expect(run.stderr.split('\n').at(-2)).toBe('error: stopped by SIGINT; every rollback is confirmed');
    expect(run.code).toBe(130);
  });

  it('should give up waiting for the exit handler after --stop-timeout and say so', async () => {
    const { cli, argo, push } = await submitAndWatch('--stop-timeout', '1');
    argo.select([vm1]);
    push();
    await until(() => cli.stdout().includes('"event":"vmi"'), 'the first VMI event');
    cli.kill('SIGTERM');
    const run = await cli.done;
    expect(workflows.get('argo', NAME)!.spec!.shutdown).toBe('Stop');
    expect(run.stderr.split('\n').at(-2)).toBe(`error: the exit handler did not finish within 1 s; it may still be rolling back: argo get -n argo ${NAME}`);
    expect(run.code).toBe(143);
  });
});

/** The rest of passOne after the hold ended, and the end of the run. */
async function passOneRest(argo: ArgoController, pushed: () => Promise<void>): Promise<void> {
  for (const step of [() => argo.startStep(0, 'verify'), () => argo.endStep(0, 'verify', verified), () => argo.startStep(0, 'rollback'), () => argo.endStep(0, 'rollback', rolledBack)]) {
    step();
    await pushed();
  }
  argo.endBranch(0, 'Succeeded');
  await finishRun(argo, pushed, [vm1], 'Succeeded');
}

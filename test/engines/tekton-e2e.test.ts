/**
 * End to end on the real Tekton controller (newest supported): the Tasks, Pipeline and
 * PipelineRun our CLI renders run on the test cluster (real API server, scheduler, kubelet,
 * containerd, Tekton's entrypoint and init images), with our step image, against VMIs whose
 * launchers are real pods, as the service account `generate rbac --engine tekton` creates.
 * During every hold the fleet's real traffic is probed: exactly the held VMIs' asked flows are
 * blocked; after every run everything passes and every launcher's ruleset is what it was before.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../kube/harness.js';
import { CLI_BIN, cli, currentCli, ledgerRecords, nodePods } from './fixtures/argo-run.js';
import { buildFleet, e2eVmis, fleetMismatches, launcherRulesets, SHOP, type Fleet } from './fixtures/fleet.js';
import { vmisWithoutKubelet } from './fixtures/launchers.js';
import { applyAll, createRun, followRun, paramOf, pipelineTaskOf, ran, stepLog, succeeded, type FollowRunOptions } from './fixtures/tekton-run.js';
import { engines, kubeAs, kubeconfigFile } from './setup/context.js';
import type { FilterConfig } from '../netns/helpers/flows.js';

const kube = kubeAs();
const NS = 'tekton-chaos';
let fleet: Fleet;
let initial: Map<string, string>;

beforeAll(async () => {
  const node = engines().nodes[0]!;
  fleet = await buildFleet(kube, node, e2eVmis(node));
  initial = launcherRulesets(fleet);
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await kube.applyYaml(currentCli(['generate', 'rbac', '--engine', 'tekton', '--namespace-of-workflow', NS]));
});
afterAll(async () => {
  await kube.delete('Namespace', NS).catch(() => undefined);
  await fleet?.destroy();
});

/** Applies the Pipeline of a scenario (CLI flags, or a scenario file's text) and creates a run of it. */
async function start(scenario: readonly string[] | string, params: Readonly<Record<string, string>> = {}): Promise<string> {
  let flags: string[];
  let dir: string | undefined;
  if (typeof scenario === 'string') {
    dir = mkdtempSync(join(tmpdir(), 'vnfe-scenario-'));
    writeFileSync(join(dir, 'scenario.yaml'), scenario);
    flags = ['--scenario', join(dir, 'scenario.yaml')];
  } else flags = [...scenario];
  try {
    const name = `vnf-${Date.now().toString(36)}`;
    const common = ['generate', 'tekton', '--image', engines().stepImage, '--name', name, ...flags];
    await applyAll(kube, NS, cli(common));
    return (await createRun(kube, NS, cli([...common, '--kind', 'PipelineRun']), params)).metadata.name;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Follows a run, probing the fleet at every hold with each held VMI's filter. */
async function runProbed(name: string, filterOf: (vmi: string) => FilterConfig, options: Omit<FollowRunOptions, 'onHold'> & { afterProbe?: FollowRunOptions['onHold'] } = {}) {
  const probes: { hold: string; held: readonly string[]; mismatches: string[] }[] = [];
  const result = await followRun(kube, NS, name, {
    ...options,
    onHold: async (held, hold, run) => {
      probes.push({ hold, held, mismatches: await fleetMismatches(fleet, new Map(held.map((v) => [v, filterOf(v)]))) });
      await options.afterProbe?.(held, hold, run);
    },
  });
  return { ...result, probes };
}

/** What the report step logged (its JSON line). */
async function reportOf(taskRuns: readonly Record<string, any>[]): Promise<Record<string, any>> {
  const report = taskRuns.find((tr) => pipelineTaskOf(tr) === 'report');
  if (!report) throw new Error('no report TaskRun');
  const text = await stepLog(kube, report, 'report');
  const line = text.split('\n').find((l) => l.includes('"step":"report"'));
  if (!line) throw new Error(`no report line in: ${text}`);
  return JSON.parse(line);
}

/** The run ledger as sorted lines `<scenario> <ns/name> <record>=<ok>…`. */
async function ledgerLines(run: Record<string, any>): Promise<string[]> {
  const records = await ledgerRecords(kube, NS, run.metadata.uid);
  return [...records].map(([key, r]) => `${key} ${Object.keys(r).sort().map((k) => `${k}=${r[k]}`).join(' ')}`).sort();
}

async function expectRestored(): Promise<void> {
  expect(await fleetMismatches(fleet, new Map())).toEqual([]);
  expect(launcherRulesets(fleet)).toEqual(initial);
}

/** What `watch --engine tekton` did: exit status, output, its JSON events and report, and when it ended. */
interface Watched {
  readonly code: number | null;
  readonly stderr: string;
  readonly events: Record<string, any>[];
  readonly report: Record<string, any>;
  readonly endedAt: number;
}

/**
 * Runs the real CLI's `watch --engine tekton NAME --view json --report-json FILE` with the
 * kubeconfig `config`; `onEvent` sees each JSON line of its view as it comes (and may signal it).
 */
function watchRun(name: string, config: string, onEvent: (event: Record<string, any>, signal: (s: NodeJS.Signals) => void) => void = () => undefined): Promise<Watched> {
  const report = join(dirname(config), 'report.json');
  const child = spawn(process.execPath, [CLI_BIN, 'watch', '--engine', 'tekton', name, '--namespace-of-workflow', NS, '--view', 'json', '--report-json', report], {
    env: { PATH: process.env.PATH, KUBECONFIG: config },
  });
  const events: Record<string, any>[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      const event = JSON.parse(line) as Record<string, any>;
      events.push(event);
      onEvent(event, (s) => child.kill(s));
    }
  });
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, events, report: JSON.parse(readFileSync(report, 'utf8')), endedAt: Date.now() });
    });
  });
}

/** Binds the README's Role for watching Tekton runs to the test identity `vnf-submitter` in NS; returns its kubeconfig. */
async function readmeWatcher(): Promise<string> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const role = parse(/```yaml\n(apiVersion: rbac[^`]*kind: Role\nmetadata: \{name: vmi-network-filter-watcher[^`]*)```/.exec(readme)![1]!) as Record<string, any>;
  expect(role.metadata).toEqual({ name: 'vmi-network-filter-watcher', namespace: 'chaos' });
  await kube.apply({ ...role, metadata: { ...role.metadata, namespace: NS } });
  await kube.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'watcher', namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'vnf-submitter' }] });
  return kubeconfigFile('submitter');
}

/** The stages each VMI went through in a watch's events, in order, repeats dropped. */
function stagesOf(events: readonly Record<string, any>[]): Record<string, string[]> {
  const stages: Record<string, string[]> = {};
  for (const e of events.filter((x) => x.event === 'vmi')) {
    const seen = (stages[e.vmi] ??= []);
    if (seen.at(-1) !== e.stage) seen.push(e.stage);
  }
  return stages;
}

describe('the generated Tekton Pipeline on the real Tekton controller', () => {
  it('should watch a PipelineRun per VMI to its verdict, as a user holding only the Role the README documents', async () => {
    const config = await readmeWatcher();
    try {
      const name = await start(['--namespace', 'shop', '--instance-count', '0', '--execution', 'parallel', '--ports', '443', '--chaos-duration', '6']);
      const watched = await watchRun(name, config);
      expect(watched.stderr).not.toMatch(/forbidden|warning/i);
      expect(watched.code, watched.stderr).toBe(0);
      // Every VMI was seen held, verified and restored, live, from the TaskRuns and the ledger.
      const stages = stagesOf(watched.events);
      expect(Object.keys(stages).sort()).toEqual(SHOP);
      for (const vmi of SHOP) {
        expect(stages[vmi]).toContain('holding');
        expect(stages[vmi]!.at(-1)).toBe('rolled-back');
      }
      const { report } = watched;
      expect([report.kind, report.workflow, report.phase, report.ok, report.exitHandler.phase]).toEqual(['PipelineRun', name, 'Succeeded', true, 'succeeded']);
      // restore (the branch) and finally's rollback both confirmed each VMI.
      expect(report.vmis.map((v: any) => `${v.namespace}/${v.name} ${v.verify.outcome} ${v.blocked.ports} ${v.rollback.by.join('+')}`).sort()).toEqual(
        SHOP.map((v) => `${v} passed 443 branch+exit handler`),
      );
      expect(report.vmis.every((v: any) => v.blocked.rules > 0 && v.blocked.backend && v.steps.hold.seconds >= 6)).toBe(true);
    } finally {
      rmSync(dirname(config), { recursive: true, force: true });
    }
    await expectRestored();
  });

  it('should stop a run on Ctrl-C: no new task, the hold cancelled, finally restoring every VMI at once; exit 130', async () => {
    const config = await readmeWatcher();
    try {
      const name = await start(['--namespace', 'shop', '--instance-count', '0', '--execution', 'parallel', '--chaos-duration', '300']);
      let signalledAt = 0;
      const holding = new Set<string>();
      const watched = await watchRun(name, config, (event, signal) => {
        if (event.event === 'vmi' && event.stage === 'holding') holding.add(event.vmi);
        if (holding.size === SHOP.length && !signalledAt) {
          signalledAt = Date.now();
          signal('SIGINT');
        }
      });
      expect(signalledAt).toBeGreaterThan(0);
      expect(watched.code, watched.stderr).toBe(130);
      expect(watched.stderr.trim().split('\n').at(-1)).toBe('error: stopped by SIGINT; every rollback is confirmed');
      // Rolled back by finally well before the 300 s hold (or the kernel deadline) would end.
      expect(watched.endedAt - signalledAt).toBeLessThan(90_000);
      const run = await kube.get('PipelineRun', name, NS);
      expect(run.spec.status).toBe('StoppedRunFinally');
      const taskRuns = await kube.list('TaskRun', NS, `tekton.dev/pipelineRun=${name}`);
      expect(ran(taskRuns)).toEqual(['select Succeeded', 'inject Succeeded', 'hold TaskRunCancelled', 'rollback Succeeded', 'report Succeeded'].sort());
      expect(await ledgerLines(run)).toEqual(SHOP.map((v) => `1 ${v} exit-rollback=true inject=true`));
      const { report } = watched;
      expect([report.stopped, report.ok, report.vmis.map((v: any) => `${v.name} ${v.rollback.confirmed} ${v.rollback.by.join('+')}`).sort()]).toEqual([
        true,
        false,
        SHOP.map((v) => `${v.split('/')[1]} true exit handler`),
      ]);
    } finally {
      rmSync(dirname(config), { recursive: true, force: true });
    }
    await expectRestored();
  });

  it('should fault the selected VMIs in serial rounds, block exactly their flows, and restore everything', async () => {
    const dns: FilterConfig = { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };
    const name = await start(['--namespace', 'shop', '--instance-count', '0', '--ports', '53', '--chaos-duration', '5']);
    const { run, taskRuns, probes } = await runProbed(name, () => dns);
    expect(succeeded(run)?.status, succeeded(run)?.message).toBe('True');
    // Three VMIs: rounds 1–3 ran one VMI each; rounds 4 and 5 (instance_count 0 → 5 rounds) skipped.
    expect(probes.map((p) => p.hold)).toEqual(['hold-r1', 'hold-r2', 'hold-r3']);
    expect(probes.map((p) => p.held.length)).toEqual([1, 1, 1]);
    expect(probes.flatMap((p) => p.held).sort()).toEqual(SHOP);
    for (const p of probes) expect(p.mismatches).toEqual([]);
    const node = engines().nodes[0]!;
    expect(ran(taskRuns)).toEqual(
      ['select Succeeded', 'report Succeeded', 'rollback Succeeded', ...[1, 2, 3].flatMap((r) => [`inject-r${r}@${node} Succeeded`, `hold-r${r} Succeeded`, `verify-r${r}@${node} Succeeded`, `rollback-r${r}@${node} Succeeded`])].sort(),
    );
    // Round r+1 starts after round r's rollback ended.
    const at = (task: string, field: 'startTime' | 'completionTime'): string => taskRuns.find((tr) => pipelineTaskOf(tr) === task)!.status[field];
    for (const r of [1, 2]) expect(at(`inject-r${r + 1}`, 'startTime') >= at(`rollback-r${r}`, 'completionTime')).toBe(true);
    expect((await reportOf(taskRuns)).status).toBe('Succeeded');
    // Each round's pods recorded their VMI in the run ledger, finally's rollback every VMI.
    expect(await ledgerLines(run)).toEqual(SHOP.map((v) => `1 ${v} exit-rollback=true inject=true rollback=true verify=true`));
    // Every node pod succeeded and was deleted by its fan-out.
    expect(await nodePods(kube, run)).toEqual([]);
    await expectRestored();
    // The ledger is garbage-collected with its PipelineRun.
    await kube.delete('PipelineRun', name, NS);
    await kube.waitFor('the ledger to go with its PipelineRun', () => kube.list('ConfigMap', NS, `vmi-network-filter.io/run=${run.metadata.uid}`), (l) => l.length === 0, 60_000, 1000);
  });

  it('should fault every VMI at once when parallel, and fail the run when a VMI migrates during the hold', async () => {
    const ingress: FilterConfig = { ingress: true, egress: false, ports: [], protocols: ['tcp'] };
    const name = await start(['--namespace', 'shop', '--instance-count', '0', '--execution', 'parallel', '--egress', 'false', '--protocols', 'tcp', '--chaos-duration', '8']);
    const { run, taskRuns, probes } = await runProbed(name, () => ingress, {
      // virt-handler reports the VM on another node: its fault is lost; verify must say so.
      afterProbe: async () => void (await kube.mergePatch('VirtualMachineInstance', 'web-masq', 'shop', { status: { nodeName: 'node-elsewhere' } })),
    });
    await kube.mergePatch('VirtualMachineInstance', 'web-masq', 'shop', { status: { nodeName: engines().nodes[0] } });
    expect(probes.map((p) => [p.hold, p.held, p.mismatches])).toEqual([['hold', SHOP, []]]);
    expect(succeeded(run)?.status).toBe('False');
    const node = engines().nodes[0]!;
    // One TaskRun per step, one node pod each for all three VMIs; verify fails for the moved one,
    // so the restore after it is skipped and finally's rollback restores every VMI.
    // A failed step's TaskRun: reason StepFailed on v1.15, Failed on v1.3.
    const reasons = ran(taskRuns).map((r) => r.replace(/ StepFailed$/, ' Failed'));
    expect(reasons).toEqual(['select Succeeded', 'inject Succeeded', 'hold Succeeded', 'verify Failed', 'rollback Succeeded', 'report Succeeded'].sort());
    // Only the failed verify's node pod is left, for its logs, until its PipelineRun goes.
    expect(await nodePods(kube, run)).toEqual([`verify ${node} Failed`]);
    expect((await reportOf(taskRuns)).status).toBe('Failed');
    // The moved VMI failed its verify, the others passed on the same pod; finally rolled all back.
    expect(await ledgerLines(run)).toEqual([
      '1 shop/web-masq exit-rollback=true inject=true verify=false',
      '1 shop/web-masq2 exit-rollback=true inject=true verify=true',
      '1 shop/web-passt exit-rollback=true inject=true verify=true',
    ]);
    await expectRestored();
    await kube.delete('PipelineRun', name, NS);
    await kube.waitFor('the node pods to go with their PipelineRun', () => nodePods(kube, run), (l) => l.length === 0, 60_000, 1000);
  });

  for (const mode of ['CancelledRunFinally', 'StoppedRunFinally'] as const) {
    it(`should restore every VMI from finally alone when the run is ${mode === 'CancelledRunFinally' ? 'cancelled gracefully' : 'stopped'} during the hold, and not report it as a success`, async () => {
      const name = await start(['--namespace', 'shop', '--instance-count', '0', '--execution', 'parallel', '--chaos-duration', mode === 'CancelledRunFinally' ? '120' : '10']);
      let stoppedAt = 0;
      const { run, taskRuns } = await followRun(kube, NS, name, {
        onHold: async (held) => {
          expect(held).toEqual(SHOP);
          stoppedAt = Date.now();
          await kube.mergePatch('PipelineRun', name, NS, { spec: { status: mode } });
        },
      });
      expect(stoppedAt).toBeGreaterThan(0);
      expect(succeeded(run)?.status).toBe('False');
      // Cancelled: the hold's TaskRun is cancelled at once. Stopped: it runs to its end, then
      // nothing new starts. Either way verify and the restore never run; finally does.
      expect(ran(taskRuns)).toEqual(['select Succeeded', 'inject Succeeded', `hold ${mode === 'CancelledRunFinally' ? 'TaskRunCancelled' : 'Succeeded'}`, 'rollback Succeeded', 'report Succeeded'].sort());
      if (mode === 'CancelledRunFinally') expect(Date.now() - stoppedAt).toBeLessThan(60_000);
      expect((await reportOf(taskRuns)).status).not.toBe('Succeeded');
      await expectRestored();
    });
  }

  it('should hold for the test_duration a run sets, not the one the Pipeline was generated with', async () => {
    // Raised from 1 s to 12 s for this run only (the old hold timeout was generated test_duration
    // + 300 s: a run raising it past that failed at hold).
    const name = await start(['--namespace', 'shop', '--target', 'web-passt', '--execution', 'parallel', '--chaos-duration', '1'], { test_duration: '12' });
    const dns: FilterConfig = { ingress: true, egress: true, ports: [], protocols: ['tcp', 'udp'] };
    const { run, taskRuns, probes } = await runProbed(name, () => dns);
    expect(succeeded(run)?.status, succeeded(run)?.message).toBe('True');
    expect(probes.map((p) => [p.held, p.mismatches])).toEqual([[['shop/web-passt'], []]]);
    const hold = taskRuns.find((tr) => pipelineTaskOf(tr) === 'hold')!;
    expect(paramOf(hold, 'seconds')).toBe('12');
    expect(Date.parse(hold.status.completionTime) - Date.parse(hold.status.startTime)).toBeGreaterThanOrEqual(12_000);
    // Bounded by the run's timeouts, not by a per-task timeout fixed at generation.
    expect(hold.spec.timeout).not.toBe('5m1s');
    await expectRestored();
  });

  it('should run two scenarios in parallel mode one after the other, each VMI faulted only during its own scenario', async () => {
    const filters = new Map<string, FilterConfig>([
      ['staging/web-staging', { ingress: true, egress: true, ports: [80], protocols: ['tcp', 'udp'] }],
      ['shop/web-passt', { ingress: true, egress: true, ports: [443], protocols: ['tcp', 'udp'] }],
    ]);
    const name = await start(
      '- id: vmi_network_filter\n  namespace: staging\n  execution: parallel\n  ports: [80]\n  test_duration: 5\n  wait_duration: 3\n- id: vmi_network_filter\n  namespace: shop\n  target: web-passt\n  execution: parallel\n  ports: [443]\n  test_duration: 5\n',
    );
    const { run, probes } = await runProbed(name, (v) => filters.get(v)!);
    expect(succeeded(run)?.status, succeeded(run)?.message).toBe('True');
    // During scenario 2's hold, scenario 1's VMI passes again (probed as not held).
    expect(probes.map((p) => [p.hold, p.held, p.mismatches])).toEqual([
      ['hold-1', ['staging/web-staging'], []],
      ['hold-2', ['shop/web-passt'], []],
    ]);
    await expectRestored();
  });

  /**
   * Runs a parallel scenario on `namespace` and expects select to fail, before any fault, with
   * its `step` (select, or results) saying `message`: nothing was injected, finally's rollback
   * found no run ledger (nothing to roll back), the report ran.
   */
  async function expectRefusedInSelect(namespace: string, message: RegExp, step = 'select'): Promise<void> {
    const name = await start(['--namespace', namespace, '--instance-count', '0', '--execution', 'parallel', '--chaos-duration', '2']);
    const { run, taskRuns } = await followRun(kube, NS, name);
    expect(succeeded(run)?.status).toBe('False');
    expect(ran(taskRuns).filter((t) => !t.startsWith('select '))).toEqual(['report Succeeded', 'rollback Succeeded']);
    const select = taskRuns.find((tr) => pipelineTaskOf(tr) === 'select')!;
    expect(await stepLog(kube, select, step)).toMatch(message);
  }

  it('should run a selection over 70 nodes with one TaskRun per step and empty results, record why each unreachable node was not faulted, and leave no pod', async () => {
    // 70 VMIs, each on its own unreachable node with a long name. Before the fan-out, their node
    // names (4.6 kB) overflowed select's 4 KB termination message; now the results stay empty.
    const names = Array.from({ length: 70 }, (_, i) => `density-vm-${String(i).padStart(3, '0')}`);
    const paper = await vmisWithoutKubelet(kube, { namespace: 'big-fleet', names, node: (i) => `paper-node-with-a-rather-long-name-for-a-density-test-${String(i).padStart(3, '0')}` });
    try {
      const name = await start(['--namespace', 'big-fleet', '--instance-count', '0', '--execution', 'parallel', '--chaos-duration', '2', '--expiry-grace', '5']);
      const { run, taskRuns } = await followRun(kube, NS, name, { timeoutMs: 300_000 });
      expect(succeeded(run)?.status).toBe('False');
      // inject's 70 node pods stay Pending (untolerated unreachable taint) until the 5 s
      // deadline: inject fails, the Pipeline stops, finally's rollback meets the same.
      expect(ran(taskRuns).map((r) => r.replace(/ StepFailed$/, ' Failed'))).toEqual(['inject Failed', 'report Succeeded', 'rollback Failed', 'select Succeeded']);
      const select = taskRuns.find((tr) => pipelineTaskOf(tr) === 'select')!;
      expect(JSON.stringify(select.status.results).length).toBeLessThan(200);
      const lines = await ledgerLines(run);
      expect(lines).toHaveLength(70);
      expect(new Set(lines.map((l) => l.split(' ').slice(2).join(' ')))).toEqual(new Set(['exit-rollback=false inject=false']));
      const part = (await kube.list('ConfigMap', NS, `vmi-network-filter.io/run=${run.metadata.uid},vmi-network-filter.io/ledger=node`))[0]!;
      // Each node pod is pinned to its VMI's node: every other node, the kubelet nodes among them, is ruled out by its affinity.
      const n = names.length + engines().nodes.length;
      expect(JSON.parse(part.data['inject.0']).detail).toMatch(
        new RegExp(`^node pod TimedOut: not ended within 5 s \\(Pending: Unschedulable: 0/${n} nodes are available: .*\\b${n - 1} node\\(s\\) didn't satisfy plugin\\(s\\) \\[NodeAffinity\\].*\\); deleted$`),
      );
      expect(await nodePods(kube, run)).toEqual([]);
    } finally {
      await paper.destroy();
    }
  });

  it('should refuse in select, before any fault, a Tekton older than 1.3, the oldest release tested', async () => {
    const version = (await kube.get('ConfigMap', 'pipelines-info', 'tekton-pipelines')).data.version as string;
    expect(version).toBe(engines().tekton.version);
    await kube.mergePatch('ConfigMap', 'pipelines-info', 'tekton-pipelines', { data: { version: 'v1.2.0' } });
    try {
      await expectRefusedInSelect('shop', /Tekton Pipelines v1\.2\.0 is older than 1\.3\.0/);
    } finally {
      await kube.mergePatch('ConfigMap', 'pipelines-info', 'tekton-pipelines', { data: { version } });
    }
  });
});

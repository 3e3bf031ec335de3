/**
 * `submit` without watching, and `watch NAME` with the TTY view: what is sent to the API server
 * (create, dry runs, workflowTemplateRef), the RBAC message of a 403, and the terminal view as
 * a user sees it (NO_COLOR, 80 columns). The built CLI in its own process; `npm run build` first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ArgoWorkflow } from '../../kube/argo-workflow.js';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { FakeWorkflows } from '../kube/fake-workflows.js';
import { runCli, tempDir, writeKubeconfig } from '../kube/harness.js';
import { FakeConfigMaps } from '../kube/fake-ledger.js';
import { ArgoController, testTarget } from './argo-controller.js';
import { startCli, until } from './cli-process.js';

let api: FakeKubeApi;
let workflows: FakeWorkflows;
let env: Record<string, string>;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  workflows = FakeWorkflows.on(api);
  env = { KUBECONFIG: writeKubeconfig(api.url) };
});
afterEach(async () => api.close());

describe('submit (CLI)', () => {
  it('should create the workflow and print its name and how to follow it', async () => {
    const run = await runCli(['submit', '--namespace', 'demo', '--ports', '53', '--namespace-of-workflow', 'chaos'], env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        'workflow vmi-network-filter-abcde created in namespace chaos',
        'follow it: vmi-network-filter watch vmi-network-filter-abcde -n chaos',
        '      or: argo watch -n chaos vmi-network-filter-abcde   (logs: argo logs -n chaos vmi-network-filter-abcde -f)',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(0);
    const stored = workflows.get('chaos', 'vmi-network-filter-abcde')!;
    expect(stored.spec!.arguments!.parameters!.filter((p) => ['namespace', 'ports'].includes(p.name)).map((p) => [p.name, p.value])).toEqual([['namespace', 'demo'], ['ports', '53']]);
    expect(stored.spec!.onExit).toBe('cleanup');
  });

  it('should name the missing permission of the submitting user on a 403', async () => {
    workflows.deny('create');
    const run = await runCli(['submit', '--namespace', 'demo'], env);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      "namespace of the workflow: argo (the kubeconfig context names none: Argo's default; -n to choose another)\n" +
        'error: forbidden (HTTP 403): RBAC does not allow create workflows.argoproj.io in namespace "argo"; the submitting user needs create, get, watch, patch on "workflows.argoproj.io"; list on "configmaps"; get on "namespaces" there (a Role and RoleBinding, see "Submit and watch" in the README). API server: workflows.argoproj.io is forbidden: User "alice@example.com" cannot create resource "workflows" in API group "argoproj.io" in the namespace "argo"\n',
    );
    expect(run.code).toBe(1);
    expect(workflows.requests.map((r) => r.verb)).toEqual(['create']); // never retried
  });

  it('should print the workflow without contacting the API with --dry-run client', async () => {
    const run = await runCli(['submit', '--namespace', 'demo', '--dry-run', 'client'], env);
    expect(run.code).toBe(0);
    const [object] = [parse(run.stdout) as ArgoWorkflow];
    expect([object.kind, object.metadata.generateName]).toEqual(['Workflow', 'vmi-network-filter-']);
    expect(api.requests).toEqual([]);
  });

  it('should have the API server validate and name the workflow with --dry-run server, creating nothing', async () => {
    const run = await runCli(['submit', '--namespace', 'demo', '--dry-run', 'server'], env);
    expect(run.stderr).toBe("namespace of the workflow: argo (the kubeconfig context names none: Argo's default; -n to choose another)\n" + 'workflow vmi-network-filter-abcde validated by the API server in namespace argo (server dry run: nothing was created)\n');
    expect(run.code).toBe(0);
    expect((parse(run.stdout) as ArgoWorkflow).metadata.name).toBe('vmi-network-filter-abcde');
    expect(workflows.requests.map((r) => [r.verb, r.query.dryRun])).toEqual([['create', 'All']]);
    expect(workflows.get('argo', 'vmi-network-filter-abcde')).toBeUndefined();
  });

  it('should run an installed WorkflowTemplate with only the values given as arguments', async () => {
    const run = await runCli(['submit', '--from-template', 'dns-blackout', '--namespace', 'prod', '--chaos-duration', '60'], { ...env, PORTS: '53,853' });
    expect(run.code).toBe(0);
    expect(workflows.get('argo', 'dns-blackout-abcde')!.spec).toEqual({
      workflowTemplateRef: { name: 'dns-blackout' },
      arguments: { parameters: [{ name: 'test_duration', value: '60' }, { name: 'namespace', value: 'prod' }, { name: 'ports', value: '53,853' }] },
    });
  });

  it('should refuse a report file without --watch, and the old --output junit FILE, before creating anything (exit 2)', async () => {
    const run = await runCli(['submit', '--namespace', 'demo', '--report-junit', 'r.xml'], env);
    expect([run.code, run.stderr]).toEqual([2, 'error: --report-junit and --report-json write the report of a watched run; add --watch\n']);
    const old = await runCli(['submit', '--namespace', 'demo', '--watch', '--output', 'junit', 'r.xml'], env);
    expect([old.code, old.stderr]).toEqual([2, 'error: -o/--output is the output format (yaml, json, name), not "junit"; write the report with --report-junit FILE or --report-json FILE\n']);
    expect(api.requests).toEqual([]);
  });

  it('should refuse --engine tekton, saying how to start a Tekton run and watch it, before creating anything (exit 2)', async () => {
    const run = await runCli(['submit', '--namespace', 'demo', '--engine', 'tekton', '--watch'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: submit creates Argo Workflows; start a Tekton run with: vmi-network-filter generate tekton --kind PipelineRun … | kubectl create -n NS -f -, then follow it with: vmi-network-filter watch --engine tekton NAME -n NS\n',
    );
    expect(api.requests).toEqual([]);
  });
});

describe('watch NAME (CLI, TTY view)', () => {
  it('should redraw the view in place and end with the report', async () => {
    const vm1 = testTarget('vm-1', 'worker-1');
    const parameters = [{ name: 'ports', value: '' }, { name: 'ingress', value: 'true' }, { name: 'egress', value: 'true' }, { name: 'protocols', value: 'tcp' }];
    // The workflow as the controller left it mid-run: inject done.
    const argo = new ArgoController({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'chaos-1', namespace: 'argo', uid: 'uid-chaos-1' }, spec: { arguments: { parameters } } }, { testDuration: 30 });
    const served = FakeConfigMaps.on(api, () => argo.configMaps());
    const created = await fetch(`${api.url}/apis/argoproj.io/v1alpha1/namespaces/argo/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(argo.workflow) });
    expect(created.status).toBe(201);
    const push = (): void => void workflows.update('argo', 'chaos-1', (current) => ({ ...current, status: argo.snapshot().status }));
    argo.select([vm1]).startStep(0, 'inject').endStep(0, 'inject', { ok: true, backend: 'iptables', rules: ['a', 'b'] });
    push();

    const junit = join(tempDir('vmi-watch-'), 'report.xml');
    const cli = startCli(['watch', 'chaos-1', '-n', 'argo', '--view', 'tty', '--report-junit', junit], { ...env, NO_COLOR: '1', COLUMNS: '80' });
    await until(() => workflows.openWatches > 0 && served.counts.list > 0, 'the watch and its first read of the run ledger');
    argo.startHold(0).endHold(0).startStep(0, 'verify').endStep(0, 'verify', { ok: true }).startStep(0, 'rollback').endStep(0, 'rollback', { ok: true }).endBranch(0, 'Succeeded');
    const before = served.counts.list;
    push();
    // The CLI reads the ledger after each change of the workflow: one frame per change.
    await until(() => served.counts.list > before, 'the ledger read after the change');
    argo.startExitHandler([vm1], 'Succeeded').endExitRollback(vm1, { ok: true }).finishWorkflow('Succeeded');
    push();
    const run = await cli.done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/\x1b\[3\dm/); // NO_COLOR: no colour codes, only cursor movement
    const frames = run.stdout.split(/\x1b\[\d+A\r\x1b\[J/);
    expect(frames).toHaveLength(3); // drawn once, redrawn twice in place
    await expect(frames.at(-1)).toMatchFileSnapshot('./snapshots/watch-tty-final.txt');
    expect(readFileSync(junit, 'utf8')).toContain('tests="4" failures="0" errors="0" skipped="0"');
  });
});

/**
 * Which namespace a run goes to, as kubectl and argo decide it: `-n`, else the kubeconfig
 * context's namespace, else the engine's default (argo; default for Tekton), said on stderr when
 * it was not given; `--kubeconfig` and `--context` choose the configuration. The built CLI
 * against a local fake API server.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { FakeWorkflows } from '../kube/fake-workflows.js';
import { runCli, tempDir, writeKubeconfig } from '../kube/harness.js';

let api: FakeKubeApi;
let workflows: FakeWorkflows;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  workflows = FakeWorkflows.on(api);
});
afterEach(async () => api.close());

/** A clean environment: no ~/.kube/config of the machine, no krkn-hub variables. */
const envWith = (kubeconfig: string): Record<string, string> => ({ KUBECONFIG: kubeconfig, HOME: tempDir('vmi-home-'), NO_COLOR: '1' });
const submit = ['submit', '--namespace', 'demo', '--dry-run', 'server', '-o', 'name'];

describe('-n/--namespace-of-workflow default', () => {
  it("should take the kubeconfig context's namespace, and say so", async () => {
    const run = await runCli(submit, envWith(writeKubeconfig(api.url, { namespace: 'chaos' })));
    expect(run).toEqual({
      code: 0,
      stdout: 'vmi-network-filter-abcde\n',
      stderr: 'namespace of the workflow: chaos (from kubeconfig context "local"; -n to choose another)\nworkflow vmi-network-filter-abcde validated by the API server in namespace chaos (server dry run: nothing was created)\n',
    });
    expect(workflows.requests.map((r) => [r.verb, r.namespace])).toEqual([['create', 'chaos']]);
  });

  it("should fall back to argo when the context names none, and say so", async () => {
    const run = await runCli(submit, envWith(writeKubeconfig(api.url)));
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([0, "namespace of the workflow: argo (the kubeconfig context names none: Argo's default; -n to choose another)"]);
    expect(workflows.requests.map((r) => r.namespace)).toEqual(['argo']);
  });

  it('should take -n as given, saying nothing about it', async () => {
    const run = await runCli([...submit, '-n', 'team-a'], envWith(writeKubeconfig(api.url, { namespace: 'chaos' })));
    expect([run.code, run.stderr]).toEqual([0, 'workflow vmi-network-filter-abcde validated by the API server in namespace team-a (server dry run: nothing was created)\n']);
    expect(workflows.requests.map((r) => r.namespace)).toEqual(['team-a']);
  });

  it("should default generate rbac's namespace the same way, with Tekton's default for --engine tekton", async () => {
    const withContext = await runCli(['generate', 'rbac'], envWith(writeKubeconfig(api.url, { namespace: 'chaos' })));
    expect([withContext.code, withContext.stderr]).toEqual([0, 'namespace of the workflow: chaos (from kubeconfig context "local"; -n to choose another)\n']);
    expect(parse(withContext.stdout.split(/^---$/m)[0]!).metadata.namespace).toBe('chaos');
    const tekton = await runCli(['generate', 'rbac', '--engine', 'tekton'], envWith(writeKubeconfig(api.url)));
    expect([tekton.code, tekton.stderr]).toEqual([0, "namespace of the PipelineRun: default (the kubeconfig context names none: kubectl's default; -n to choose another)\n"]);
    expect(parseAllDocuments(tekton.stdout)[0]!.toJS().metadata.namespace).toBe('default');
    expect(api.requests).toEqual([]); // rendering reads the kubeconfig, never the API
  });
});

describe('--kubeconfig and --context', () => {
  it('should use the context --context names, and its namespace', async () => {
    const run = await runCli([...submit, '--context', 'qa'], envWith(writeKubeconfig(api.url, { namespace: 'chaos', otherContexts: { qa: 'qa-chaos' } })));
    expect([run.code, run.stderr.split('\n')[0]]).toEqual([0, 'namespace of the workflow: qa-chaos (from kubeconfig context "qa"; -n to choose another)']);
    expect(workflows.requests.map((r) => r.namespace)).toEqual(['qa-chaos']);
  });

  it('should refuse a context the kubeconfig lacks before choosing a namespace or sending anything', async () => {
    const kubeconfig = writeKubeconfig(api.url);
    const run = await runCli([...submit, '--context', 'prod'], envWith(kubeconfig));
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error: no usable Kubernetes API configuration: --context prod: KUBECONFIG ${kubeconfig} has no such context (it has: local)\n` });
    expect(api.requests).toEqual([]);
  });

  it('should read --kubeconfig instead of KUBECONFIG', async () => {
    const run = await runCli([...submit, '--kubeconfig', writeKubeconfig(api.url, { namespace: 'from-flag' })], envWith(join(tempDir(), 'missing-kubeconfig')));
    expect([run.code, run.stdout]).toEqual([0, 'vmi-network-filter-abcde\n']);
    expect(workflows.requests.map((r) => r.namespace)).toEqual(['from-flag']);
  });

  it('should take both on watch, reading the run where they point', async () => {
    const run = await runCli(['watch', 'no-such-run', '--kubeconfig', writeKubeconfig(api.url, { otherContexts: { qa: 'qa-chaos' } }), '--context', 'qa', '--view', 'json'], envWith(join(tempDir(), 'missing')));
    expect(run.stderr.split('\n')[0]).toBe('namespace of the workflow: qa-chaos (from kubeconfig context "qa"; -n to choose another)');
    expect(run.code).toBe(1);
    expect(workflows.requests.map((r) => [r.verb, r.namespace, r.name])).toContainEqual(['get', 'qa-chaos', 'no-such-run']);
  });
});

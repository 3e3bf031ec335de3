/**
 * `submit` checks the workflow namespace's Pod Security level before creating anything: the
 * built CLI in its own process against the local API server (`npm run build` first), with the
 * requests the server received as the proof of what was (not) created.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ARGO_SUBMITTER_GRANTS } from '../../kube/workflows.js';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { FakeNamespaces } from '../kube/fake-namespaces.js';
import { FakeWorkflows } from '../kube/fake-workflows.js';
import { REPO_ROOT, runCli, writeKubeconfig } from '../kube/harness.js';

const SUBMIT = ['submit', '--namespace', 'demo', '--ports', '53', '--namespace-of-workflow', 'chaos'];
const FIX = 'kubectl label ns chaos pod-security.kubernetes.io/enforce=privileged --overwrite';
const CREATED = [
  'workflow vmi-network-filter-abcde created in namespace chaos',
  'follow it: vmi-network-filter watch vmi-network-filter-abcde -n chaos',
  '      or: argo watch -n chaos vmi-network-filter-abcde   (logs: argo logs -n chaos vmi-network-filter-abcde -f)',
  '',
].join('\n');

let api: FakeKubeApi;
let namespaces: FakeNamespaces;
let workflows: FakeWorkflows;
let env: Record<string, string>;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  namespaces = FakeNamespaces.on(api);
  workflows = FakeWorkflows.on(api);
  env = { KUBECONFIG: writeKubeconfig(api.url), NO_COLOR: '1' };
});
afterEach(async () => api.close());

describe('submit: Pod Security of the workflow namespace', () => {
  it.each(['restricted', 'baseline'])('should refuse a namespace enforcing %s before creating anything (exit 2), with the kubectl line that fixes it', async (level) => {
    namespaces.put('chaos', { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/enforce-version': 'latest' });
    const run = await runCli(SUBMIT, env);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: the node pods would be refused in namespace "chaos": its Pod Security level is "${level}" (label pod-security.kubernetes.io/enforce), and node pods mount a host path and add capabilities as root, which only "privileged" allows; nothing was created. Allow them with: ${FIX}\n`,
    );
    expect(run.code).toBe(2);
    // The namespace read, and no other request: no create was sent.
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/namespaces/chaos']);
    expect(workflows.requests).toEqual([]);
  });

  it('should refuse the same way with --from-template and with --dry-run server: the node pods still run in that namespace', async () => {
    namespaces.put('chaos', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const template = await runCli(['submit', '--from-template', 'dns-blackout', '--namespace', 'prod', '--namespace-of-workflow', 'chaos'], env);
    expect([template.code, template.stderr]).toEqual([
      2,
      `error: the node pods would be refused in namespace "chaos": its Pod Security level is "restricted" (label pod-security.kubernetes.io/enforce), and node pods mount a host path and add capabilities as root, which only "privileged" allows; nothing was created. Allow them with: ${FIX}\n`,
    ]);
    const dryRun = await runCli([...SUBMIT, '--dry-run', 'server'], env);
    expect(dryRun.code).toBe(2);
    expect(workflows.requests).toEqual([]);
    expect(namespaces.gets).toEqual(['chaos', 'chaos']);
  });

  it('should create the workflow, saying nothing more, when the namespace enforces privileged', async () => {
    namespaces.put('chaos', { 'pod-security.kubernetes.io/enforce': 'privileged' });
    const run = await runCli(SUBMIT, env);
    expect([run.code, run.stderr, run.stdout]).toEqual([0, '', CREATED]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/namespaces/chaos', 'POST /apis/argoproj.io/v1alpha1/namespaces/chaos/workflows']);
  });

  it("should create the workflow with a note on stderr when the namespace has no enforce label: the cluster's default applies", async () => {
    namespaces.put('chaos', { 'pod-security.kubernetes.io/warn': 'restricted' });
    const run = await runCli(SUBMIT, env);
    expect(run.stderr).toBe(
      `note: namespace "chaos" has no pod-security.kubernetes.io/enforce label: the cluster's default Pod Security level applies (privileged unless the API server's admission configuration sets another); if it is not privileged the node pods will be refused, allow them with: ${FIX}\n`,
    );
    expect([run.code, run.stdout]).toEqual([0, CREATED]);
    expect(workflows.get('chaos', 'vmi-network-filter-abcde')).toBeDefined();
  });

  it('should create the workflow with a warning naming the permission when the user may not get namespaces', async () => {
    namespaces.deny();
    const run = await runCli(SUBMIT, env);
    expect(run.stderr).toBe(
      'warning: could not read the Pod Security level of namespace "chaos" (HTTP 403: the submitting user may not get namespaces; the Role of "Submit and watch" in the README grants it for "chaos" alone); submitting without that check\n',
    );
    expect([run.code, run.stdout]).toEqual([0, CREATED]);
    expect(workflows.requests.map((r) => r.verb)).toEqual(['create']);
  });

  it('should leave a namespace that does not exist to the create, as before the check', async () => {
    const run = await runCli(SUBMIT, env);
    expect([run.code, run.stderr, run.stdout]).toEqual([0, '', CREATED]);
    expect(namespaces.gets).toEqual(['chaos']);
    expect(workflows.requests.map((r) => r.verb)).toEqual(['create']);
  });

  it('should go on with a warning when the API server fails the read, retrying it once only', async () => {
    namespaces.put('chaos', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    api.fault({ status: 500, message: 'etcdserver: request timed out' }, { times: 2, matches: (r) => r.path === '/api/v1/namespaces/chaos' });
    const run = await runCli(SUBMIT, env);
    expect(run.stderr).toMatch(/^warning: retrying get namespaces "chaos" at cluster scope in \d+ ms after HTTP 500 \(attempt 2 of 2\)\n/);
    expect(run.stderr.split('\n').slice(1)).toEqual([
      'warning: could not read the Pod Security level of namespace "chaos" (cannot get namespaces "chaos" at cluster scope: HTTP 500 InternalError: etcdserver: request timed out (after 2 attempts)); submitting without that check',
      '',
    ]);
    expect(run.code).toBe(0);
    expect(workflows.requests.map((r) => r.verb)).toEqual(['create']);
  });

  it('should not read the namespace with --dry-run client, which sends nothing', async () => {
    namespaces.put('chaos', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const run = await runCli([...SUBMIT, '--dry-run', 'client'], env);
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(api.requests).toEqual([]);
  });
});

describe("the README's submitter Role", () => {
  it('should grant every verb submit and watch use, get on the namespace included, as rules of the Role the real-engine test binds', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    // The Argo real-engine test finds the Role with this pattern.
    const role = parse(/```yaml\n(apiVersion: rbac[^`]*kind: Role\n[^`]*)```/.exec(readme)![1]!) as { metadata: unknown; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    expect(role.metadata).toEqual({ name: 'vmi-network-filter-submitter', namespace: 'argo' });
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] });
    for (const grant of ARGO_SUBMITTER_GRANTS) {
      const rule = role.rules.find((r) => r.apiGroups.includes(grant.resource.group) && r.resources.includes(grant.resource.plural));
      expect(rule?.verbs, grant.resource.plural).toEqual(expect.arrayContaining([...grant.verbs]));
    }
  });
});

/**
 * RBAC and Pod Security admission on the real API server.
 *
 * The steps need every rule `generate rbac` grants: with any one verb taken away, the first step
 * that needs it fails with our message naming the verb and the resource. The steps run here as
 * processes on the node (as a node step's container does, on the host's /proc), authenticating
 * with a token of the generated ServiceAccount (TokenRequest): what is under test is the API
 * server's real RBAC answer to their requests, not the pod around them (the e2e runs use the
 * same ServiceAccount inside real pods). The Argo executor's own rule (workflowtaskresults) is
 * checked on a real run.
 * A namespace whose Pod Security level is `restricted` fails a run at once with the admission's
 * reason, and the exit handler still ends it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cli, documents, follow, nodesOf, submit } from './fixtures/argo-run.js';
import { launcherRulesets } from './fixtures/fleet.js';
import { startVmi, type TestVmi } from './fixtures/launchers.js';
import { engines, kubeAs, kubeconfigWithToken } from './setup/context.js';

type Obj = Record<string, any>;
const kube = kubeAs();
const NS = 'argo';
const SA = 'vnf-rbac-probe';
const RESOURCES_OF_ARGO = new Set(['workflowtaskresults']);
let vmi: TestVmi;
let kubeconfig: string;
let rbac: Obj[];
let initial: Map<string, string>;
const work = mkdtempSync(join(tmpdir(), 'vnfe-rbac-'));

const clusterRole = (): Obj => rbac.find((o) => o.kind === 'ClusterRole')!;

beforeAll(async () => {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rbac-probe' } });
  vmi = await startVmi(kube, { namespace: 'rbac-probe', name: 'vm-rbac', binding: 'masquerade', node: engines().nodes[0]! });
  initial = launcherRulesets({ vmis: [vmi] });
  rbac = documents(cli(['generate', 'rbac', '--name', SA, '--namespace-of-workflow', NS]));
  for (const o of rbac) await kube.apply(o);
  const token = await kube.call('POST', `/api/v1/namespaces/${NS}/serviceaccounts/${SA}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
  kubeconfig = kubeconfigWithToken(token.status.token);
});

afterAll(async () => {
  await vmi?.destroy();
  for (const o of rbac ?? []) await kube.delete(o.kind, o.metadata.name, o.metadata.namespace).catch(() => undefined);
  await kube.delete('Namespace', 'rbac-probe').catch(() => undefined);
  if (kubeconfig) rmSync(dirname(kubeconfig), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const SCENARIO = JSON.stringify({ id: 'vmi_network_filter', namespace: 'rbac-probe', target: 'vm-rbac', ports: [80], test_duration: 30 });

/** One step as its container runs it, as the probe ServiceAccount; exit status and what it said. */
function step(name: string, args: readonly string[]): { status: number | null; said: string } {
  const out = join(work, `${name}.json`);
  rmSync(out, { force: true });
  const r = spawnSync(process.execPath, [CLI_BIN, 'step', name, '--scenario', SCENARIO, `--out=${out}`, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig },
    timeout: 120_000,
  });
  let result = '';
  try {
    result = readFileSync(out, 'utf8');
  } catch {
    // no result written
  }
  return { status: r.status, said: `${r.stderr}\n${result}` };
}

/** select, then inject, verify and rollback of its one target under `runId`; the first failure, or undefined. */
function runSteps(runId: string): { step: string; said: string } | undefined {
  const select = step('select', []);
  if (select.status !== 0) return { step: 'select', said: select.said };
  const targets = JSON.parse(readFileSync(join(work, 'select.json'), 'utf8')) as Obj[];
  expect(targets.map((t) => `${t.namespace}/${t.name}`)).toEqual(['rbac-probe/vm-rbac']);
  for (const name of ['inject', 'verify', 'rollback']) {
    const r = step(name, [`--target=${JSON.stringify(targets[0])}`, `--run-id=${runId}`, '--proc=/proc']);
    if (r.status !== 0) return { step: name, said: r.said };
  }
  return undefined;
}

/** Sets the probe ClusterRole's rules (RBAC changes reach the authorizer within a second or so). */
async function setRules(rules: readonly Obj[]): Promise<void> {
  await kube.apply({ ...clusterRole(), rules });
  await new Promise((r) => setTimeout(r, 1500));
}

/** Every (rule, verb) of the generated ClusterRole, the rules without it, and its words. */
function removals(): { resource: string; verb: string; rules: Obj[] }[] {
  const rules = clusterRole().rules as Obj[];
  return rules.flatMap((rule, i) =>
    (rule.verbs as string[]).flatMap((verb) =>
      (rule.resources as string[]).map((plural) => {
        const group = (rule.apiGroups as string[])[0]!;
        const without = rules.map((r, j) => (j === i ? { ...r, verbs: (r.verbs as string[]).filter((v) => v !== verb) } : r)).filter((r) => (r.verbs as string[]).length > 0);
        return { resource: group === '' ? plural : `${plural}.${group}`, verb, rules: without };
      }),
    ),
  );
}

describe('RBAC on the real API server', () => {
  it('should run select, inject, verify and rollback with exactly the generated rules', () => {
    expect(runSteps('rbac-all')).toBeUndefined();
    expect(launcherRulesets({ vmis: [vmi] })).toEqual(initial);
  });

  it('should fail the first step that needs a rule taken away, naming its verb and resource', async () => {
    const full = clusterRole().rules as Obj[];
    const outcomes: string[] = [];
    try {
      for (const [i, r] of removals().entries()) {
        if (RESOURCES_OF_ARGO.has(r.resource.split('.')[0]!)) continue;
        await setRules(r.rules);
        const failed = runSteps(`rbac-${i}`);
        outcomes.push(`without ${r.verb} ${r.resource}: ${failed ? `${failed.step} fails` : 'every step passes'}`);
        if (failed) expect(failed.said, `${r.verb} ${r.resource}`).toContain(`RBAC does not allow ${r.verb} ${r.resource}`);
        // A step that failed after inject leaves its rules: roll back with every rule again.
        await setRules(full);
        const vmiTarget = step('select', []);
        expect(vmiTarget.status).toBe(0);
        const target = readFileSync(join(work, 'select.json'), 'utf8');
        expect(step('rollback', [`--target=${JSON.stringify(JSON.parse(target)[0])}`, `--run-id=rbac-${i}`, '--proc=/proc']).status).toBe(0);
      }
    } finally {
      await setRules(full);
    }
    // Each removal breaks a step: none of the generated rules is unneeded.
    expect(outcomes.filter((o) => o.endsWith('every step passes'))).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(4);
    expect(launcherRulesets({ vmis: [vmi] })).toEqual(initial);
  });
});

describe('RBAC and Pod Security on the real Argo controller', () => {
  const yaml = (...flags: string[]): string =>
    cli(['generate', 'argo', '--image', engines().stepImage, '--service-account', SA, '--namespace', 'rbac-probe', '--ports', '80', '--chaos-duration', '2', ...flags]);

  it('should fail a run whose service account may not write workflowtaskresults, not hang it', async () => {
    const full = clusterRole().rules as Obj[];
    await setRules(full.filter((r) => !(r.resources as string[]).includes('workflowtaskresults')));
    try {
      const started = Date.now();
      const created = await submit(kube, NS, yaml());
      const wf = await follow(kube, NS, created.metadata.name, { timeoutMs: 300_000 });
      const nodes = Object.values(nodesOf(wf));
      expect(wf.status.phase, JSON.stringify(nodes.map((n) => [n.displayName, n.phase, n.message]))).not.toBe('Succeeded');
      expect(nodes.map((n) => n.message ?? '').join('\n')).toMatch(/workflowtaskresults/);
      expect(Date.now() - started).toBeLessThan(240_000);
    } finally {
      await setRules(full);
    }
    expect(launcherRulesets({ vmis: [vmi] })).toEqual(initial);
  });

  it('should fail a run at once with the admission reason in a namespace whose Pod Security level is restricted', async () => {
    const label = (level: string | null): Promise<Obj> => kube.mergePatch('Namespace', NS, undefined, { metadata: { labels: { 'pod-security.kubernetes.io/enforce': level } } });
    await label('restricted');
    try {
      const started = Date.now();
      const created = await submit(kube, NS, yaml());
      const wf = await follow(kube, NS, created.metadata.name, { timeoutMs: 180_000 });
      expect(wf.status.phase).not.toBe('Succeeded');
      const nodes = Object.values(nodesOf(wf));
      const select = nodes.find((n) => n.displayName === 'select');
      expect(select?.message).toMatch(/violates PodSecurity "restricted/);
      expect(Date.now() - started).toBeLessThan(120_000);
    } finally {
      await label(null);
    }
    expect(launcherRulesets({ vmis: [vmi] })).toEqual(initial);
  });
});

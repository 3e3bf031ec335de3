/**
 * RBAC and Pod Security admission on the real API server.
 *
 * The steps need every rule `generate rbac` grants: with any one verb taken away, the first step
 * that needs it fails (or, for a clean-up, warns) with our message naming the verb and the
 * resource. select, the fan-outs and verdict run here as processes, authenticating with a token of
 * the generated ServiceAccount (TokenRequest); the fan-outs' node pods are real pods under that
 * account: what is under test is the API server's real RBAC answer to every request. The Argo executor's own rule (workflowtaskresults) is
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

/** The generated ClusterRole (VMIs, pods) and Role (the run ledger in the workflow namespace). */
const roles = (): Obj[] => rbac.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');

beforeAll(async () => {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rbac-probe' } });
  vmi = await startVmi(kube, { namespace: 'rbac-probe', name: 'vm-rbac', binding: 'masquerade', node: engines().nodes[0]! });
  initial = launcherRulesets({ vmis: [vmi] });
  rbac = documents(cli(['generate', 'rbac', '--name', SA, '--namespace-of-workflow', NS]));
  generated = new Map(roles().map((r) => [r.kind as string, r.rules as Obj[]]));
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

const scenario = (): string => JSON.stringify({ id: 'vmi_network_filter', namespace: 'rbac-probe', target: 'vm-rbac', ports: [80], test_duration: 30, image: engines().stepImage });

/** One step as its container runs it, as the probe ServiceAccount; exit status and what it said. */
function step(name: string, args: readonly string[]): { status: number | null; said: string; logged: string } {
  const out = join(work, `${name}.json`);
  rmSync(out, { force: true });
  const given = name === 'verdict' ? [] : ['--scenario', scenario()];
  // select checks the engine by reading its own pod, as in a workflow (here: the launcher's pod).
  const engine = name === 'select' ? ['--engine=argo'] : [];
  const r = spawnSync(process.execPath, [CLI_BIN, 'step', name, ...given, ...engine, `--out=${out}`, ...args], {
    encoding: 'utf8',
    // A fan-out's node pods run under the account its own pod has (here: the probe's).
    env: { PATH: process.env.PATH, KUBECONFIG: kubeconfig, POD_NAME: vmi.launcher.name, POD_NAMESPACE: vmi.launcher.namespace, POD_SERVICE_ACCOUNT: SA },
    timeout: 120_000,
  });
  let result = '';
  try {
    result = readFileSync(out, 'utf8');
  } catch {
    // no result written
  }
  return { status: r.status, said: `${r.stderr}\n${result}`, logged: r.stdout };
}

/**
 * A Workflow that never runs (suspended, nothing to schedule): the owner of one probe run's
 * ledger. Its uid is the run id; deleting it lets the garbage collector delete the ledger.
 */
async function ownerRun(): Promise<Obj> {
  return kube.create({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'rbac-owner-', namespace: NS },
    spec: { suspend: true, entrypoint: 'wait', templates: [{ name: 'wait', suspend: {} }] },
  });
}

/** The node steps' ledger flags of the run owned by `owner`. */
const ledgerFlags = (owner: Obj): string[] => [`--run-id=${owner.metadata.uid}`, `--ledger-namespace=${NS}`];

/** The fan-out of `record` for the run owned by `owner`, as the workflows run it. */
const fanOut = (owner: Obj, record: string): ReturnType<typeof step> =>
  step('fan-out', [record, ...ledgerFlags(owner), `--owner=Workflow/${owner.metadata.name}`, '--poll-seconds=1']);

/**
 * As the workflows run them: select into the run ledger of a new owner run, then the inject,
 * verify and rollback fan-outs (a node pod each, from the ledger), then the verdict from it; the
 * first failure, or undefined with the steps' logs. The owner run is deleted after (its ledger
 * and any node pod left with it).
 */
async function runSteps(): Promise<{ step?: string; said: string; logged: { step: string; log: string }[] }> {
  const owner = await ownerRun();
  const logged: { step: string; log: string }[] = [];
  try {
    const select = step('select', [...ledgerFlags(owner), `--owner=Workflow/${owner.metadata.name}`]);
    logged.push({ step: 'select', log: select.logged });
    if (select.status !== 0) return { step: 'select', said: select.said, logged };
    for (const name of ['inject', 'verify', 'rollback']) {
      const r = fanOut(owner, name);
      logged.push({ step: name, log: r.logged });
      if (r.status !== 0) return { step: name, said: r.said, logged };
    }
    const verdict = step('verdict', ledgerFlags(owner));
    if (verdict.status !== 0) return { step: 'verdict', said: verdict.said, logged };
    return { said: '', logged };
  } finally {
    // Whatever failed: this run's rules go, with every rule granted.
    await setRules(generated);
    step('rollback', [...ledgerFlags(owner), `--node=${engines().nodes[0]}`, '--proc=/proc']);
    await kube.delete('Workflow', owner.metadata.name, NS);
  }
}

let generated: Map<string, Obj[]>;

/** Sets the probe roles' rules (RBAC changes reach the authorizer within a second or so). */
async function setRules(rules: ReadonlyMap<string, readonly Obj[]>): Promise<void> {
  for (const role of roles()) await kube.apply({ ...role, rules: rules.get(role.kind) });
  await new Promise((r) => setTimeout(r, 1500));
}

/** Every (role, rule, verb) generated, the rules without it, and its words. */
function removals(): { resource: string; verb: string; rules: Map<string, Obj[]> }[] {
  return roles().flatMap((role) => {
    const rules = role.rules as Obj[];
    return rules.flatMap((rule, i) =>
      (rule.verbs as string[]).flatMap((verb) =>
        (rule.resources as string[]).map((plural) => {
          const group = (rule.apiGroups as string[])[0]!;
          const without = rules.map((r, j) => (j === i ? { ...r, verbs: (r.verbs as string[]).filter((v) => v !== verb) } : r)).filter((r) => (r.verbs as string[]).length > 0);
          return { resource: group === '' ? plural : `${plural}.${group}`, verb, rules: new Map([...generated, [role.kind as string, without]]) };
        }),
      ),
    );
  });
}

describe('RBAC on the real API server', () => {
  it('should run select, the inject, verify and rollback fan-outs and the verdict through the run ledger with exactly the generated rules, and the ledger go with its run', async () => {
    const owner = await ownerRun();
    const ledger = `vmi-network-filter.io/run=${owner.metadata.uid}`;
    const select = step('select', [...ledgerFlags(owner), `--owner=Workflow/${owner.metadata.name}`]);
    expect(select.status, select.said).toBe(0);
    // One node part and the scenario's index, owned by the run.
    const objects = await kube.list('ConfigMap', NS, ledger);
    expect(objects.map((o) => o.metadata.labels['vmi-network-filter.io/ledger']).sort()).toEqual(['index', 'node']);
    for (const o of objects) expect(o.metadata.ownerReferences).toEqual([{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: owner.metadata.name, uid: owner.metadata.uid }]);
    for (const name of ['inject', 'verify', 'rollback']) {
      const r = fanOut(owner, name);
      expect(r.status, `${name}: ${r.said}`).toBe(0);
      // One node pod, run under the probe account; it succeeded, and its fan-out deleted it.
      expect(JSON.parse(readFileSync(join(work, 'fan-out.json'), 'utf8')).outcomes).toEqual([{ pod: expect.any(String), node: engines().nodes[0], end: 'Succeeded', detail: '' }]);
    }
    expect(await kube.list('Pod', NS, `${ledger},vmi-network-filter.io/role=node-step`)).toEqual([]);
    const verdict = step('verdict', ledgerFlags(owner));
    expect(verdict.status, verdict.said).toBe(0);
    const part = (await kube.list('ConfigMap', NS, `${ledger},vmi-network-filter.io/ledger=node`))[0]!;
    expect(Object.keys(part.data).sort()).toEqual(['inject.0', 'node', 'rollback.0', 'scenario', 'targets', 'verify.0']);
    expect(launcherRulesets({ vmis: [vmi] })).toEqual(initial);
    // The garbage collector deletes the ledger with its run.
    await kube.delete('Workflow', owner.metadata.name, NS);
    await kube.waitFor('the ledger to be garbage-collected with its run', () => kube.list('ConfigMap', NS, ledger), (l) => l.length === 0, 60_000, 1000);
  });

  it('should fail the first step that needs a rule taken away, naming its verb and resource', async () => {
    const outcomes: string[] = [];
    try {
      for (const r of removals()) {
        if (RESOURCES_OF_ARGO.has(r.resource.split('.')[0]!)) continue;
        await setRules(r.rules);
        // runSteps restores every rule before its own clean-up rollback.
        const outcome = await runSteps();
        const words = `RBAC does not allow ${r.verb} ${r.resource}`;
        // select's engine check reads its own pod, and a fan-out deletes its node pods when they
        // succeeded: without the right, each warns and lets the run be.
        const warned = outcome.logged.find((l) => l.log.includes(words))?.step;
        outcomes.push(`without ${r.verb} ${r.resource}: ${outcome.step ? `${outcome.step} fails` : warned ? `${warned} warns` : 'every step passes'}`);
        if (outcome.step) expect(outcome.said, `${r.verb} ${r.resource}`).toContain(`RBAC does not allow ${r.verb} ${r.resource}`);
      }
    } finally {
      await setRules(generated);
    }
    // Each removal breaks a step or (select's engine check) is named in a warning: none is unneeded.
    expect(outcomes.sort()).toEqual([
      'without create configmaps: select fails',
      'without create pods: inject fails',
      'without delete pods: inject warns',
      'without get configmaps: inject fails',
      'without get pods: select warns',
      'without list configmaps: verdict fails',
      'without list pods: select fails',
      'without list virtualmachineinstances.kubevirt.io: select fails',
      'without patch configmaps: inject fails',
    ]);
    expect(launcherRulesets({ vmis: [vmi] })).toEqual(initial);
  });
});

describe('RBAC and Pod Security on the real Argo controller', () => {
  const yaml = (...flags: string[]): string =>
    cli(['generate', 'argo', '--image', engines().stepImage, '--service-account', SA, '--namespace', 'rbac-probe', '--ports', '80', '--chaos-duration', '2', ...flags]);

  it('should fail a run whose service account may not write workflowtaskresults, not hang it', async () => {
    const namespaced = generated.get('Role')!.filter((r) => !(r.resources as string[]).includes('workflowtaskresults'));
    await setRules(new Map([...generated, ['Role', namespaced]]));
    try {
      const started = Date.now();
      const created = await submit(kube, NS, yaml());
      const wf = await follow(kube, NS, created.metadata.name, { timeoutMs: 300_000 });
      const nodes = Object.values(nodesOf(wf));
      expect(wf.status.phase, JSON.stringify(nodes.map((n) => [n.displayName, n.phase, n.message]))).not.toBe('Succeeded');
      expect(nodes.map((n) => n.message ?? '').join('\n')).toMatch(/workflowtaskresults/);
      expect(Date.now() - started).toBeLessThan(240_000);
    } finally {
      await setRules(generated);
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

/**
 * What a node pod can reach on a real kubelet (issue 18, least privilege). The pods are exactly
 * what the fan-out creates (`nodePod()`: mounts, capabilities, seccomp), run by the real kubelet,
 * containerd and runc of the test cluster, with only their command replaced by a probe:
 *
 * - the default profile (pinned namespaces, NET_ADMIN + SYS_ADMIN) enters the launcher's
 *   namespace pinned by containerd in /var/run/netns, and cannot reach another process's files;
 * - the --proc-discovery profile (the host's /proc, SYS_PTRACE) can: the reason it is opt-in.
 *
 * That inject, verify and rollback work through the pinned namespaces with real packets is what
 * every run of argo-e2e, tekton-e2e and onset-e2e does (their node pods use the default profile).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePod } from '../../steps/fan-out/node-pod.js';
import { startSecretHolder, type SecretHolder } from '../netns/helpers/secret-holder.js';
import { startVmi, type TestVmi } from './fixtures/launchers.js';
import { engines, kubeAs } from './setup/context.js';

const kube = kubeAs();
const NS = 'node-privilege';
let vmi: TestVmi;
let victim: SecretHolder;

/** The probe a node pod runs instead of its step: what it can see, enter and read, as JSON. */
const PROBE = `
const fs = require('fs');
const { execFileSync } = require('child_process');
const [victimPid, victimDir, podIp] = process.argv.slice(1);
const attempt = (f) => { try { return { ok: true, value: f() }; } catch (e) { return { ok: false, error: e.code ?? String(e.message).split('\\n')[0] }; } };
const pinned = attempt(() => fs.readdirSync('/host/run/netns'));
const launcher = (pinned.value ?? []).filter((n) => attempt(() => execFileSync('nsenter', ['--net=/host/run/netns/' + n, '--', 'ip', '-j', 'addr', 'show'], { encoding: 'utf8' })).value?.includes('"' + podIp + '"'));
// Prefixed: a log that is JSON would reach us parsed, not as text.
console.log('probe ' + JSON.stringify({
  ownProcesses: fs.readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).length,
  launcherPinned: launcher.length,
  enterLauncher: launcher.length === 1 ? attempt(() => execFileSync('nsenter', ['--net=/host/run/netns/' + launcher[0], '--', 'nft', 'list', 'tables'], { encoding: 'utf8' }).length >= 0) : { ok: false, error: 'not found' },
  ownProc: attempt(() => fs.readFileSync('/proc/' + victimPid + '/root' + victimDir + '/secret', 'utf8')),
  hostProc: attempt(() => fs.readFileSync('/host/proc/' + victimPid + '/root' + victimDir + '/secret', 'utf8')),
  hostProcWrite: attempt(() => fs.writeFileSync('/host/proc/' + victimPid + '/root' + victimDir + '/planted', 'x')),
}));
`;

/** Runs the probe in a node pod of `profile` on the VMI's node; its JSON. */
async function probe(name: string, procDiscovery: boolean): Promise<Record<string, any>> {
  const pod = nodePod(
    {
      namespace: NS,
      owner: { apiVersion: 'v1', kind: 'ConfigMap', name: 'unused', uid: '00000000-0000-4000-8000-000000000000' },
      scenario: 1,
      step: 'verify',
      record: 'verify',
      image: engines().stepImage,
      serviceAccount: 'default',
      tolerations: [],
      privileged: false,
      procDiscovery,
      env: [],
      deadlineSeconds: 120,
    },
    { node: vmi.node },
  );
  const container = (pod.spec.containers as Record<string, unknown>[])[0]!;
  const spec = { ...pod.spec, containers: [{ ...container, imagePullPolicy: 'Never', command: ['node', '-e', PROBE], args: [String(victim.pid), victim.dir, vmi.launcher.ip] }] };
  // No owner: the garbage collector would delete a pod whose owner does not exist.
  await kube.create({ ...pod, metadata: { ...pod.metadata, name, ownerReferences: undefined }, spec });
  const ended = await kube.waitFor(`probe pod ${name} to end`, () => kube.get('Pod', name, NS), (p) => ['Succeeded', 'Failed'].includes(p.status?.phase), 120_000);
  const log = String((await kube.call('GET', `/api/v1/namespaces/${NS}/pods/${name}/log`)).raw ?? '').trim();
  try {
    return JSON.parse(log.replace(/^probe /, '')) as Record<string, any>;
  } catch {
    throw new Error(`probe pod ${name} ended ${ended.status?.phase} without its JSON; log: ${log || '(empty)'}; status: ${JSON.stringify(ended.status?.containerStatuses ?? ended.status)}`);
  }
}

beforeAll(async () => {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  vmi = await startVmi(kube, { namespace: NS, name: 'vm-priv', binding: 'passt', node: engines().nodes[0]! });
  victim = await startSecretHolder('vnfe-victim-');
});
afterAll(async () => {
  victim?.stop();
  await vmi?.destroy();
  await kube.delete('Namespace', NS).catch(() => undefined);
});

describe('node pods on a real kubelet', () => {
  it("should enter the launcher's namespace pinned by containerd, and reach no other process's files, with the default profile", async () => {
    const seen = await probe('probe-pinned', false);
    console.log(`default node pod: ${JSON.stringify(seen)}`);
    expect(seen).toEqual({
      ownProcesses: 1,
      launcherPinned: 1,
      enterLauncher: { ok: true, value: true },
      ownProc: { ok: false, error: 'ENOENT' },
      hostProc: { ok: false, error: 'ENOENT' },
      hostProcWrite: { ok: false, error: 'ENOENT' },
    });
  });

  it("should show why /proc discovery is opt-in: with the host's /proc and SYS_PTRACE a node pod reads and writes another process's files", async () => {
    const seen = await probe('probe-proc', true);
    console.log(`--proc-discovery node pod: ${JSON.stringify(seen)}`);
    expect(seen).toMatchObject({ ownProcesses: 1, launcherPinned: 0, hostProc: { ok: true, value: 's3cret' }, hostProcWrite: { ok: true } });
  });
});

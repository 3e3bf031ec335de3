/**
 * The node steps without the host's /proc (issue 18, least privilege): the launcher is found
 * among the network namespaces the runtime pins as files (containerd and CRI-O: /var/run/netns),
 * by the pod's IP and the binding's interfaces, and passt's uid by its sockets. Real packets
 * through real namespaces; the pin directory is ours (bind mounts of the topology's namespaces,
 * like the runtime's), so that parallel tests reusing the same addresses cannot interfere.
 *
 * The last block runs the steps as a node pod runs them: in their own pid namespace with their
 * own /proc, and only NET_ADMIN and SYS_ADMIN in the capability bounding set (what the
 * generated node pods get), and checks that what the issue showed (reading and writing another
 * process's files through /proc/PID/root) worked with the old profile and no longer does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scenarioJson, targetJson, type CliRun } from './helpers/cli.js';
import { matrixMismatches, type FilterConfig } from './helpers/flows.js';
import { rulesetSnapshot } from './helpers/ruleset.js';
import { startSecretHolder, type SecretHolder } from './helpers/secret-holder.js';
import { uniqueRunId } from './helpers/scenario-case.js';
import { ADDR, buildTopology, sh, type Role, type TestBinding, type Topology } from './helpers/topology.js';

const DNS: FilterConfig = { ingress: true, egress: true, ports: [53], protocols: ['tcp', 'udp'] };
const POD_IPS = [ADDR.pod4, ADDR.pod6];
/** What a generated node pod keeps: its own pid namespace and /proc, NET_ADMIN and SYS_ADMIN. */
const NODE_POD = ['unshare', '--mount', '--pid', '--fork', '--mount-proc', 'setpriv', '--bounding-set', '-all,+net_admin,+sys_admin'];
/** The profile before issue 18: the host's /proc, and SYS_PTRACE on top. */
const OLD_NODE_POD = ['setpriv', '--bounding-set', '-all,+net_admin,+sys_admin,+sys_ptrace'];

/** A directory of bind-mounted namespace files, as the runtime keeps /var/run/netns. */
interface PinDir {
  readonly dir: string;
  readonly pin: (name: string, netnsPath: string) => string;
  readonly unpin: (name: string) => void;
  readonly remove: () => void;
}

function pinDir(): PinDir {
  const dir = mkdtempSync(join(tmpdir(), 'vnft-pins-'));
  const pinned = new Set<string>();
  const unpin = (name: string): void => {
    if (pinned.delete(name)) sh(['umount', join(dir, name)]);
    rmSync(join(dir, name), { force: true });
  };
  return {
    dir,
    pin: (name, netnsPath) => {
      writeFileSync(join(dir, name), '');
      sh(['mount', '--bind', netnsPath, join(dir, name)]);
      pinned.add(name);
      return join(dir, name);
    },
    unpin,
    remove: () => {
      for (const name of [...pinned]) unpin(name);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ROLES: readonly Role[] = ['node', 'peer', 'other', 'launcher', 'launcher2'];

function step(name: 'inject' | 'verify' | 'rollback', runId: string, dir: string, binding: string, extra: Record<string, unknown> = {}, scenario = true): string[] {
  return ['step', name, `--target=${targetJson(binding, { launcherPodIPs: POD_IPS, ...extra })}`, `--run-id=${runId}`, `--netns-dir=${dir}`, ...(scenario && name !== 'rollback' ? [`--scenario=${scenarioJson(DNS)}`] : [])];
}

/** inject, verify and rollback found through `pins`, with the matrix probed in between. */
async function fullCycle(t: Topology, pins: PinDir, wrapper: readonly string[] = []): Promise<{ inject: CliRun; verify: CliRun; rollback: CliRun }> {
  const before = rulesetSnapshot(t.path('launcher'));
  const before2 = rulesetSnapshot(t.path('launcher2'));
  const runId = uniqueRunId('pinned');
  const inject = await runCli(step('inject', runId, pins.dir, t.binding), true, {}, wrapper);
  expect(inject.stderr).toBe('');
  expect(inject.result).toMatchObject({ ok: true, netns: join(pins.dir, 'launcher') });
  expect(await matrixMismatches(t, DNS)).toEqual([]);
  expect(rulesetSnapshot(t.path('launcher2'))).toBe(before2);
  const verify = await runCli(step('verify', runId, pins.dir, t.binding), true, {}, wrapper);
  expect(verify.code).toBe(0);
  const rollback = await runCli(step('rollback', runId, pins.dir, t.binding), true, {}, wrapper);
  expect(rollback.code).toBe(0);
  expect(rulesetSnapshot(t.path('launcher'))).toBe(before);
  expect(await matrixMismatches(t, undefined)).toEqual([]);
  return { inject, verify, rollback };
}

describe.each(['masquerade', 'bridge', 'passt'] as const satisfies readonly TestBinding[])('launcher found among pinned namespaces (%s)', (binding) => {
  let t: Topology;
  let pins: PinDir;
  beforeAll(async () => {
    t = await buildTopology({ binding });
    pins = pinDir();
    for (const role of [...ROLES, ...(binding === 'passt' ? [] : (['guest', 'guest2'] as const))]) pins.pin(role, t.path(role));
  });
  afterAll(async () => {
    pins?.remove();
    await t?.destroy();
  });

  it('should find the launcher by its pod IP, block only its VM and roll back byte-for-byte', async () => {
    const { inject, rollback } = await fullCycle(t, pins);
    // bridge: the guest carries the pod IP too, but holds no k6t bridge: not a candidate that counts.
    const relayLog = inject.logs.find((l) => String(l.msg).startsWith('relay '));
    if (binding === 'passt') expect(relayLog?.msg).toMatch(/^relay passt runs as uid 65534 \(the owner of \d+ sockets in the namespace\)$/);
    else expect(relayLog).toBeUndefined();
    expect(rollback.result).toMatchObject({ ok: true, netns: [...(binding === 'bridge' ? [join(pins.dir, 'guest')] : []), join(pins.dir, 'launcher')], gone: false });
  });
});

describe('pinned namespaces: what is refused', () => {
  let t: Topology;
  let pins: PinDir;
  const decoys: string[] = [];
  beforeAll(async () => {
    t = await buildTopology({ binding: 'passt' });
    pins = pinDir();
    for (const role of ROLES) pins.pin(role, t.path(role));
  });
  afterAll(async () => {
    pins?.remove();
    for (const d of decoys) sh(['ip', 'netns', 'del', d]);
    await t?.destroy();
  });

  it('should say the launcher is gone when no pinned namespace carries its IP, and roll back as done', async () => {
    const gone = ['10.244.9.9'];
    const inject = await runCli(step('inject', uniqueRunId('gone'), pins.dir, 'passt', { launcherPodIPs: gone }));
    expect(inject.code).toBe(1);
    expect(inject.stderr).toBe(`error: the launcher of vnft/vm-a has no network namespace (no namespace pinned in ${pins.dir} carries pod IP 10.244.9.9)\n`);
    const rollback = await runCli(step('rollback', uniqueRunId('gone'), pins.dir, 'passt', { launcherPodIPs: gone }));
    expect(rollback.code).toBe(0);
    expect(rollback.result).toMatchObject({ ok: true, gone: true, removed: [] });
  });

  it("should refuse passt when the relay's uid cannot be told from another socket owner's", async () => {
    const sidecar = spawn('nsenter', [`--net=${t.path('launcher')}`, '--', 'setpriv', '--reuid=1337', '--regid=1337', '--clear-groups', process.execPath, '-e', "require('net').createServer().listen(15001, () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => sidecar.stdout!.once('data', resolve));
      const inject = await runCli(step('inject', uniqueRunId('sidecar'), pins.dir, 'passt'));
      expect(inject.code).toBe(1);
      expect(inject.stderr).toMatch(new RegExp(`^error: the namespaces pinned in ${pins.dir} with pod IP ${ADDR.pod4}, ${ADDR.pod6} hold no passt launcher: ${pins.dir}/launcher: sockets of several non-root uids in this network namespace: uid 65534 \\(.+\\); uid 1337 \\(tcp \\*:15001\\); cannot tell which is the passt relay \\(with --proc-discovery the relay is found by its process name\\)\\n$`));
      expect(rulesetSnapshot(t.path('launcher'))).not.toMatch(/vnf/);
    } finally {
      sidecar.kill('SIGKILL');
    }
  });

  it('should refuse to guess between two namespaces that both carry the pod IP and look like a launcher', async () => {
    const decoy = `vnft-decoy-${process.pid}`;
    sh(['ip', 'netns', 'add', decoy]);
    decoys.push(decoy);
    sh(['ip', '-n', decoy, 'tuntap', 'add', 'dev', 'eth0', 'mode', 'tap']);
    sh(['ip', '-n', decoy, 'addr', 'add', `${ADDR.pod4}/24`, 'dev', 'eth0']);
    const relay = spawn('nsenter', [`--net=/run/netns/${decoy}`, '--', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', "require('dgram').createSocket('udp4').bind(5353, () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    pins.pin('decoy', `/run/netns/${decoy}`);
    try {
      await new Promise((resolve) => relay.stdout!.once('data', resolve));
      const inject = await runCli(step('inject', uniqueRunId('twice'), pins.dir, 'passt'));
      expect(inject.code).toBe(1);
      expect(inject.stderr).toBe(`error: 2 namespaces pinned in ${pins.dir} carry pod IP ${ADDR.pod4}, ${ADDR.pod6} and look like a passt launcher (${pins.dir}/decoy, ${pins.dir}/launcher); refusing to guess\n`);
    } finally {
      relay.kill('SIGKILL');
      pins.unpin('decoy');
    }
  });

  it('should refuse a directory that pins nothing, and one that does not exist, naming the fallback', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'vnft-nopins-'));
    try {
      writeFileSync(join(empty, 'stale'), ''); // a file left after its namespace was unpinned
      const inject = await runCli(step('inject', uniqueRunId('empty'), empty, 'passt'));
      expect(inject.code).toBe(1);
      expect(inject.stderr).toBe(`error: ${empty} pins no network namespace (if the container runtime does not pin network namespaces there, run the node steps with --proc-discovery)\n`);
      const missing = await runCli(step('rollback', uniqueRunId('missing'), join(empty, 'nope'), 'passt'));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`error: cannot read ${join(empty, 'nope')}: ENOENT (mount the node's /var/run/netns there; if the container runtime does not pin network namespaces there, run the node steps with --proc-discovery)\n`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('should sweep every pinned namespace of the directory: expired runs of ours only, in each', async () => {
    const [expiring, lasting] = [uniqueRunId('exp'), uniqueRunId('last')];
    const inject = (netns: string, runId: string, duration: number) =>
      runCli(['step', 'inject', `--target=${targetJson('passt')}`, `--run-id=${runId}`, `--netns=${netns}`, `--scenario=${scenarioJson(DNS, duration)}`]);
    const before = [rulesetSnapshot(t.path('launcher')), rulesetSnapshot(t.path('launcher2'))];
    const a = await inject(t.path('launcher'), expiring, 10);
    const b = await inject(t.path('launcher2'), lasting, 5000);
    expect([a.code, b.code]).toEqual([0, 0]);
    const sweep = await runCli(['step', 'sweep', `--netns-dir=${pins.dir}`, `--now=${(a.result?.expiresAt as number) + 1}`]);
    expect(sweep.code).toBe(0);
    const byNetns = Object.fromEntries((sweep.result?.namespaces as { netns: string; removed: { runId: string }[]; kept: { runId: string }[] }[]).map((n) => [n.netns, n]));
    expect(Object.keys(byNetns).sort()).toEqual(ROLES.map((r) => join(pins.dir, r)).sort());
    expect(byNetns[join(pins.dir, 'launcher')]).toMatchObject({ removed: [{ runId: expiring }], kept: [] });
    expect(byNetns[join(pins.dir, 'launcher2')]).toMatchObject({ removed: [], kept: [{ runId: lasting }] });
    expect(rulesetSnapshot(t.path('launcher'))).toBe(before[0]);
    expect((await runCli(['step', 'rollback', `--target=${targetJson('passt')}`, `--run-id=${lasting}`, `--netns=${t.path('launcher2')}`])).code).toBe(0);
    expect(rulesetSnapshot(t.path('launcher2'))).toBe(before[1]);
  });

  it('should refuse a target without pod IPs when told to look among pinned namespaces (exit 2)', async () => {
    const run = await runCli(['step', 'inject', `--target=${targetJson('passt')}`, `--run-id=${uniqueRunId('noips')}`, `--netns-dir=${pins.dir}`, `--scenario=${scenarioJson(DNS)}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --target has no launcherPodIPs, so the launcher cannot be found among the pinned namespaces of --netns-dir; give them, or --netns\n');
  });
});

describe('the node step as a node pod runs it: no host /proc, no SYS_PTRACE', () => {
  let t: Topology;
  let pins: PinDir;
  let victim: SecretHolder;
  beforeAll(async () => {
    t = await buildTopology({ binding: 'passt' });
    pins = pinDir();
    for (const role of ROLES) pins.pin(role, t.path(role));
    victim = await startSecretHolder('vnft-victim-');
  });
  afterAll(async () => {
    victim?.stop();
    pins?.remove();
    await t?.destroy();
  });

  const through = (wrapper: readonly string[], argv: readonly string[]): { status: number | null; stdout: string; stderr: string } => {
    const run = spawnSync(wrapper[0]!, [...wrapper.slice(1), ...argv], { encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  it("should show the old profile could read and write another process's files, and the new one cannot", () => {
    const secret = victim.through('/proc');
    const planted = victim.through('/proc', 'planted');
    expect(existsSync(join(victim.dir, 'secret'))).toBe(false); // not visible from the host's mount namespace
    // Before: the host's /proc and SYS_PTRACE.
    expect(through(OLD_NODE_POD, ['cat', secret])).toMatchObject({ status: 0, stdout: 's3cret' });
    expect(through(OLD_NODE_POD, ['cp', '/dev/null', planted]).status).toBe(0);
    expect(through(OLD_NODE_POD, ['ls', victim.through('/proc', '')]).stdout.split('\n')).toContain('planted');
    // Now: without SYS_PTRACE the same path is refused even with the host's /proc…
    const noPtrace = through(['setpriv', '--bounding-set', '-all,+net_admin,+sys_admin'], ['cat', secret]);
    expect(noPtrace.status).not.toBe(0);
    expect(noPtrace.stderr).toMatch(/Permission denied/);
    // …and a node pod has its own /proc: the node's processes are not there at all.
    const own = through(NODE_POD, ['cat', secret]);
    expect(own.status).not.toBe(0);
    expect(own.stderr).toMatch(/No such file or directory/);
    expect(through(NODE_POD, ['cp', '/dev/null', victim.through('/proc', 'planted2')]).status).not.toBe(0);
    expect(through(NODE_POD, ['ls', '/proc']).stdout.split('\n').filter((n) => /^\d+$/.test(n)).length).toBeLessThanOrEqual(3);
    // Mounting a proc of its own shows its own pid namespace only.
    const mnt = mkdtempSync(join(tmpdir(), 'vnft-proc-'));
    try {
      const mounted = through(NODE_POD, ['sh', '-c', 'mount -t proc proc "$1" && ls "$1" && cat "$1/$2"', 'sh', mnt, victim.through('').slice(1)]);
      expect(mounted.status).not.toBe(0);
      expect(mounted.stdout.split('\n')).toContain('self'); // the mount worked: a proc of its own
      expect(mounted.stderr).toMatch(/No such file or directory/);
    } finally {
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('should still inject, verify and roll back with real packets under that profile', async () => {
    const { inject, verify } = await fullCycle(t, pins, NODE_POD);
    expect(inject.logs.find((l) => String(l.msg).startsWith('relay '))?.msg).toMatch(/^relay passt runs as uid 65534 /);
    expect(verify.result).toMatchObject({ ok: true });
  });

  it('should fail discovery through /proc under that profile, as the fallback needs the host\'s /proc and SYS_PTRACE', async () => {
    const run = await runCli(['step', 'inject', `--target=${targetJson('passt', { launcherPodUid: '0b6c2f9e-5d4a-4c1b-9e8f-7a6b5c4d3e2f' })}`, `--run-id=${uniqueRunId('proc')}`, `--scenario=${scenarioJson(DNS)}`], true, {}, NODE_POD);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: the launcher of vnft/vm-a has no network namespace (pod 0b6c2f9e-5d4a-4c1b-9e8f-7a6b5c4d3e2f has no process in /proc)\n');
  });
});

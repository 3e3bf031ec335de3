#!/usr/bin/env node
// `npm run test:image`: builds the step image from the Dockerfile and runs its entrypoints in a
// container, on a machine with no Docker engine and no access to image registries (only Debian's
// mirrors and npm's registry). As root on Debian:
//   1. installs buildah, podman, debootstrap and runc with apt-get when they are missing;
//   2. builds a local base image: debootstrap --variant=minbase bookworm, plus this machine's
//      Node.js and npm (the build stage runs npm ci) and its CA bundle (an intercepting egress
//      proxy's CA must be trusted inside the build too);
//   3. buildah bud the Dockerfile with BUILD_IMAGE and BASE_IMAGE set to that base;
//   4. podman run: --version, generate argo --namespace demo, the default user and tools, then
//      step inject + step rollback against a network namespace made here (an emulated masquerade
//      virt-launcher), as root with only NET_ADMIN, SYS_ADMIN, SYS_PTRACE, read-only root fs;
//      after the rollback the namespace's ruleset must be what it was before the inject;
//   5. prints the image size and the durations, and removes all it created (--keep: the images stay).
// VNF_DEBIAN_MIRROR overrides the Debian mirror of the base (default http://deb.debian.org/debian).
// Every command is an argv array; nothing goes through a shell.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { budStepImage, buildBase, CheckError, has, installImageTools, run, VERSION } from './step-image.mjs';

const KEEP = process.argv.includes('--keep');
const TAG = `${process.pid}-${Date.now().toString(36)}`;
const BASE = `localhost/vmi-network-filter-test-base:${TAG}`;
const IMAGE = `localhost/vmi-network-filter:test-${TAG}`;
const NETNS = { launcher: `vnf-image-${process.pid}-l`, guest: `vnf-image-${process.pid}-g` };

const started = Date.now();
const seconds = (since) => Math.round((Date.now() - since) / 100) / 10;
const say = (msg) => console.log(`test-image: ${msg}`);
const check = (ok, what) => {
  if (!ok) throw new CheckError(what);
  say(`ok: ${what}`);
};

/** Hard limits of this process: podman's defaults (nofile 1048576) may exceed them without CAP_SYS_RESOURCE. */
function ulimits() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const hard = (name) => Number(/(\d+|unlimited)\s+\S+\s*$/m.exec(limits.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1]) || 4096;
  const cap = (n) => Math.min(4096, n);
  return ['--ulimit', `nofile=${cap(hard('Max open files'))}:${cap(hard('Max open files'))}`, '--ulimit', `nproc=${cap(hard('Max processes'))}:${cap(hard('Max processes'))}`];
}

function podman(args, options) {
  const runtime = ['/usr/sbin/runc', '/usr/bin/runc'].find(existsSync) ?? 'runc';
  return run(['podman', 'run', '--rm', '--runtime', runtime, '--cgroup-manager', 'cgroupfs', '--network', 'none', '--read-only', ...ulimits(), ...args], options);
}

/** An emulated masquerade launcher: eth0 (pod NIC), bridge k6t-eth0 with port tap0, a guest behind it. */
function makeLauncher() {
  const { launcher: l, guest: g } = NETNS;
  for (const ns of [l, g]) {
    run(['ip', 'netns', 'add', ns]);
    run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  run(['ip', '-n', l, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'uplink', 'netns', g]);
  run(['ip', '-n', l, 'addr', 'add', '10.244.0.5/24', 'dev', 'eth0']);
  run(['ip', '-n', l, 'link', 'add', 'k6t-eth0', 'type', 'bridge']);
  run(['ip', '-n', l, 'addr', 'add', '10.0.2.1/24', 'dev', 'k6t-eth0']);
  run(['ip', '-n', l, 'link', 'add', 'tap0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', g]);
  run(['ip', '-n', l, 'link', 'set', 'tap0', 'master', 'k6t-eth0']);
  run(['ip', '-n', g, 'addr', 'add', '10.0.2.2/24', 'dev', 'eth0']);
  for (const [ns, dev] of [[l, 'eth0'], [l, 'k6t-eth0'], [l, 'tap0'], [g, 'eth0'], [g, 'uplink']]) run(['ip', '-n', ns, 'link', 'set', dev, 'up']);
}

const ruleset = () =>
  [['nft', 'list', 'ruleset'], ['iptables-save'], ['ip6tables-save']]
    .map((argv) => run(['ip', 'netns', 'exec', NETNS.launcher, ...argv]).replace(/^#.*\n/gm, ''))
    .join('\n--\n');

function nodeSteps(work) {
  makeLauncher();
  const out = join(work, 'out');
  mkdirSync(out);
  const target = JSON.stringify({ namespace: 'demo', name: 'vm-1', uid: '6b1f0c3a-0000-4000-8000-000000000001', node: 'node-1', launcherPod: 'virt-launcher-vm-1-abcde', binding: 'masquerade' });
  const netns = `/run/netns/${NETNS.launcher}`;
  const step = (name) => {
    podman(
      ['--user', '0', '--cap-drop', 'all', '--cap-add', 'NET_ADMIN,SYS_ADMIN,SYS_PTRACE', '--security-opt', 'no-new-privileges', '-v', `${netns}:${netns}:ro`, '-v', `${out}:/out`,
        '-e', 'NAMESPACE=demo', '-e', 'PORTS=53', '-e', 'TOTAL_CHAOS_DURATION=60',
        IMAGE, 'step', name, `--target=${target}`, `--run-id=image-test-${process.pid}`, `--netns=${netns}`, `--out=/out/${name}.json`],
    );
    return JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
  };
  const before = ruleset();
  const inject = step('inject');
  check(inject.ok === true && inject.interfaces?.[0]?.tap === 'tap0', `step inject in the container: ${inject.rules?.length} rules on ${inject.interfaces?.map((i) => i.podIface).join(',')} with ${inject.backend}`);
  check(ruleset() !== before, 'the launcher namespace holds the run\'s rules');
  const rollback = step('rollback');
  check(rollback.ok === true, `step rollback in the container: removed ${JSON.stringify(rollback.removed)}`);
  check(ruleset() === before, 'the launcher namespace ruleset is what it was before inject');
}

function cleanUp(work) {
  for (const ns of Object.values(NETNS)) run(['ip', 'netns', 'del', ns], { allowFail: true });
  if (!KEEP) run(['podman', 'rmi', '--force', IMAGE, BASE], { allowFail: true });
  rmSync(work, { recursive: true, force: true });
}

async function main() {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !has('apt-get')) {
    throw new CheckError('needs root on a Debian-like Linux (apt-get, network namespaces, buildah/podman as root)');
  }
  const installed = installImageTools();
  if (installed.length > 0) say(`installed ${installed.join(' ')} with apt-get`);
  const work = mkdtempSync(join('/var/tmp', 'vnf-test-image-'));
  try {
    let t = Date.now();
    buildBase(work, BASE);
    const baseSeconds = seconds(t);
    say(`base image ${BASE} (debootstrap minbase + Node.js ${process.version}) in ${baseSeconds} s`);
    t = Date.now();
    budStepImage(BASE, IMAGE);
    const buildSeconds = seconds(t);
    const size = (image) => Number(run(['podman', 'image', 'inspect', '--format', '{{.Size}}', image]).trim());
    const [imageMb, baseMb] = [size(IMAGE), size(BASE)].map((b) => Math.round(b / 1e5) / 10);
    say(`image ${IMAGE} built in ${buildSeconds} s: ${imageMb} MB (base ${baseMb} MB, ours ${Math.round((imageMb - baseMb) * 10) / 10} MB)`);

    check(podman([IMAGE, '--version']).trim() === VERSION, `vmi-network-filter --version prints ${VERSION}`);
    const argo = podman([IMAGE, 'generate', 'argo', '--namespace', 'demo']);
    check(/^kind: Workflow$/m.test(argo) && /^ {2}generateName: vmi-network-filter-$/m.test(argo), 'generate argo --namespace demo prints a Workflow');
    check(podman(['--entrypoint', 'id', IMAGE, '-u']).trim() === '65532', 'the default user is 65532 (non-root)');
    for (const argv of [['iptables', '--version'], ['nft', '--version'], ['ip', '-V'], ['nsenter', '--version']]) podman(['--entrypoint', argv[0], IMAGE, ...argv.slice(1)]);
    say('ok: iptables, nft, ip and nsenter are installed');
    nodeSteps(work);
    say(`passed in ${seconds(started)} s (base ${baseSeconds} s, build ${buildSeconds} s, image ${imageMb} MB)`);
  } finally {
    cleanUp(work);
  }
}

main().catch((e) => {
  console.error(`test-image: FAILED: ${e instanceof CheckError ? e.message : e.stack}`);
  process.exitCode = 1;
});

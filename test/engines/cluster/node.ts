/**
 * One node of the test cluster: its own containerd (Debian's, with runc and the CNI plugins)
 * and a real kubelet built from the Kubernetes module. Several nodes share this machine, so each
 * has its own containerd state, CNI bridge and pod range, and cgroup root: a kubelet kills every
 * pod its runtime runs that it does not know, so two kubelets must never share a runtime.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startDaemon, type Daemon } from './daemon.js';
import { killProcessesMentioning, unmountUnder } from './leftovers.js';
import type { Pki } from './pki.js';
import { freePort, isOk } from './probe.js';

/** Image every pod sandbox runs (built locally: no registry is reachable). */
export const PAUSE_IMAGE = 'localhost/vnf-pause:1';

/** Options of {@link startNode}. */
export interface NodeOptions {
  readonly name: string;
  /** 1-based: picks the pod range 10.88.<index>.0/24 and the bridge vnfbr<index>. */
  readonly index: number;
  readonly dir: string;
  /** Folder holding the kubelet. */
  readonly bin: string;
  readonly pki: Pki;
  /** The node's kubeconfig (identity system:node:<name>). */
  readonly kubeconfig: string;
  /** docker-archive tarballs to import into this node's containerd before the kubelet starts. */
  readonly images: readonly string[];
}

/** A running node. */
export interface TestNode {
  readonly name: string;
  readonly podCidr: string;
  readonly gateway: string;
  readonly bridge: string;
  /** containerd's socket (for `ctr`). */
  readonly containerdSocket: string;
  /** Where the kubelet keeps its pods' cgroups, under each cgroup v1 hierarchy. */
  readonly cgroupRoot: string;
  readonly daemons: readonly Daemon[];
  readonly stop: () => Promise<void>;
}

const CGROUP_V1 = '/sys/fs/cgroup';

/** The cgroup v1 hierarchies mounted here (cpu, memory, pids, …). */
function cgroupHierarchies(): string[] {
  return readdirSync(CGROUP_V1).filter((h) => h !== 'unified' && existsSync(join(CGROUP_V1, h, 'cgroup.procs')));
}

/** SIGKILLs every process in a cgroup subtree (the pods' processes, when the runtime is gone). */
function killCgroupTree(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) killCgroupTree(join(path, entry.name));
  for (const pid of readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Removes a cgroup subtree, deepest first (rmdir is the only way to remove a cgroup). */
function removeCgroupTree(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) removeCgroupTree(join(path, entry.name));
  try {
    rmSync(path, { recursive: false });
  } catch {
    execFileSync('rmdir', [path], { stdio: 'ignore' });
  }
}

/** Creates the pod bridge up front, so the gateway address exists before any pod does. */
export function makeBridge(bridge: string, gateway: string, prefix: number): void {
  // A bridge of the same name left by a run that was killed: ours, never anybody else's (vnfbr*).
  if (existsSync(`/sys/class/net/${bridge}`)) execFileSync('ip', ['link', 'del', bridge]);
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `${gateway}/${prefix}`, 'dev', bridge]);
  execFileSync('ip', ['link', 'set', bridge, 'up']);
}

/** Starts containerd and the kubelet of one node, and waits for the kubelet's health. */
export async function startNode(options: NodeOptions): Promise<TestNode> {
  const { name, index, dir, pki } = options;
  const podCidr = `10.88.${index}.0/24`;
  const gateway = `10.88.${index}.1`;
  const bridge = `vnfbr${index}`;
  const cgroupRoot = `/vnf-${name}`;
  const daemons: Daemon[] = [];
  const stop = async (): Promise<void> => {
    for (const d of [...daemons].reverse()) await d.stop(15_000);
    // Whatever the kubelet did not tear down: shims (they name our socket), pod processes (in our
    // cgroups), mounts under our folder, the bridge, the cgroups.
    killProcessesMentioning(dir);
    killCgroupTree(join(CGROUP_V1, 'pids', cgroupRoot));
    await sleep(200);
    unmountUnder(dir);
    if (existsSync(`/sys/class/net/${bridge}`)) execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    for (const h of cgroupHierarchies()) removeCgroupTree(join(CGROUP_V1, h, cgroupRoot));
  };
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'containerd.sock');
  try {
    makeBridge(bridge, gateway, 24);
    // Pods of a run that was killed before its teardown: ours (our cgroup root), never anybody else's.
    killCgroupTree(join(CGROUP_V1, 'pids', cgroupRoot));
    await sleep(200);
    for (const h of cgroupHierarchies()) removeCgroupTree(join(CGROUP_V1, h, cgroupRoot));
    for (const h of cgroupHierarchies()) mkdirSync(join(CGROUP_V1, h, cgroupRoot), { recursive: true });

    const cniDir = join(dir, 'cni');
    mkdirSync(cniDir, { recursive: true });
    writeFileSync(
      join(cniDir, '10-vnf.conflist'),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: `vnf-${name}`,
        plugins: [
          {
            type: 'bridge',
            bridge,
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: { type: 'host-local', ranges: [[{ subnet: podCidr, gateway }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'ipam') },
          },
          { type: 'portmap', capabilities: { portMappings: true } },
        ],
      }),
    );
    const runc = ['/usr/sbin/runc', '/usr/bin/runc'].find(existsSync) ?? 'runc';
    const config = join(dir, 'containerd.toml');
    writeFileSync(
      config,
      `version = 2
root = "${join(dir, 'containerd-root')}"
state = "${join(dir, 'containerd-state')}"
[grpc]
  address = "${socket}"
[ttrpc]
  address = "${socket}.ttrpc"
[debug]
  level = "warn"
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(dir, 'containerd-opt')}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # Root here lacks CAP_SYS_RESOURCE, so no process may lower an oom_score_adj: the kubelet's
  # -998 for sandboxes would fail every pod. Keep them at containerd's own (0), as rootless does.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "${runc}"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${cniDir}"
`,
    );
    daemons.push(
      await startDaemon({
        name: `containerd (${name})`,
        logFile: join(dir, 'containerd.log'),
        argv: ['containerd', '--config', config],
        ready: async () => existsSync(socket) && ctrOk(socket),
      }),
    );
    // Asynchronously: the nodes start side by side (the cluster starts them all at once).
    for (const image of options.images) await promisify(execFile)('ctr', ['--address', socket, '-n', 'k8s.io', 'images', 'import', '--no-unpack', image], { maxBuffer: 16 << 20 });

    const [port, healthz] = await Promise.all([freePort(), freePort()]);
    const kubeletConfig = join(dir, 'kubelet.yaml');
    writeFileSync(
      kubeletConfig,
      JSON.stringify({
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        kind: 'KubeletConfiguration',
        cgroupDriver: 'cgroupfs',
        cgroupRoot,
        // This machine has cgroup v1 only (plus an empty v2 mount); Kubernetes ≥ 1.35 refuses it unless told.
        failCgroupV1: false,
        failSwapOn: false,
        containerRuntimeEndpoint: `unix://${socket}`,
        // The node's InternalIP (--node-ip): where the API server reaches it for logs and exec.
        address: gateway,
        port,
        readOnlyPort: 0,
        healthzBindAddress: '127.0.0.1',
        healthzPort: healthz,
        authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: pki.caCert } },
        authorization: { mode: 'Webhook' },
        // Images are imported, never pulled: nothing may garbage-collect them.
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
        podCIDR: podCidr,
        resolvConf: '/etc/resolv.conf',
        serializeImagePulls: false,
        // Faster status for tests (the defaults are tuned for large clusters).
        nodeStatusUpdateFrequency: '5s',
        syncFrequency: '10s',
        fileCheckFrequency: '10s',
        staticPodPath: '',
        // Container logs in our folder (the default /var/log/pods would outlive the cluster).
        podLogsDir: join(dir, 'pod-logs'),
        rotateCertificates: false,
        serverTLSBootstrap: false,
        localStorageCapacityIsolation: true,
      }),
    );
    daemons.push(
      await startDaemon({
        name: `kubelet (${name})`,
        logFile: join(dir, 'kubelet.log'),
        argv: [
          join(options.bin, 'kubelet'),
          `--config=${kubeletConfig}`,
          `--kubeconfig=${options.kubeconfig}`,
          `--hostname-override=${name}`,
          `--node-ip=${gateway}`,
          `--root-dir=${join(dir, 'kubelet')}`,
          `--cert-dir=${join(dir, 'kubelet-pki')}`,
          '--v=1',
        ],
        ready: () => isOk(`http://127.0.0.1:${healthz}/healthz`),
      }),
    );
    return { name, podCidr, gateway, bridge, containerdSocket: socket, cgroupRoot, daemons, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function ctrOk(socket: string): boolean {
  try {
    execFileSync('ctr', ['--address', socket, 'version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

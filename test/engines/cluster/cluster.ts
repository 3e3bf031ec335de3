/**
 * The engine-test cluster: a real control plane (etcd, kube-apiserver, controller manager,
 * scheduler), real nodes (containerd + kubelet each) and kube-proxy, all built from their
 * published modules and started here on this machine. Pods reach the API server through the
 * `kubernetes` Service as in any cluster (kube-proxy's rules), so in-cluster clients (Argo's
 * executor, our steps) run unchanged.
 *
 * Everything it makes lives under one work folder and is removed by stop(): processes, the pod
 * bridges, the nodes' cgroups and containerd state, kube-proxy's rules.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KubeRest } from '../fixtures/kube-rest.js';
import { makeIdentities, type Identity } from './access.js';
import { startControlPlane, KUBERNETES_SERVICE_IP, type ControlPlane } from './control-plane.js';
import { startDaemon, type Daemon } from './daemon.js';
import { startNode, type TestNode } from './node.js';
import { makePki, type Pki } from './pki.js';
import { claimDir, removeStaleClusters, restoreHost, snapshotHost, unmountUnder } from './leftovers.js';
import { freePort, isOk } from './probe.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Folder of the Kubernetes binaries (test/engines/kubernetes build). */
  readonly bin: string;
  /** Nodes with a kubelet. @default ['node-1'] */
  readonly nodes?: readonly string[];
  /** docker-archive images every node holds (pause first). */
  readonly images: readonly string[];
  /** Parent of the work folder. @default /var/tmp */
  readonly parentDir?: string;
}

/** A running test cluster. */
export interface TestCluster {
  readonly dir: string;
  readonly pki: Pki;
  readonly identities: Record<string, Identity>;
  readonly controlPlane: ControlPlane;
  readonly nodes: readonly TestNode[];
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly kubeconfigFor: (identity: string, namespace?: string) => string;
  readonly stop: () => Promise<void>;
}

/** Starts the whole cluster; on failure stops what was started and rethrows. */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  const nodeNames = options.nodes ?? ['node-1'];
  const parent = options.parentDir ?? '/var/tmp';
  removeStaleClusters(parent, 'vnf-cluster-');
  const before = snapshotHost();
  const dir = mkdtempSync(join(parent, 'vnf-cluster-'));
  claimDir(dir);
  const nodes: TestNode[] = [];
  let controlPlane: ControlPlane | undefined;
  let proxy: Daemon | undefined;
  let pki: Pki | undefined;
  let identities: Record<string, Identity> | undefined;
  const stop = async (): Promise<void> => {
    // Pods first, while the kubelets run: their sandboxes are torn down as in any cluster.
    if (controlPlane) await deleteAllPods(new KubeRest(controlPlane.server, pki!.caCert, identities!.admin!.token)).catch(() => undefined);
    await proxy?.stop();
    for (const node of [...nodes].reverse()) await node.stop();
    await controlPlane?.stop();
    // kube-proxy's and the kubelets' tables, the sandboxes' pinned namespaces.
    restoreHost(before);
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pkiDir = join(dir, 'pki');
    mkdirSync(pkiDir);
    // Pods reach the API server on the first node's bridge address, through the Service IP.
    const advertiseAddress = '10.88.1.1';
    pki = makePki(pkiDir, [KUBERNETES_SERVICE_IP, advertiseAddress, '127.0.0.1', 'localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
    identities = makeIdentities(nodeNames);
    controlPlane = await startControlPlane({ dir: join(dir, 'control-plane'), bin: options.bin, pki, identities, advertiseAddress });
    const cp = controlPlane;
    // The nodes start side by side (each its own containerd, bridge and kubelet): a node's start
    // is mostly importing the images into its containerd.
    const started = Date.now();
    const starts = await Promise.allSettled(
      nodeNames.map(async (name, i) => {
        const node = await startNode({ name, index: i + 1, dir: join(dir, 'nodes', name), bin: options.bin, pki: pki!, kubeconfig: cp.kubeconfigFor(`node:${name}`), images: options.images });
        process.stderr.write(`engines: ${name} started in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        return node;
      }),
    );
    for (const s of starts) if (s.status === 'fulfilled') nodes.push(s.value);
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [metrics, healthz] = await Promise.all([freePort(), freePort()]);
    proxy = await startDaemon({
      name: 'kube-proxy',
      logFile: join(dir, 'kube-proxy.log'),
      argv: [
        join(options.bin, 'kube-proxy'),
        `--kubeconfig=${cp.kubeconfigFor('kubeProxy')}`,
        `--hostname-override=${nodeNames[0]}`,
        '--proxy-mode=nftables',
        '--cluster-cidr=10.88.0.0/16',
        `--metrics-bind-address=127.0.0.1:${metrics}`,
        `--healthz-bind-address=127.0.0.1:${healthz}`,
        // Leave this machine's conntrack settings alone.
        '--conntrack-max-per-core=0',
        '--v=1',
      ],
      ready: () => isOk(`http://127.0.0.1:${healthz}/healthz`),
    });
    return { dir, pki, identities, controlPlane: cp, nodes, server: cp.server, kubeconfigFor: cp.kubeconfigFor, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Deletes every pod (no grace) and waits up to 60 s for the kubelets to remove them. */
async function deleteAllPods(admin: KubeRest): Promise<void> {
  for (const pod of await admin.list('Pod')) {
    await admin.call('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}?gracePeriodSeconds=0`).catch(() => undefined);
  }
  await admin.waitFor('every pod to be gone', () => admin.list('Pod'), (pods) => pods.length === 0, 60_000).catch(() => undefined);
}

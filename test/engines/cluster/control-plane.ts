/**
 * The control plane of the test cluster, each component a real upstream binary built from its
 * module (test/engines/kubernetes): etcd, kube-apiserver (RBAC and Node authorization, static
 * token users, the default admission plugins, Pod Security admission among them),
 * kube-controller-manager (garbage collection, namespaces, service accounts, the root CA
 * ConfigMap, node lifecycle) and kube-scheduler. All on loopback, except the API server, which
 * also listens where pods reach it through the `kubernetes` Service.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKubeconfigFile, writeTokenFile, type Identity } from './access.js';
import { startDaemon, type Daemon } from './daemon.js';
import type { Pki } from './pki.js';
import { freePort, isOk } from './probe.js';

/** Address ranges of the test cluster. */
export const SERVICE_CIDR = '10.96.0.0/16';
/** The `kubernetes` Service's cluster IP (first of {@link SERVICE_CIDR}). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  readonly dir: string;
  /** Folder holding etcd, kube-apiserver, kube-controller-manager, kube-scheduler. */
  readonly bin: string;
  readonly pki: Pki;
  readonly identities: Record<string, Identity>;
  /** Where pods reach the API server (an address of the host on the pod network). */
  readonly advertiseAddress: string;
}

/** A running control plane. */
export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly port: number;
  readonly daemons: readonly Daemon[];
  /** A kubeconfig for one of the static identities (by key of `identities`). */
  readonly kubeconfigFor: (identity: string, namespace?: string) => string;
  readonly stop: () => Promise<void>;
}

/** Starts etcd, then the API server, then the controller manager and the scheduler. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { dir, bin, pki, identities } = options;
  const daemons: Daemon[] = [];
  const stop = async (): Promise<void> => {
    for (const d of [...daemons].reverse()) await d.stop();
  };
  const kubeconfigDir = join(dir, 'kubeconfig');
  mkdirSync(kubeconfigDir, { recursive: true });
  try {
    const [etcdClient, etcdPeer, port, kcmPort, schedulerPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    daemons.push(
      await startDaemon({
        name: 'etcd',
        logFile: join(dir, 'etcd.log'),
        argv: [
          join(bin, 'etcd'),
          `--data-dir=${join(dir, 'etcd')}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
          // A throw-away test store: durability buys nothing and costs seconds per test.
          '--unsafe-no-fsync',
          '--log-level=warn',
        ],
        ready: () => isOk(`${etcdUrl}/health`),
      }),
    );

    const server = `https://127.0.0.1:${port}`;
    const ca = readFileSync(pki.caCert);
    daemons.push(
      await startDaemon({
        name: 'kube-apiserver',
        logFile: join(dir, 'kube-apiserver.log'),
        argv: [
          join(bin, 'kube-apiserver'),
          `--etcd-servers=${etcdUrl}`,
          `--secure-port=${port}`,
          '--bind-address=0.0.0.0',
          `--advertise-address=${options.advertiseAddress}`,
          `--tls-cert-file=${pki.apiserverCert}`,
          `--tls-private-key-file=${pki.apiserverKey}`,
          `--client-ca-file=${pki.caCert}`,
          `--kubelet-client-certificate=${pki.kubeletClientCert}`,
          `--kubelet-client-key=${pki.kubeletClientKey}`,
          `--token-auth-file=${writeTokenFile(dir, identities)}`,
          '--authorization-mode=Node,RBAC',
          // The default admission chain (NamespaceLifecycle, ServiceAccount, PodSecurity, …) plus
          // NodeRestriction, as kubeadm clusters have it.
          '--enable-admission-plugins=NodeRestriction',
          `--service-cluster-ip-range=${SERVICE_CIDR}`,
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${pki.serviceAccountPub}`,
          `--service-account-signing-key-file=${pki.serviceAccountKey}`,
          '--allow-privileged=true',
          // Logs and exec go to the kubelet at the node's InternalIP: the test nodes have no DNS names.
          '--kubelet-preferred-address-types=InternalIP',
          '--profiling=false',
          '--v=1',
        ],
        ready: () => isOk(`${server}/readyz`, { ca }),
        readyTimeoutMs: 180_000,
      }),
    );

    const kubeconfigFor = (key: string, namespace?: string): string => {
      const id = identities[key];
      if (!id) throw new Error(`no test identity ${key}`);
      return writeKubeconfigFile(join(kubeconfigDir, `${key.replace(/[^a-z0-9-]/gi, '_')}${namespace ? `-${namespace}` : ''}.json`), server, pki.caCert, id.token, namespace);
    };

    daemons.push(
      await startDaemon({
        name: 'kube-controller-manager',
        logFile: join(dir, 'kube-controller-manager.log'),
        argv: [
          join(bin, 'kube-controller-manager'),
          `--kubeconfig=${kubeconfigFor('controllerManager')}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${kcmPort}`,
          `--root-ca-file=${pki.caCert}`,
          `--service-account-private-key-file=${pki.serviceAccountKey}`,
          `--service-cluster-ip-range=${SERVICE_CIDR}`,
          // Each controller as its own service account, with its bootstrap role (as kubeadm runs it).
          '--use-service-account-credentials=true',
          // Nodes without a kubelet (the NotReady test node) are marked so within seconds.
          '--node-monitor-grace-period=20s',
          '--v=1',
        ],
        ready: () => isOk(`https://127.0.0.1:${kcmPort}/healthz`, { insecure: true }),
      }),
    );
    daemons.push(
      await startDaemon({
        name: 'kube-scheduler',
        logFile: join(dir, 'kube-scheduler.log'),
        argv: [
          join(bin, 'kube-scheduler'),
          `--kubeconfig=${kubeconfigFor('scheduler')}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${schedulerPort}`,
          '--v=1',
        ],
        ready: () => isOk(`https://127.0.0.1:${schedulerPort}/healthz`, { insecure: true }),
      }),
    );
    return { server, port, daemons, kubeconfigFor, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

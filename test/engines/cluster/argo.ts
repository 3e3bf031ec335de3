/**
 * The real Argo workflow-controller on the test cluster, built from Argo's module
 * (test/engines/argo-v4, test/engines/argo-v3), installed as Argo's own cluster install does:
 * its CRDs (v4: the full ones, with schemas; v3.6: the minimal ones), the controller's
 * ClusterRole and Role, a workflow-controller-configmap.
 * Each version runs namespaced, in its own namespace, so the newest and the oldest we support
 * run side by side. Pods get Argo's executor image built from the same module (argoexec).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startDaemon, type Daemon } from './daemon.js';
import { freePort, isOk } from './probe.js';
import type { TestCluster } from './cluster.js';
import type { KubeRest } from '../fixtures/kube-rest.js';

/** An Argo release the tests run. */
export interface ArgoVersion {
  /** The test/engines folder that builds it. */
  readonly module: string;
  readonly goModule: string;
  readonly version: string;
  /** The namespace its controller manages. */
  readonly namespace: string;
  /** The CRDs its cluster install applies (manifests/base/crds/…). */
  readonly crds: 'full' | 'minimal';
  /** Where its manifests keep the controller's RBAC. */
  readonly rbacDir: string;
  /**
   * The controller's MAX_WORKFLOW_SIZE (bytes; Argo's default is 1 MiB, ≈ 50 VMIs of ours). Past
   * it the controller moves status.nodes into gzip+base64 status.compressedNodes.
   */
  readonly maxWorkflowSize?: number;
}

/**
 * The newest Argo we support (newest 4.1.x the module proxy serves) and the oldest (mutexes and
 * CronWorkflow `schedules` need 3.6). The newest comes first: its CRDs are installed.
 */
export const ARGO_VERSIONS: readonly ArgoVersion[] = [
  // 18 kB: the one-scenario runs of the newest version (spec ≈ 12 kB, status up to ≈ 10 kB)
  // turn compressed partway, so the tests there follow, watch and report status.compressedNodes
  // as an engine that compresses carries it. (A two-scenario spec alone is ≈ 23 kB: those run on
  // the oldest version, whose limit is Argo's default 1 MiB.)
  { module: 'argo-v4', goModule: 'github.com/argoproj/argo-workflows/v4', version: 'v4.1.4', namespace: 'argo', crds: 'full', rbacDir: 'cluster-install-no-crds/workflow-controller-rbac', maxWorkflowSize: 18_000 },
  { module: 'argo-v3', goModule: 'github.com/argoproj/argo-workflows/v3', version: 'v3.6.18', namespace: 'argo-v3', crds: 'minimal', rbacDir: 'cluster-install/workflow-controller-rbac' },
];

/** Where the Go command unpacked a module version (its manifests are read from there). */
export function moduleDir(goModule: string, version: string): string {
  const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  // The module cache escapes upper-case letters as "!x".
  return join(cache, `${goModule.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`)}@${version}`);
}

/** A running controller. */
export interface ArgoController {
  readonly version: ArgoVersion;
  readonly namespace: string;
  readonly logFile: string;
  readonly metricsUrl: string;
  readonly daemon: Daemon;
  readonly stop: () => Promise<void>;
}

/** Options of {@link startArgoController}. */
export interface ArgoControllerOptions {
  readonly cluster: TestCluster;
  readonly admin: KubeRest;
  /** Folder holding workflow-controller. */
  readonly bin: string;
  readonly version: ArgoVersion;
  readonly dir: string;
  /** Install the version's CRDs (the first controller does). @default true */
  readonly installCrds?: boolean;
}

/** Installs one Argo version's manifests and starts its controller. */
export async function startArgoController(o: ArgoControllerOptions): Promise<ArgoController> {
  const { admin, version } = o;
  const ns = version.namespace;
  const manifests = join(moduleDir(version.goModule, version.version), 'manifests');
  if (o.installCrds ?? true) {
    const crds = join(manifests, 'base/crds', version.crds);
    for (const file of readdirSync(crds).filter((f) => f.startsWith('argoproj.io_')).sort()) await admin.applyYaml(readFileSync(join(crds, file), 'utf8'));
  }
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const rbac = join(manifests, version.rbacDir);
  const role = (file: string): Record<string, any> => parse(readFileSync(join(rbac, file), 'utf8')) as Record<string, any>;
  // The controller authenticates as a static user bound to Argo's own roles.
  const user = o.cluster.identities.argoController!.user;
  // Named per version: the versions' roles differ (v4 also watches namespaces).
  const upstreamRole = role('workflow-controller-clusterrole.yaml');
  const clusterRole = { ...upstreamRole, metadata: { ...upstreamRole.metadata, name: `${upstreamRole.metadata.name}-${version.version}` } };
  await admin.apply(clusterRole);
  await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `vnf-argo-controller-${version.version}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] });
  const argoRole = role('workflow-controller-role.yaml');
  const nsRole = { ...argoRole, metadata: { ...argoRole.metadata, namespace: ns } };
  await admin.apply(nsRole);
  await admin.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'vnf-argo-controller', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: nsRole.metadata.name }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] });

  const metricsPort = await freePort();
  await admin.apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'workflow-controller-configmap', namespace: ns },
    // Two controllers share this machine: each its own metrics port, plain HTTP on loopback.
    data: { metricsConfig: `enabled: true\nport: ${metricsPort}\nsecure: false\n` },
  });
  mkdirSync(o.dir, { recursive: true });
  const logFile = join(o.dir, 'workflow-controller.log');
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const daemon = await startDaemon({
    name: `workflow-controller ${version.version}`,
    logFile,
    argv: [
      join(o.bin, 'workflow-controller'),
      `--kubeconfig=${o.cluster.kubeconfigFor('argoController', ns)}`,
      '--namespaced',
      `--managed-namespace=${ns}`,
      `--executor-image=localhost/vnf-argoexec:${version.version}`,
      // Imported into every node's containerd; there is no registry to pull from.
      '--executor-image-pull-policy=Never',
      '--loglevel=info',
    ],
    env: { ...process.env, LEADER_ELECTION_DISABLE: 'true', ...(version.maxWorkflowSize ? { MAX_WORKFLOW_SIZE: String(version.maxWorkflowSize) } : {}) },
    ready: () => isOk(metricsUrl),
    readyTimeoutMs: 120_000,
  });
  return { version, namespace: ns, logFile, metricsUrl, daemon, stop: () => daemon.stop() };
}

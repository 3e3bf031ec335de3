/**
 * The real Tekton Pipelines controller on the test cluster, built from Tekton's module
 * (test/engines/tekton-v1-15, test/engines/tekton-v1-3) and installed from Tekton's own release
 * manifests (the module's config/ folder): CRDs, namespace, RBAC, ConfigMaps. Like Argo's, the
 * controller runs on this machine with a kubeconfig (identity `tektonController`), not as a pod.
 *
 * One Tekton per cluster: unlike Argo, Tekton cannot be scoped to a namespace. Its CRDs, cluster
 * roles and the `tekton-pipelines` namespace its roles name are shared by every version, and two
 * controllers would both reconcile every PipelineRun. So a run installs one version, the newest
 * by default; the oldest by a second cluster run (VNF_ENGINES_TEKTON=v1.3.1, `npm run test:engines`
 * does both) and offline by tekton-validate.
 *
 * Not installed: the webhook (admission needs TLS and a Service the API server can reach; see
 * the report in startTektonController), the events controller, the remote resolvers. Without
 * the webhook, objects are stored neither defaulted nor validated on create; the controller
 * still sets the defaults and validates the Pipeline and Task specs when it reconciles a run,
 * and tekton-validate applies the webhook's checks in the tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { startDaemon, type Daemon } from './daemon.js';
import { freePort, isOk } from './probe.js';
import { writeScratchImage } from './scratch-image.js';
import type { TestCluster } from './cluster.js';
import type { KubeRest } from '../fixtures/kube-rest.js';

type Obj = Record<string, any>;

/** A Tekton release the tests run. */
export interface TektonVersion {
  /** The test/engines folder that builds it. */
  readonly module: string;
  readonly goModule: string;
  readonly version: string;
  /** The namespace of its controller's ConfigMaps (fixed by Tekton's RBAC manifests). */
  readonly namespace: string;
}

/**
 * The newest Tekton we can build (v1.15.1: the module proxy refuses v1.16.0's zip) and the
 * oldest we support (1.3: pod-template substitution of taskRunSpecs). The newest comes first
 * and is the one a cluster run installs.
 */
export const TEKTON_VERSIONS: readonly TektonVersion[] = [
  { module: 'tekton-v1-15', goModule: 'github.com/tektoncd/pipeline', version: 'v1.15.1', namespace: 'tekton-pipelines' },
  { module: 'tekton-v1-3', goModule: 'github.com/tektoncd/pipeline', version: 'v1.3.1', namespace: 'tekton-pipelines' },
];

/** The version a cluster run installs: VNF_ENGINES_TEKTON (e.g. v1.3.1), else the newest. */
export function tektonUnderTest(env: NodeJS.ProcessEnv = process.env): TektonVersion {
  const asked = env.VNF_ENGINES_TEKTON;
  if (!asked) return TEKTON_VERSIONS[0]!;
  const version = TEKTON_VERSIONS.find((v) => v.version === asked);
  if (!version) throw new Error(`VNF_ENGINES_TEKTON=${asked}: not one of ${TEKTON_VERSIONS.map((v) => v.version).join(', ')}`);
  return version;
}

/** What docs/tekton.md requires of the `feature-flags` ConfigMap. */
export const REQUIRED_FEATURE_FLAGS: Readonly<Record<string, string>> = { 'enable-api-fields': 'beta' };

/** The binaries of Tekton's pods, each an image of its own (as ko builds them). */
export const TEKTON_POD_BINARIES = ['entrypoint', 'nop', 'sidecarlogresults', 'workingdirinit'] as const;
export type TektonPodBinary = (typeof TEKTON_POD_BINARIES)[number];

/** The local image of one of Tekton's pod binaries. */
export const tektonImage = (name: string, version: string): string => `localhost/vnf-tekton-${name}:${version}`;

const enginesDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the Go command unpacked the version's module (run in its build folder, so go.sum checks it). */
export function tektonModuleDir(version: TektonVersion): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${version.goModule}@${version.version}`], { cwd: join(enginesDir, version.module), encoding: 'utf8' });
  const dir = (JSON.parse(out) as { Dir?: string; Error?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${version.goModule}@${version.version}: ${out}`);
  return dir;
}

/**
 * Tekton's pod images (docker-archives): each binary at /ko-app/NAME, where the pods Tekton
 * makes run it from (pkg/pod: the init container runs `/ko-app/entrypoint init
 * /ko-app/entrypoint /tekton/bin/entrypoint …`), as ko lays it out. User 65532 as ko's base.
 * Cached beside the binaries they are made of.
 */
export function tektonImageArchives(tektonBin: string, version: string): string[] {
  return TEKTON_POD_BINARIES.map((name) => {
    const ref = tektonImage(name, version);
    const out = join(dirname(tektonBin), `${ref.replace(/[:/]/g, '_')}.tar`);
    if (existsSync(out)) return out;
    const tmp = `${out}.tmp-${process.pid}`;
    writeScratchImage({ ref, files: { [`/ko-app/${name}`]: join(tektonBin, name) }, entrypoint: [`/ko-app/${name}`], user: '65532', out: tmp });
    renameSync(tmp, out);
    return out;
  });
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));

const documentsOf = (file: string): Obj[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => Boolean(o?.kind));

/** The controller's ServiceAccount in Tekton's manifests; its bindings go to our user. */
const CONTROLLER_SA = 'tekton-pipelines-controller';

/** Options of {@link tektonManifests}. */
export interface TektonManifestOptions {
  /** The user the controller authenticates as. */
  readonly user: string;
  /** Feature flags on top of Tekton's release values and {@link REQUIRED_FEATURE_FLAGS}. */
  readonly featureFlags?: Readonly<Record<string, string>>;
  /** The release's version, for the pipelines-info ConfigMap. */
  readonly version: string;
}

/**
 * The objects of Tekton's release manifests the host-run controller needs, as the tests apply
 * them: namespace, CRDs (conversion off: no webhook serves it, and we only use v1, the storage
 * version), the controller's roles bound to `user`, the info role, the ConfigMaps with
 * feature-flags set as we require. Left out: Deployments, Services, the webhook's and events
 * controller's bindings, the webhook configurations and their Secret, the resolvers.
 */
export function tektonManifests(configDir: string, o: TektonManifestOptions): Obj[] {
  const files = [...yamlFiles(join(configDir, '100-namespace')), ...yamlFiles(join(configDir, '300-crds')), ...yamlFiles(configDir)];
  const out: Obj[] = [];
  for (const obj of files.flatMap(documentsOf)) {
    switch (obj.kind) {
      case 'Namespace':
      case 'ClusterRole':
      case 'Role':
        out.push(obj);
        break;
      case 'CustomResourceDefinition':
        out.push({ ...obj, spec: { ...obj.spec, conversion: { strategy: 'None' } } });
        break;
      case 'ClusterRoleBinding':
      case 'RoleBinding': {
        const subjects = (obj.subjects ?? []) as Obj[];
        if (subjects.some((s) => s.kind === 'ServiceAccount' && s.name === CONTROLLER_SA)) {
          out.push({ ...obj, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: o.user }] });
        } else if (!subjects.some((s) => s.kind === 'ServiceAccount')) {
          out.push(obj); // tekton-pipelines-info: every authenticated user
        }
        break;
      }
      case 'ConfigMap':
        if (obj.metadata.name === 'feature-flags') out.push({ ...obj, data: { ...obj.data, ...REQUIRED_FEATURE_FLAGS, ...o.featureFlags } });
        // The module says "devel"; a release writes its version here (what `tkn version` and our select read).
        else if (obj.metadata.name === 'pipelines-info') out.push({ ...obj, data: { ...obj.data, version: o.version } });
        else out.push(obj);
        break;
      default:
        break; // Deployment, Service, HorizontalPodAutoscaler, Secret, webhook configurations
    }
  }
  return out;
}

/** Options of {@link tektonControllerCommand}. */
export interface TektonCommandOptions {
  /** Folder holding the controller binary. */
  readonly bin: string;
  readonly version: TektonVersion;
  readonly kubeconfig: string;
  /**
   * Image of Tekton's place-scripts init container: runs `sh -c` with touch, chmod, cat (upstream:
   * a busybox). Our step image (Debian) has them and is on every node already.
   */
  readonly shellImage: string;
  readonly ports: { readonly metrics: number; readonly probes: number; readonly profiling: number };
}

/**
 * The controller's argv and environment, from its Deployment in Tekton's manifests
 * (config/controller.yaml): every `ko://github.com/tektoncd/pipeline/cmd/NAME` image becomes
 * {@link tektonImage}, -shell-image our shell image; -shell-image-win stays (never pulled: no
 * Windows node). Host-run additions: the kubeconfig, no leader election (one replica), the
 * namespace the pod would get from the downward API, free ports instead of the pod's.
 */
export function tektonControllerCommand(configDir: string, o: TektonCommandOptions): { argv: string[]; env: Record<string, string> } {
  const deployment = documentsOf(join(configDir, 'controller.yaml')).find((d) => d.kind === 'Deployment');
  const container = deployment?.spec?.template?.spec?.containers?.[0] as Obj | undefined;
  if (!container) throw new Error(`tekton ${o.version.version}: no controller Deployment in ${configDir}/controller.yaml`);
  const args = (container.args as string[]).map((arg) => {
    const ko = /^ko:\/\/github\.com\/tektoncd\/pipeline\/cmd\/([a-z]+)$/.exec(arg);
    if (!ko) return arg;
    if (!(TEKTON_POD_BINARIES as readonly string[]).includes(ko[1]!)) throw new Error(`tekton ${o.version.version}: the controller wants an image of cmd/${ko[1]}, which we do not build`);
    return tektonImage(ko[1]!, o.version.version);
  });
  const shell = args.indexOf('-shell-image');
  if (shell < 0) throw new Error(`tekton ${o.version.version}: the controller has no -shell-image argument`);
  args[shell + 1] = o.shellImage;
  const env: Record<string, string> = {};
  for (const e of container.env as Obj[]) {
    // The registry-cert mount is not there on the host.
    if (e.name === 'SSL_CERT_FILE' || e.name === 'SSL_CERT_DIR') continue;
    if (e.name === 'SYSTEM_NAMESPACE') env[e.name] = o.version.namespace;
    else if (typeof e.value === 'string') env[e.name] = e.value;
    else throw new Error(`tekton ${o.version.version}: controller env ${e.name} has no plain value`);
  }
  // knative's own health server always binds :8080; Tekton's (PROBES_PORT) must not take it.
  Object.assign(env, { PROBES_PORT: String(o.ports.probes), METRICS_PROMETHEUS_PORT: String(o.ports.metrics), PROFILING_PORT: String(o.ports.profiling) });
  return { argv: [join(o.bin, 'controller'), `-kubeconfig=${o.kubeconfig}`, '-disable-ha', ...args], env };
}

/** A running controller. */
export interface TektonController {
  readonly version: TektonVersion;
  readonly namespace: string;
  readonly logFile: string;
  readonly metricsUrl: string;
  readonly daemon: Daemon;
  readonly stop: () => Promise<void>;
}

/** Options of {@link startTektonController}. */
export interface TektonControllerOptions {
  readonly cluster: TestCluster;
  readonly admin: KubeRest;
  /** Folder holding the version's binaries (controller, …). */
  readonly bin: string;
  readonly version: TektonVersion;
  readonly dir: string;
  /** See {@link TektonCommandOptions.shellImage}. */
  readonly shellImage: string;
  /** Feature flags on top of what we require (e.g. results-from: sidecar-logs). */
  readonly featureFlags?: Readonly<Record<string, string>>;
  /** Extra environment of the controller. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Installs one Tekton version's manifests and starts its controller. The nodes must hold
 * {@link tektonImageArchives} of the same version (imagePullPolicy is left to Kubernetes: the
 * tags are not `latest`, so IfNotPresent, and nothing is pulled).
 *
 * The webhook is not run. Running it on the host is feasible but not done: it needs the
 * `tekton-pipelines-webhook` Service without selector plus an EndpointSlice to this machine's
 * bridge address (the API server reaches webhooks through the Service's ClusterIP, kube-proxy
 * routes it; loopback endpoints are refused), an identity bound to Tekton's webhook roles (none
 * in access.ts yet), and Tekton's webhook configurations and `webhook-certs` Secret applied as
 * they are (the webhook makes its own certificate for the Service's DNS name and fills in the
 * caBundle of the configurations and of the CRDs' conversion). Their failurePolicy is Fail:
 * a webhook that is down stops every Tekton create.
 */
export async function startTektonController(o: TektonControllerOptions): Promise<TektonController> {
  const { admin } = o;
  const { version } = o;
  const configDir = join(tektonModuleDir(version), 'config');
  const user = o.cluster.identities.tektonController!.user;
  const objects = tektonManifests(configDir, { user, featureFlags: o.featureFlags, version: version.version });
  // Namespace and CRDs first: the rest lives in the one or needs the other.
  const rank = (obj: Obj): number => (obj.kind === 'Namespace' ? 0 : obj.kind === 'CustomResourceDefinition' ? 1 : 2);
  for (const obj of [...objects].sort((a, b) => rank(a) - rank(b))) await admin.apply(obj);
  await admin.waitFor('the Tekton CRDs to be established', () => admin.list('CustomResourceDefinition'), (crds) =>
    crds.filter((c) => c.metadata.name.endsWith('.tekton.dev')).every((c) => c.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True')));

  mkdirSync(o.dir, { recursive: true });
  // Below 32768: Tekton 1.3's knative parses METRICS_PROMETHEUS_PORT as an int16.
  const [metrics, probes, profiling] = [await freePort(32_768), await freePort(32_768), await freePort(32_768)];
  const { argv, env } = tektonControllerCommand(configDir, {
    bin: o.bin,
    version,
    kubeconfig: o.cluster.kubeconfigFor('tektonController', version.namespace),
    shellImage: o.shellImage,
    ports: { metrics, probes, profiling },
  });
  const logFile = join(o.dir, 'tekton-controller.log');
  const metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
  const daemon = await startDaemon({
    name: `tekton-controller ${version.version}`,
    logFile,
    argv,
    env: { ...process.env, ...env, ...o.env },
    // Served once the controller read its ConfigMaps, just before its reconcilers start.
    ready: () => isOk(metricsUrl),
    readyTimeoutMs: 120_000,
  });
  return { version, namespace: version.namespace, logFile, metricsUrl, daemon, stop: () => daemon.stop() };
}

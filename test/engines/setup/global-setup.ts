/**
 * vitest globalSetup of `npm run test:engines`: builds what is missing, starts the engine-test
 * cluster once for every test file, installs the CRDs (KubeVirt's VirtualMachineInstance from
 * its API types, Argo's and Tekton's from their modules) and the workflow controllers, hands the tests what they
 * need to reach it (`inject('engines')`), and tears everything down at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import type { TestProject } from 'vitest/node';
import { startArgoController, ARGO_VERSIONS, type ArgoController } from '../cluster/argo.js';
import { startCluster, type TestCluster } from '../cluster/cluster.js';
import { startTektonController, tektonImageArchives, tektonUnderTest, TEKTON_VERSIONS, type TektonController } from '../cluster/tekton.js';
import { PAUSE_IMAGE } from '../cluster/node.js';
import { REPO_ROOT } from '../../kube/harness.js';
import { KubeRest } from '../fixtures/kube-rest.js';
import type { EnginesContext } from './context.js';
import { argoexecImageArchive, buildEngineBinaries, installSystemDeps, pauseImage, stepImageArchive, STEP_IMAGE } from './toolchain.js';

/**
 * The nodes with a kubelet: three, so that runs spread over several nodes (one node pod per
 * node, onsets synchronized across nodes) are real. Each costs ≈ 10 s of start-up (its
 * containerd imports every image; the nodes start side by side) and ≈ 130 MiB idle.
 */
const NODES = ['node-1', 'node-2', 'node-3'];

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) throw new Error('the engine tests run a cluster on this machine: run them as root');
  const started = Date.now();
  installSystemDeps();
  const bins = buildEngineBinaries(['kubernetes', 'kubevirt', ...ARGO_VERSIONS.map((v) => v.module), ...TEKTON_VERSIONS.map((v) => v.module)]);
  const kubernetes = bins.kubernetes!;
  const tektonVersion = tektonUnderTest();
  const cacheDir = dirname(dirname(kubernetes));
  mkdirSync(cacheDir, { recursive: true });
  const images = [
    pauseImage(kubernetes, PAUSE_IMAGE),
    stepImageArchive(cacheDir),
    ...ARGO_VERSIONS.map((v) => argoexecImageArchive(bins[v.module]!, v.version)),
    ...tektonImageArchives(bins[tektonVersion.module]!, tektonVersion.version),
  ];
  let cluster: TestCluster | undefined;
  const controllers: ArgoController[] = [];
  let tekton: TektonController | undefined;
  const teardown = async (): Promise<void> => {
    await tekton?.stop();
    for (const c of controllers) await c.stop();
    await cluster?.stop();
  };
  try {
    cluster = await startCluster({ bin: kubernetes, nodes: NODES, images });
    const admin = new KubeRest(cluster.server, cluster.pki.caCert, cluster.identities.admin!.token);
    // KubeVirt's VMI CRD, generated from kubevirt.io/api's types by test/engines/kubevirt.
    await admin.applyYaml(execFileSync(join(bins.kubevirt!, 'vmi-crd'), ['-C', join(REPO_ROOT, 'test/engines/kubevirt')], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    for (const [i, version] of ARGO_VERSIONS.entries()) {
      // The CRDs are cluster-wide: the newest version's serve both controllers.
      controllers.push(await startArgoController({ cluster, admin, bin: bins[version.module]!, version, dir: join(cluster.dir, `argo-${version.version}`), installCrds: i === 0 }));
    }
    // One Tekton per cluster (it cannot be scoped to a namespace): the newest we support, or VNF_ENGINES_TEKTON.
    tekton = await startTektonController({ cluster, admin, bin: bins[tektonVersion.module]!, version: tektonVersion, dir: join(cluster.dir, `tekton-${tektonVersion.version}`), shellImage: STEP_IMAGE });
    await admin.waitFor('the CRDs to be established', () => admin.list('CustomResourceDefinition'), (crds) =>
      crds.filter((c) => /kubevirt\.io|argoproj\.io/.test(c.metadata.name)).every((c) => c.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True')));
    const context: EnginesContext = {
      server: cluster.server,
      caFile: cluster.pki.caCert,
      dir: cluster.dir,
      tokens: Object.fromEntries(Object.entries(cluster.identities).map(([k, v]) => [k, v.token])),
      nodes: cluster.nodes.map((n) => n.name),
      stepImage: STEP_IMAGE,
      argo: controllers.map((c) => ({ version: c.version.version, namespace: c.namespace, logFile: c.logFile })),
      tekton: { version: tekton.version.version, logFile: tekton.logFile },
      bins,
    };
    project.provide('engines', context);
    process.stderr.write(`engines: cluster ready in ${((Date.now() - started) / 1000).toFixed(0)} s (${cluster.dir})\n`);
    return teardown;
  } catch (e) {
    await teardown();
    throw e;
  }
}

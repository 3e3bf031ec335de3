/**
 * The cluster the end-to-end tests run workflows against: three nodes, one per binding, each an
 * emulated node from test/netns (two VMI launchers, a peer pod, an unrelated pod), a fake proc
 * tree per node whose launcher processes carry their pod's UID in their cgroup and point at the
 * launcher namespaces, and the local Kubernetes API server holding the VMIs and their
 * virt-launcher pods (plus VMIs that must never be selected).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { launcherUid } from '../kube/fixture-ids.js';
import { writeKubeconfig, REPO_ROOT } from '../kube/harness.js';
import { vmiObject } from '../kube/kubevirt-vmi.js';
import { launcherPodObject } from '../kube/virt-launcher-pod.js';
import { fakeProc, removeFakeProc, systemdCgroup, type FakeProcess } from '../netns/helpers/fake-proc.js';
import { buildTopology, RELAY_UID, type TestBinding, type Topology } from '../netns/helpers/topology.js';
import type { EmulatedNode, PodEnvironment } from './pod-runner.js';

/** A VMI of the emulated cluster. */
export interface EmulatedVmi {
  readonly namespace: string;
  readonly name: string;
  readonly binding: TestBinding;
  readonly node: string;
  readonly topology: Topology;
  /** 1: the topology's `launcher`/`guest`; 2: `launcher2`/`guest2`. */
  readonly slot: 1 | 2;
}

/** The built cluster; always call destroy(). */
export interface EmulatedCluster {
  readonly api: FakeKubeApi;
  readonly nodes: readonly EmulatedNode[];
  readonly vmis: readonly EmulatedVmi[];
  readonly topologies: readonly Topology[];
  readonly environment: PodEnvironment;
  /** Every launcher namespace (/run/netns/…), for ruleset snapshots. */
  readonly launcherPaths: readonly string[];
  /** Puts a VMI back as it was built (after a test moved it). */
  readonly resetVmi: (vmi: EmulatedVmi) => void;
  readonly destroy: () => Promise<void>;
}

const BINDINGS: readonly TestBinding[] = ['masquerade', 'bridge', 'passt'];
const SHORT: Record<TestBinding, string> = { masquerade: 'masq', bridge: 'bridge', passt: 'passt' };

/** `namespace/name`: how tests name a VMI. */
export const vmiKey = (v: { readonly namespace: string; readonly name: string }): string => `${v.namespace}/${v.name}`;

/** The VMI object of `v` on `node` (default: its own). */
export function vmiObjectOf(v: EmulatedVmi, node = v.node): Record<string, unknown> {
  return vmiObject({ namespace: v.namespace, name: v.name, node, interfaces: [{ name: 'default', binding: v.binding }] });
}

/**
 * Builds the cluster: nodes worker-masquerade, worker-bridge, worker-passt, each with
 * shop/web-<binding> (slot 1) and ops/db-<binding> (slot 2); decoys shop/web-sriov (a binding
 * select must leave out) and staging/web-staging (a namespace no test selects), whose pods have
 * no process on any node: a step run for them would fail.
 */
export async function buildCluster(): Promise<EmulatedCluster> {
  const topologies: Topology[] = [];
  const procs: string[] = [];
  let api: FakeKubeApi | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'vnfe-cluster-'));
  const destroy = async (): Promise<void> => {
    await api?.close();
    for (const p of procs) removeFakeProc(p);
    await Promise.all(topologies.map((t) => t.destroy()));
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    topologies.push(...(await Promise.all(BINDINGS.map((binding) => buildTopology({ binding })))));
    api = await FakeKubeApi.start();
    const vmis: EmulatedVmi[] = [];
    const nodes: EmulatedNode[] = [];
    for (const topology of topologies) {
      const node = `worker-${topology.binding}`;
      const processes: FakeProcess[] = [];
      for (const slot of [1, 2] as const) {
        const vmi: EmulatedVmi = { namespace: slot === 1 ? 'shop' : 'ops', name: `${slot === 1 ? 'web' : 'db'}-${SHORT[topology.binding]}`, binding: topology.binding, node, topology, slot };
        vmis.push(vmi);
        api.put(vmiObjectOf(vmi), launcherPodObject({ namespace: vmi.namespace, vmiName: vmi.name, node }));
        const podUid = launcherUid(vmi.namespace, vmi.name);
        const netns = topology.path(slot === 1 ? 'launcher' : 'launcher2');
        processes.push({ pid: 1000 + slot * 100, cgroup: systemdCgroup(podUid), netns, comm: 'virt-launcher' });
        if (topology.binding === 'passt') processes.push({ pid: 1001 + slot * 100, cgroup: systemdCgroup(podUid), netns, comm: 'passt.avx2', uid: RELAY_UID });
      }
      const proc = fakeProc(processes);
      procs.push(proc);
      nodes.push({ name: node, hostPaths: { '/proc': proc } });
    }
    for (const [namespace, name, binding] of [['shop', 'web-sriov', 'sriov'], ['staging', 'web-staging', 'masquerade']] as const) {
      api.put(vmiObject({ namespace, name, node: 'worker-masquerade', interfaces: [{ name: 'default', binding }] }), launcherPodObject({ namespace, vmiName: name, node: 'worker-masquerade' }));
    }
    // Pods of select and report run as uid 65532: the kubeconfig and the bin must be readable by it.
    const kubeconfig = writeKubeconfig(api.url);
    chmodSync(dirname(kubeconfig), 0o755);
    chmodSync(scratch, 0o755);
    // `command: [vmi-network-filter]` resolves on PATH to the repository's bin, as in the image.
    const binDir = join(scratch, 'bin');
    mkdirSync(binDir, { mode: 0o755 });
    symlinkSync(join(REPO_ROOT, 'bin', 'vmi-network-filter.js'), join(binDir, 'vmi-network-filter'));
    const built = api;
    return {
      api: built,
      nodes,
      vmis,
      topologies,
      environment: { binDir, kubeconfig },
      launcherPaths: topologies.flatMap((t) => [t.path('launcher'), t.path('launcher2')]),
      resetVmi: (v) => void built.put(vmiObjectOf(v)),
      destroy: async () => {
        await destroy();
        rmSync(dirname(kubeconfig), { recursive: true, force: true });
      },
    };
  } catch (e) {
    await destroy();
    throw e;
  }
}

/**
 * Fleet benchmark on the real controllers (`npm run bench:fleet`; results in RESULTS.md beside
 * this file). For each size (nodes × VMIs per node) it creates that many VMIs, each with a
 * virt-launcher pod bound to a Node object no kubelet serves (the API objects are real; no
 * guest runs), then runs the generated parallel scenario over all of them:
 *   - on Argo v3.6.18 (the controller with Argo's default 1 MiB MAX_WORKFLOW_SIZE) and on
 *     Tekton v1.15.1, as generated: select, the fan-outs, hold, verdict and report run as real
 *     pods on the cluster's one real node. The **node pods** the fan-outs create are pinned to
 *     paper nodes and never scheduled (no kubelet; unreachable taint): a **stand-in kubelet**
 *     here plays them, the one simulated part. It runs each Pending node pod's own command line
 *     in this process with `--simulate` (the node step reads the ledger and records every VMI
 *     like the real step, one get and one merge patch, and touches no network namespace), then
 *     sets the pod's phase from its exit status, as a kubelet reports it;
 *   - with VNF_FLEET_BASELINE_CLI=<older checkout>/bin/vmi-network-filter.js, also that
 *     checkout's Workflow as it is (per-VMI branches; its pods stay Pending on the paper nodes),
 *     measured until every VMI's branch has its inject pod: enough to see the status grow per VMI.
 * Measured, sampled every second: the stored engine objects' size (the Workflow or PipelineRun
 * as the API server returns it), whether Argo compressed its nodes, the pods per node, the
 * results of select, the ledger's objects and sizes, the run's wall time.
 * VNF_FLEET_SIZES overrides the sizes (`5x2,10x10`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { run as runCli } from '../../cli/main.js';
import { afterAll, describe, it } from 'vitest';
import { cli, currentCli, documents, nodesOf } from '../../test/engines/fixtures/argo-run.js';
import type { KubeRest } from '../../test/engines/fixtures/kube-rest.js';
import { vmisWithoutKubelet } from '../../test/engines/fixtures/launchers.js';
import { engines, kubeAs, kubeconfigFile } from '../../test/engines/setup/context.js';

type Obj = Record<string, any>;
const kube = kubeAs();
const SIZES = (process.env.VNF_FLEET_SIZES ?? '5x2,10x10,50x20').split(',').map((s) => {
  const [nodes, perNode] = s.split('x').map(Number);
  return { nodes: nodes!, perNode: perNode! };
});
const TEKTON_NS = 'fleet-tekton';
const rows: string[] = [];
/** A row of the table, printed at once too (a long run shows its rows as they come). */
const row = (line: string): void => {
  rows.push(line);
  console.log(`fleet: ${line}`);
};
const bytes = (o: unknown): number => Buffer.byteLength(JSON.stringify(o));

afterAll(() => {
  console.log(['', '| engine | code | VMIs | nodes | largest engine object | compressed | select results | pods | ledger objects (largest, total) | wall |', '|---|---|---|---|---|---|---|---|---|---|', ...rows].join('\n'));
});

/** The run ledger of run `uid`: objects, largest and total data size. */
async function ledgerSizes(namespace: string, uid: string): Promise<string> {
  const objects = await kube.list('ConfigMap', namespace, `vmi-network-filter.io/run=${uid}`);
  if (objects.length === 0) return '-';
  const sizes = objects.map((o) => bytes(o.data));
  return `${objects.length} (${kib(Math.max(...sizes))}, ${kib(sizes.reduce((a, b) => a + b, 0))})`;
}

const kib = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** Polls `read` every second until `done`; returns the largest size seen and the last object. */
async function sample(read: () => Promise<Obj>, done: (o: Obj) => boolean, timeoutMs: number): Promise<{ last: Obj; largest: number; compressed: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let largest = 0;
  let compressed = false;
  for (;;) {
    const o = await read();
    largest = Math.max(largest, bytes(o));
    compressed ||= typeof o.status?.compressedNodes === 'string';
    if (done(o)) return { last: o, largest, compressed };
    if (Date.now() > deadline) throw new Error(`not done after ${timeoutMs / 1000} s: ${JSON.stringify(o.status?.phase ?? o.status?.conditions)}`);
    await sleep(1000);
  }
}

/** The generated parallel scenario over namespace `ns`, as flags. */
const scenarioFlags = (ns: string): string[] => ['--image', engines().stepImage, '--namespace', ns, '--instance-count', '0', '--execution', 'parallel', '--chaos-duration', '5'];

/**
 * The stand-in kubelet of the paper nodes (see the header): every 500 ms, each Pending node pod
 * of `namespace` not seen before runs, 32 at a time, in this process, as its container says
 * (argv and environment) plus `--simulate`, as the cluster admin; its phase is then set from
 * the exit status. Returns a stop function and the number of pods it ran.
 */
function paperKubelet(namespace: string): { stop: () => Promise<number> } {
  const kubeconfig = kubeconfigFile('admin');
  const seen = new Set<string>();
  const queue: Obj[] = [];
  let stopped = false;
  let ran = 0;
  const runPod = async (pod: Obj): Promise<void> => {
    const container = pod.spec.containers[0] as Obj;
    const env = Object.fromEntries((container.env as Obj[]).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value]));
    const silent = (): void => undefined;
    const code = await runCli([...(container.args as string[]), '--simulate'], { out: silent, err: silent, env: { ...env, KUBECONFIG: kubeconfig, POD_NAMESPACE: namespace } });
    ran++;
    await kube.mergePatch('Pod', pod.metadata.name, namespace, { status: { phase: code === 0 ? 'Succeeded' : 'Failed' } }, 'status').catch(() => undefined);
  };
  const workers = Array.from({ length: 32 }, async () => {
    while (!stopped || queue.length > 0) {
      const pod = queue.shift();
      if (pod) await runPod(pod);
      else await sleep(100);
    }
  });
  const poller = (async () => {
    while (!stopped) {
      const pods = await kube.list('Pod', namespace, 'vmi-network-filter.io/role=node-step').catch(() => [] as Obj[]);
      for (const pod of pods) {
        if (pod.status?.phase !== 'Pending' || seen.has(pod.metadata.uid)) continue;
        seen.add(pod.metadata.uid);
        queue.push(pod);
      }
      await sleep(500);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await Promise.all([poller, ...workers]);
      rmSync(dirname(kubeconfig), { recursive: true, force: true });
      return ran;
    },
  };
}

/** Node pods the stand-in kubelet ran, per run: the run's total and the most on one node. */
async function nodePodsOf(namespace: string, uid: string): Promise<Obj[]> {
  return kube.list('Pod', namespace, `vmi-network-filter.io/run=${uid},vmi-network-filter.io/role=node-step`);
}

async function runArgo(size: { nodes: number; perNode: number }, ns: string, code: 'this' | 'baseline'): Promise<void> {
  const namespace = engines().argo.at(-1)!.namespace; // v3.6.18: Argo's default MAX_WORKFLOW_SIZE
  const started = Date.now();
  const wf =
    code === 'this'
      ? (parse(cli(['generate', 'argo', ...scenarioFlags(ns)])) as Obj)
      : (parse(cli(['generate', 'argo', ...scenarioFlags(ns), '--expiry-grace', '20'], {}, process.env.VNF_FLEET_BASELINE_CLI)) as Obj);
  wf.metadata.namespace = namespace;
  const kubelet = code === 'this' ? paperKubelet(namespace) : undefined;
  const created = await kube.create(wf);
  const vmis = size.nodes * size.perNode;
  // The baseline's pods stay Pending on the paper nodes (and v3.6.18 does not end a Pending pod
  // by its template timeout): it is measured until every VMI's branch has its inject pod.
  const done = (o: Obj): boolean =>
    ['Succeeded', 'Failed', 'Error'].includes(o.status?.phase) || (code === 'baseline' && Object.values(nodesOf(o)).filter((n) => n.type === 'Pod').length >= vmis + 1);
  const { last, largest, compressed } = await sample(() => kube.get('Workflow', created.metadata.name, namespace), done, 3_000_000);
  const ran = (await kubelet?.stop()) ?? 0;
  const nodes = Object.values(nodesOf(last));
  const pods = nodes.filter((n) => n.type === 'Pod');
  const select = nodes.find((n) => n.templateName === 'select-1' && n.type === 'Pod');
  const results = select?.outputs?.parameters ? bytes(select.outputs.parameters) : 0;
  const left = (await nodePodsOf(namespace, last.metadata.uid)).length;
  row(
    `| Argo v3.6.18 | ${code === 'this' ? 'fan-out (node pods: stand-in kubelet)' : 'baseline (per-VMI branches, until every inject pod exists)'} | ${vmis} | ${size.nodes} | Workflow ${kib(largest)} (${last.status.phase}${last.status.message ? `: ${String(last.status.message).slice(0, 60)}` : ''}) | ${compressed ? 'yes' : 'no'} | ${kib(results)} | ${pods.length} in the Workflow; ${code === 'this' ? `${ran} node pods (${(ran / size.nodes).toFixed(0)} per node), ${left} left` : '-'} | ${await ledgerSizes(namespace, last.metadata.uid)} | ${Math.round((Date.now() - started) / 1000)} s |`,
  );
  await kube.delete('Workflow', created.metadata.name, namespace);
}

async function runTekton(size: { nodes: number; perNode: number }, ns: string): Promise<void> {
  const started = Date.now();
  const name = `fleet-${size.nodes}x${size.perNode}`;
  const common = ['generate', 'tekton', ...scenarioFlags(ns), '--name', name];
  for (const o of documents(cli(common))) await kube.apply({ ...o, metadata: { ...o.metadata, namespace: TEKTON_NS } });
  const [run] = documents(cli([...common, '--kind', 'PipelineRun']));
  run!.metadata.namespace = TEKTON_NS;
  const kubelet = paperKubelet(TEKTON_NS);
  const created = await kube.create(run!);
  const condition = (o: Obj): Obj | undefined => (o.status?.conditions as Obj[] | undefined)?.find((c) => c.type === 'Succeeded');
  const { last, largest } = await sample(() => kube.get('PipelineRun', created.metadata.name, TEKTON_NS), (o) => ['True', 'False'].includes(condition(o)?.status), 3_000_000);
  const ran = await kubelet.stop();
  const taskRuns = await kube.list('TaskRun', TEKTON_NS, `tekton.dev/pipelineRun=${created.metadata.name}`);
  const select = taskRuns.find((tr) => tr.metadata.labels?.['tekton.dev/pipelineTask'] === 'select');
  const largestTaskRun = Math.max(...taskRuns.map(bytes));
  const left = (await nodePodsOf(TEKTON_NS, last.metadata.uid)).length;
  row(
    `| Tekton v1.15.1 | fan-out (node pods: stand-in kubelet) | ${size.nodes * size.perNode} | ${size.nodes} | PipelineRun ${kib(largest)} (${condition(last)?.reason}), largest TaskRun ${kib(largestTaskRun)} | - | ${kib(bytes(select?.status?.results ?? []))} | ${taskRuns.length} TaskRuns; ${ran} node pods (${(ran / size.nodes).toFixed(0)} per node), ${left} left | ${await ledgerSizes(TEKTON_NS, last.metadata.uid)} | ${Math.round((Date.now() - started) / 1000)} s |`,
  );
  await kube.delete('PipelineRun', created.metadata.name, TEKTON_NS);
}

/** VMIs on paper nodes (Node objects without a kubelet), `perNode` on each of `nodes`. */
async function paperFleet(k: KubeRest, ns: string, size: { nodes: number; perNode: number }): Promise<{ destroy: () => Promise<void> }> {
  const names = Array.from({ length: size.nodes * size.perNode }, (_, i) => `vm-${String(i).padStart(5, '0')}`);
  return vmisWithoutKubelet(k, { namespace: ns, names, node: (i) => `fleet-node-${String(Math.floor(i / size.perNode)).padStart(3, '0')}` });
}

describe('fleet benchmark', () => {
  it('should measure the engine objects, pods and ledger of parallel runs over growing fleets', async () => {
    for (const version of engines().argo) await kube.applyYaml(currentCli(['generate', 'rbac', '--namespace-of-workflow', version.namespace]));
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: TEKTON_NS, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    await kube.applyYaml(currentCli(['generate', 'rbac', '--engine', 'tekton', '--namespace-of-workflow', TEKTON_NS]));
    for (const size of SIZES) {
      const ns = `fleet-${size.nodes}x${size.perNode}`;
      const fleet = await paperFleet(kube, ns, size);
      try {
        await runArgo(size, ns, 'this');
        await runTekton(size, ns);
        if (process.env.VNF_FLEET_BASELINE_CLI) await runArgo(size, ns, 'baseline');
      } finally {
        await fleet.destroy();
        await kube.delete('Namespace', ns).catch(() => undefined);
      }
    }
  });
});

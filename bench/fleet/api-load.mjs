#!/usr/bin/env node
// The API requests of a parallel run over 10,000 VMIs on 500 nodes, counted at the local API
// server of test/kube (run: `npm run build && node bench/fleet/api-load.mjs`): select and the
// four fan-outs (inject, verify, rollback, the exit handler's rollback) through the real CLI,
// their 2,000 node pods played by test/kube's scripted kubelet, which runs each pod's own
// command line in this process with `--simulate` (the ledger reads and writes are real);
// verify's cluster check of one node (two lists, whatever its VMIs), the ledger verdict and one
// read of the watcher. Goal: select within 2 + ⌈objects/500⌉ list requests plus one write per
// ledger object, and a constant per node pod. Exits 1 when a goal is missed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'bench', 'fleet', 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(1);
const built = join(root, 'node_modules', '.cache', 'vmi-network-filter-bench', 'test', 'kube');
const { FakeKubeApi } = await import(pathToFileURL(join(built, 'fake-api-server.js')).href);
const { FakeConfigMaps } = await import(pathToFileURL(join(built, 'fake-ledger.js')).href);
const { FakeKubelet } = await import(pathToFileURL(join(built, 'fake-kubelet.js')).href);
const { populate, runCli, writeKubeconfig } = await import(pathToFileURL(join(built, 'harness.js')).href);
const kube = await import(pathToFileURL(join(root, 'dist', 'kube', 'index.js')).href);
const { run } = await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);

const VMIS = 10_000;
const NODES = 500;
const RUN = '3f2c9a10-1b2c-4d5e-8f90-0a1b2c3d4e5f';
const api = await FakeKubeApi.start();
const ledger = FakeConfigMaps.on(api);
populate(api, { vmis: VMIS, namespaces: 200, nodes: NODES });
const env = { KUBECONFIG: writeKubeconfig(api.url), NAMESPACE: 'ns-', INSTANCE_COUNT: '0', EXECUTION: 'parallel', POD_NAMESPACE: 'argo', POD_SERVICE_ACCOUNT: 'vmi-network-filter' };
// The node pods: each one's command line, run here with --simulate (no network namespace).
const silent = () => undefined;
let running = 0;
const kubelet = FakeKubelet.on(api, async (pod) => {
  // 32 node steps at a time in this process, as a few kubelets' worth.
  while (running >= 32) await new Promise((r) => setTimeout(r, 20));
  running++;
  try {
    return await runPod(pod);
  } finally {
    running--;
  }
});
async function runPod(pod) {
  const container = pod.spec.containers[0];
  const podEnv = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
  const code = await run([...container.args, '--simulate'], { out: silent, err: silent, env: { ...podEnv, KUBECONFIG: env.KUBECONFIG, POD_NAMESPACE: 'argo' } });
  return code === 0 ? { phase: 'Succeeded', exitCode: 0 } : { phase: 'Failed', exitCode: code };
}
const isPodFollow = (r) => r.resource === 'pods' && (r.query.labelSelector ?? '').includes('role=node-step');

/** Requests made by `action`: reads of VMIs and launcher pods, node pod calls, ConfigMap calls. */
async function counted(action) {
  const before = { api: api.requests.length, ...ledger.counts, podCreate: kubelet.counts.create, podDelete: kubelet.counts.delete };
  await action();
  const requests = api.requests.slice(before.api);
  const reads = requests.filter((r) => (r.resource === 'pods' || r.resource === 'virtualmachineinstances') && !isPodFollow(r)).length;
  const pods = { podCreate: kubelet.counts.create - before.podCreate, podList: requests.filter(isPodFollow).length, podDelete: kubelet.counts.delete - before.podDelete };
  const cm = Object.fromEntries(Object.entries(ledger.counts).map(([k, v]) => [k, v - before[k]]));
  return { reads, ...pods, ...cm, total: reads + pods.podCreate + pods.podList + pods.podDelete + cm.create + cm.get + cm.patch + cm.list };
}

async function cli(args) {
  const r = await runCli(args, env);
  if (r.code !== 0 && !args.includes('verdict')) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

const rows = [];
const select = await counted(() => cli(['step', 'select', '--run-id', RUN, '--owner', 'Workflow/chaos', '--seed=1']));
rows.push(['select (10,000 VMIs listed, 500 ledger parts + index written)', select]);
const started = Date.now();
for (const [step, record] of [['inject', 'inject'], ['verify', 'verify'], ['rollback', 'rollback'], ['rollback', 'exit-rollback']]) {
  rows.push([`fan-out ${record}: 500 node pods (20 VMIs each)`, await counted(() => cli(['step', 'fan-out', step, '--record-as', record, '--run-id', RUN, '--owner', 'Workflow/chaos', '--poll-seconds', '2']))]);
}
const fanOutSeconds = Math.round((Date.now() - started) / 1000);
const client = new kube.KubeClient({ env });
const part = await kube.readNodeLedger(client, { namespace: 'argo', runId: RUN }, 1, 'worker-0');
rows.push(["verify's cluster check, one node (20 VMIs)", await counted(async () => {
  const view = new kube.NodeClusterView(client, 'worker-0');
  for (const t of part.targets) if (!(await view.check(t)).ok) throw new Error(`cluster check failed for ${t.name}`);
})]);
rows.push(['ledger verdict (reads the scenario)', await counted(() => cli(['step', 'verdict', '--run-id', RUN]))]);
rows.push(["one read of the watcher (submit --watch, watch)", await counted(() => kube.readRunLedger(client, { namespace: 'argo', runId: RUN }, () => undefined))]);
await api.close();

const objects = 2 * VMIS;
const selectBound = 2 + Math.ceil(objects / 500) + NODES + 1;
const fanOuts = rows.slice(1, 5).map(([, c]) => c);
// Per node: its pods' creates, deletes, ledger gets and patches, and its cluster check; the
// fan-outs' follow lists are per poll (⌈pods/500⌉ each), whatever the nodes.
// (Each fan-out's one get of the scenario's index is not per node.)
const perNode = (fanOuts.reduce((sum, c) => sum + c.podCreate + c.podDelete + c.get + c.patch, 0) - fanOuts.length) / NODES + rows[5][1].total;
const lists = fanOuts.reduce((sum, c) => sum + c.podList, 0);
const total = select.total + fanOuts.reduce((sum, c) => sum + c.total, 0) + NODES * rows[5][1].total + rows[6][1].total;
console.log(
  [
    `${VMIS} VMIs in 200 namespaces on ${NODES} nodes, parallel, instance_count 0; requests counted at the API server.`,
    '',
    '| who | VMI/pod reads | node pod create | node pod list | node pod delete | ConfigMap create | get | patch | list | total |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(([who, c]) => `| ${who} | ${c.reads} | ${c.podCreate ?? 0} | ${c.podList ?? 0} | ${c.podDelete ?? 0} | ${c.create} | ${c.get} | ${c.patch} | ${c.list} | ${c.total} |`),
    '',
    `select: ${select.total} requests (bound: 2 + ⌈${objects}/500⌉ reads + ${NODES + 1} ledger writes = ${selectBound}); per node: ${perNode} requests (its 4 node pods: create, ledger get and patch, delete; its cluster check), whatever its VMIs; the fan-outs' follow lists: ${lists} for the 4 fan-outs (one per 2 s poll, ${fanOutSeconds} s in all); the whole run without the watcher: ${total}.`,
  ].join('\n'),
);
if (select.total > selectBound || perNode > 18) {
  console.error('bench: a goal is missed (select within its bound, at most 18 requests per node)');
  process.exitCode = 1;
}

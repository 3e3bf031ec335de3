#!/usr/bin/env node
// The API requests of a parallel run over 10,000 VMIs on 500 nodes, counted at the local API
// server of test/kube (run: `npm run build && node bench/fleet/api-load.mjs`): select (the real
// CLI), one pod of each node step (`--node … --simulate`: the ledger reads and writes are real),
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
const { populate, runCli, writeKubeconfig } = await import(pathToFileURL(join(built, 'harness.js')).href);
const kube = await import(pathToFileURL(join(root, 'dist', 'kube', 'index.js')).href);

const VMIS = 10_000;
const NODES = 500;
const RUN = '3f2c9a10-1b2c-4d5e-8f90-0a1b2c3d4e5f';
const api = await FakeKubeApi.start();
const ledger = FakeConfigMaps.on(api);
populate(api, { vmis: VMIS, namespaces: 200, nodes: NODES });
const env = { KUBECONFIG: writeKubeconfig(api.url), NAMESPACE: 'ns-', INSTANCE_COUNT: '0', EXECUTION: 'parallel', POD_NAMESPACE: 'argo' };

/** Requests made by `action` (reads of VMIs and pods, and ConfigMap calls), by kind. */
async function counted(action) {
  const before = { api: api.requests.length, ...ledger.counts };
  await action();
  const reads = api.requests.slice(before.api).filter((r) => r.resource === 'pods' || r.resource === 'virtualmachineinstances').length;
  const cm = Object.fromEntries(Object.entries(ledger.counts).map(([k, v]) => [k, v - before[k]]));
  return { reads, ...cm, total: reads + cm.create + cm.get + cm.patch + cm.list };
}

async function cli(args) {
  const r = await runCli(args, env);
  if (r.code !== 0 && !args.includes('verdict')) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

const rows = [];
const select = await counted(() => cli(['step', 'select', '--run-id', RUN, '--owner', 'Workflow/chaos', '--seed=1']));
rows.push(['select (10,000 VMIs listed, 500 ledger parts + index written)', select]);
for (const step of ['inject', 'verify', 'rollback']) {
  rows.push([`${step}, one node pod (20 VMIs)`, await counted(() => cli(['step', step, '--run-id', RUN, '--node', 'worker-0', '--simulate']))]);
}
rows.push(["exit handler's rollback, one node pod", await counted(() => cli(['step', 'rollback', '--run-id', RUN, '--node', 'worker-0', '--record-as', 'exit-rollback', '--simulate']))]);
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
const perNode = rows.slice(1, 6).reduce((sum, [, c]) => sum + c.total, 0);
const total = select.total + NODES * perNode + rows[6][1].total;
console.log(
  [
    `${VMIS} VMIs in 200 namespaces on ${NODES} nodes, parallel, instance_count 0; requests counted at the API server.`,
    '',
    '| who | VMI/pod reads | ConfigMap create | get | patch | list | total |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(([who, c]) => `| ${who} | ${c.reads} | ${c.create} | ${c.get} | ${c.patch} | ${c.list} | ${c.total} |`),
    '',
    `select: ${select.total} requests (bound: 2 + ⌈${objects}/500⌉ reads + ${NODES + 1} ledger writes = ${selectBound}); per node: ${perNode} requests for its 4 pods and the cluster check, whatever its VMIs; the whole run without the watcher: ${total}.`,
  ].join('\n'),
);
if (select.total > selectBound || perNode > 12) {
  console.error('bench: a goal is missed (select within its bound, at most 12 requests per node)');
  process.exitCode = 1;
}

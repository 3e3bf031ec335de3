#!/usr/bin/env node
// Benchmark of `step select` against the local API server of test/kube (run: `npm run build &&
// node bench/select/run.mjs [--quick]`). The server runs in this process; the real CLI runs as a
// child process, so the wall time includes Node's start and loading the client, as in a pod.
// Goal at 10,000 VMIs in 200 namespaces: < 2 s wall, <= 2 + ceil(objects/500) requests, peak
// RSS < 200 MB. Exits 1 when the 10k case misses a goal.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
// The API server is test code (TypeScript): compile it next to the cache, outside dist/.
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'bench', 'select', 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(1);
const built = join(root, 'node_modules', '.cache', 'vmi-network-filter-bench', 'test', 'kube');
const { FakeKubeApi } = await import(pathToFileURL(join(built, 'fake-api-server.js')).href);
const { populate, runCli, tempDir, writeKubeconfig } = await import(pathToFileURL(join(built, 'harness.js')).href);

const quick = process.argv.includes('--quick');
const REPEAT = quick ? 1 : 3;
const cases = [
  // No VMI at all: the fixed cost (Node's start, the CLI, loading @kubernetes/client-node).
  { vmis: 0, namespaces: 1, instanceCount: 1, flags: ['--allow-empty'] },
  { vmis: 1_000, namespaces: 200, instanceCount: 1 },
  { vmis: 10_000, namespaces: 200, instanceCount: 1, goal: true },
  { vmis: 10_000, namespaces: 200, instanceCount: 0 },
  { vmis: 10_000, namespaces: 2_000, instanceCount: 1 },
  ...(quick ? [] : [{ vmis: 50_000, namespaces: 200, instanceCount: 1 }]),
];

const rows = [];
let failed = false;
const loadBefore = loadavg()[0];
for (const c of cases) {
  const api = await FakeKubeApi.start();
  if (c.vmis > 0) populate(api, { vmis: c.vmis, namespaces: c.namespaces });
  const kubeconfig = writeKubeconfig(api.url);
  const dir = tempDir('vmi-bench-');
  const runs = [];
  for (let r = 0; r < REPEAT; r++) {
    const before = api.requests.length;
    const rssFile = join(dir, `rss-${r}`);
    const start = performance.now();
    const result = await runCli(
      ['step', 'select', `--out=${join(dir, 'targets.json')}`, '--seed=7', ...(c.flags ?? [])],
      { KUBECONFIG: kubeconfig, NAMESPACE: 'ns-', INSTANCE_COUNT: String(c.instanceCount), VMI_BENCH_RSS_FILE: rssFile },
      ['--import', pathToFileURL(join(root, 'bench', 'select', 'rss-probe.mjs')).href],
    );
    const wallMs = performance.now() - start;
    if (result.code !== 0) {
      console.error(result.stdout.slice(-2000), result.stderr);
      throw new Error(`step select exited ${result.code}`);
    }
    const targets = JSON.parse(readFileSync(join(dir, 'targets.json'), 'utf8')).length;
    runs.push({ wallMs, requests: api.requests.length - before, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, targets });
  }
  await api.close();
  const walls = runs.map((r) => r.wallMs).sort((a, b) => a - b);
  const objects = c.vmis * 2;
  const { flags: _flags, ...shown } = c;
  const row = {
    ...shown,
    objects,
    requests: runs[0].requests,
    bound: 2 + Math.ceil(objects / 500),
    wallMs: walls[Math.floor(walls.length / 2)],
    rssMb: Math.max(...runs.map((r) => r.rssMb)),
    targets: runs[0].targets,
  };
  rows.push(row);
  if (c.goal && (row.wallMs >= 2000 || row.requests > row.bound || row.rssMb >= 200)) failed = true;
  console.error(`bench: ${c.vmis} VMIs / ${c.namespaces} namespaces / instance_count ${c.instanceCount}: ${row.requests} requests, ${Math.round(row.wallMs)} ms, ${row.rssMb.toFixed(0)} MB`);
}

const lines = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; wall = median of ${REPEAT} run(s), RSS = max.`,
  '',
  '| VMIs | namespaces | instance_count | launcher pods | requests | bound 2+⌈objects/500⌉ | wall (ms) | peak RSS (MB) | targets |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.vmis} | ${r.namespaces} | ${r.instanceCount} | ${r.vmis} | ${r.requests} | ${r.bound} | ${Math.round(r.wallMs)} | ${r.rssMb.toFixed(0)} | ${r.targets} |`),
];
console.log(lines.join('\n'));
if (process.argv.includes('--json')) writeFileSync(join(root, 'node_modules', '.cache', 'vmi-network-filter-bench', 'results.json'), JSON.stringify(rows, null, 2));
if (failed) {
  console.error('bench: the 10,000-VMI case misses a goal (< 2 s wall, <= 2 + ceil(objects/500) requests, < 200 MB RSS)');
  process.exitCode = 1;
}

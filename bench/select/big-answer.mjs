#!/usr/bin/env node
// Peak RSS of `step select` when the API answers one list with a huge body (run: `npm run build
// && node bench/select/big-answer.mjs [--cli PATH/bin/vmi-network-filter.js]`). The local API
// server of test/kube streams a VirtualMachineInstanceList of realistic VMIs (~3.3 KB of JSON
// each) until the body holds the bytes asked for; the real CLI runs as a child process with the
// RSS probe preloaded. Cases: 300 MB (issue 18), the largest answer accepted (just under 32 MiB)
// and one of 64 MiB. --cli runs another build (e.g. an older commit's) against the same server.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'bench', 'select', 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(1);
const built = join(root, 'node_modules', '.cache', 'vmi-network-filter-bench', 'test', 'kube');
const { FakeKubeApi } = await import(pathToFileURL(join(built, 'fake-api-server.js')).href);
const { writeKubeconfig } = await import(pathToFileURL(join(built, 'harness.js')).href);
const { vmiObject } = await import(pathToFileURL(join(built, 'kubevirt-vmi.js')).href);

const cliIndex = process.argv.indexOf('--cli');
const cli = cliIndex > 0 ? process.argv[cliIndex + 1] : join(root, 'bin', 'vmi-network-filter.js');
const MiB = 1024 * 1024;
const cases = [
  { label: '300 MB', bytes: 300_000_000 },
  { label: '31.9 MiB (largest accepted)', bytes: 32 * MiB - 64 * 1024 },
  { label: '63.9 MiB (refused)', bytes: 64 * MiB - 64 * 1024 },
];

/** Streams a VMI list of about `bytes` bytes (whole items only), with backpressure. */
function bigList(bytes) {
  return (_req, res, request) => {
    if (request.verb !== 'list' || request.resource !== 'virtualmachineinstances') return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    const tail = '],"kind":"VirtualMachineInstanceList","metadata":{}}';
    let sent = 0;
    let i = 0;
    const write = (text) => {
      sent += Buffer.byteLength(text);
      return res.write(text);
    };
    write('{"apiVersion":"kubevirt.io/v1","items":[');
    const pump = () => {
      while (!res.destroyed) {
        const item = JSON.stringify(vmiObject({ namespace: `ns-${i % 200}`, name: `vm-${String(i).padStart(6, '0')}`, node: `worker-${i % 20}` }));
        if (sent + item.length + 1 + tail.length > bytes) return void res.end(tail);
        if (!write(`${i === 0 ? '' : ','}${item}`)) return void (i++, res.once('drain', pump));
        i++;
      }
    };
    pump();
    return true;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'vmi-bench-'));
try {
  console.log(`CLI: ${cli}`);
  console.log('| answer | exit | peak RSS (MB) | wall (s) | stderr |');
  console.log('|---|---:|---:|---:|---|');
  for (const c of cases) {
    const api = await FakeKubeApi.start();
    api.extend(bigList(c.bytes));
    const rssFile = join(dir, 'rss');
    const start = performance.now();
    const run = await new Promise((done) =>
      execFile(
        process.execPath,
        ['--import', pathToFileURL(join(root, 'bench', 'select', 'rss-probe.mjs')).href, cli, 'step', 'select', '--allow-empty'],
        { env: { PATH: process.env.PATH, KUBECONFIG: writeKubeconfig(api.url), NAMESPACE: 'nothing-matches', VMI_BENCH_RSS_FILE: rssFile }, maxBuffer: 64 * MiB },
        (error, _stdout, stderr) => done({ code: error ? error.code : 0, stderr }),
      ),
    );
    const wall = (performance.now() - start) / 1000;
    const rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
    console.log(`| ${c.label} | ${run.code} | ${rssMb.toFixed(0)} | ${wall.toFixed(1)} | ${run.stderr.trim().split('\n')[0].slice(0, 140)} |`);
    await api.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

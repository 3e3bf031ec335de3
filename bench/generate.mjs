#!/usr/bin/env node
// How long `generate argo` takes, as a process and in-process (run after `npm run build`):
//   node bench/generate.mjs [--runs 15]
// Process times are interleaved with a bare `node -e 0` so the ratio (ours / bare node start)
// holds on a noisy machine; in-process times exclude node's start and module loading.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { loadScenarios } from '../dist/scenario/index.js';
import { renderArgo } from '../dist/generator/render.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const bin = new URL('../bin/vmi-network-filter.js', import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (argv) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
};

const bare = [];
const cli = [];
for (let i = 0; i < runs; i++) {
  bare.push(time(['-e', '0']));
  cli.push(time([bin, 'generate', 'argo', '--namespace', 'demo']));
}
const multi = loadScenarios({ file: { path: 'x', text: readFileSync(new URL('../workflows/scenarios/dns-then-web.yaml', import.meta.url), 'utf8') } });
const single = loadScenarios({ flags: { namespace: 'demo' } });
const inProcess = (scenarios) => {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    renderArgo(scenarios, { version: 'bench' });
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(xs.slice(1)); // the first render pays template compilation and JIT warm-up
};
const rows = [
  ['`generate argo --namespace demo` (process)', median(cli)],
  ['`node -e 0` (process, same run)', median(bare)],
  ['render + schema + lint, 1 scenario (in-process, warm)', inProcess(single)],
  ['render + schema + lint, 2 scenarios (in-process, warm)', inProcess(multi)],
];
console.log(`runs=${runs}, node ${process.version}, ${new Date().toISOString()}`);
console.log('| what | median ms |\n|---|---|');
for (const [what, ms] of rows) console.log(`| ${what} | ${ms.toFixed(1)} |`);
console.log(`ratio generate / bare node start: ${(median(cli) / median(bare)).toFixed(1)}x`);

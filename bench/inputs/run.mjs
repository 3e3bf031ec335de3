#!/usr/bin/env node
// Benchmark of large scenario files (run: `npm run bench:inputs`): `generate argo` on a krkn file
// of 100 minimal scenarios (the most accepted), 1,000 and 10,000 (the 430 KB file of issue 18), measured with
// /usr/bin/time -v (wall time, peak RSS, exit status) when it exists, else with the child's
// own clock. `--before DIR` also runs a copy of an older build (a folder holding its bin/,
// dist/, templates/, schemas/, package.json and node_modules) in the same run, for a
// before/after table. Every child is killed after a timeout, so the script never hangs.
// Writes bench/inputs/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
if (!existsSync(join(root, 'dist', 'cli', 'run.js')) && !existsSync(join(root, 'dist'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const TIMEOUT_MS = 240_000;
const TIME = '/usr/bin/time';
const TIMEOUT = '/usr/bin/timeout';
const beforeIndex = process.argv.indexOf('--before');
const before = beforeIndex > 0 ? process.argv[beforeIndex + 1] : undefined;

/** A krkn file of `count` minimal scenarios (43 bytes each: 430 KB for 10,000). */
function scenarioFile(dir, count) {
  const path = join(dir, `scenarios-${count}.yaml`);
  writeFileSync(path, '- id: vmi_network_filter\n  namespace: demo\n'.repeat(count));
  return path;
}

/** One `generate argo` run of the build at `base`: seconds, peak RSS in MB, exit status, stderr's first line. */
function measure(base, file) {
  const argv = [process.execPath, join(base, 'bin', 'vmi-network-filter.js'), 'generate', 'argo', '--scenario', file];
  const timed = existsSync(TIME);
  // timeout(1) stops the program itself (SIGTERM, which Node does not catch) and waits for it, so
  // /usr/bin/time still reports the peak RSS it reached until then.
  const killer = existsSync(TIMEOUT) ? [TIMEOUT, String(TIMEOUT_MS / 1000)] : [];
  const command = [...(timed ? [TIME, '-v'] : []), ...killer, ...argv];
  const started = process.hrtime.bigint();
  const child = spawnSync(command[0], command.slice(1), {
    timeout: TIMEOUT_MS + 10_000,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HOME: tmpdir() },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderr = child.stderr ?? '';
  const rssKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  // A program killed by a signal (V8 aborts when out of memory) is reported so by time(1).
  const signal = /Command terminated by signal (\d+)/.exec(stderr)?.[1];
  const status = signal ? `signal ${signal}` : /Exit status: (\d+)/.exec(stderr)?.[1] ?? String(child.status);
  const said = (stderr.split('\n').find((line) => line.trim() !== '' && !line.startsWith('\t') && !line.startsWith('Command ')) ?? '').replace(`${dirname(file)}/`, '');
  return {
    seconds,
    rssMb: rssKb === undefined ? undefined : Number(rssKb) / 1024,
    status: child.error?.code === 'ETIMEDOUT' || status === '124' ? `killed after ${TIMEOUT_MS / 1000} s` : status,
    said: said.length > 140 ? `${said.slice(0, 140)}…` : said,
    outBytes: (child.stdout ?? '').length,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-inputs-'));
const rows = [];
const loadBefore = loadavg()[0];
try {
  for (const count of [100, 1000, 10000]) {
    const file = scenarioFile(dir, count);
    const size = statSync(file).size;
    for (const [label, base] of [...(before ? [['before', before]] : []), ['after', root]]) {
      const m = measure(base, file);
      rows.push({ count, size, label, ...m });
      console.error(`${label} ${count}: ${m.seconds.toFixed(1)} s, ${m.rssMb?.toFixed(0) ?? '?'} MB, exit ${m.status}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const cellCode = (text) => (text === '' ? '' : `\`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\``);
const lines = [
  '# Large scenario files',
  '',
  `\`npm run build && node bench/inputs/run.mjs${before ? ' --before <older build>' : ''}\` (\`npm run bench:inputs\`). One \`generate argo --scenario FILE\` process per row,`,
  `measured by ${existsSync(TIME) ? '`/usr/bin/time -v` (wall time, peak RSS)' : "the parent's clock (no /usr/bin/time here: no RSS)"}; every row of this table comes from the same run.`,
  `Machine: 2 cores, shared (load average ${loadBefore.toFixed(2)} at the start); each file is \`- id: vmi_network_filter\` + \`namespace: demo1\` repeated.`,
  '',
  '| scenarios | file | build | wall time | peak RSS | exit | stderr (first line) | stdout |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) =>
    `| ${r.count.toLocaleString('en-US')} | ${(r.size / 1000).toFixed(0)} KB | ${r.label} | ${r.seconds.toFixed(2)} s | ${r.rssMb === undefined ? '?' : `${r.rssMb.toFixed(0)} MB`} | ${r.status} | ${cellCode(r.said)} | ${(r.outBytes / 1e6).toFixed(2)} MB |`,
  ),
  '',
];
writeFileSync(join(here, 'RESULTS.md'), lines.join('\n'));
console.error(`wrote ${join(here, 'RESULTS.md')}`);

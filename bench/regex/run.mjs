#!/usr/bin/env node
// Benchmark of krkn regex matching (run: `npm run bench:regex`): the pathological patterns of
// issue 17 before (native JavaScript RegExp, as the code translated them, killed after a timeout
// so this script never hangs) and after (scenario/python-regex: RE2 via re2js, or the
// step-bounded backtracker), in the same run; then the select-time cost of matching 10,000 VMI
// names against typical patterns. Each measurement is a child process (cold start included).
// Writes bench/regex/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
if (!existsSync(join(root, 'dist', 'scenario', 'python-regex', 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const TIMEOUT_MS = 20_000;
const REPEAT = 3;

/** Median of REPEAT child runs; a run killed by the timeout counts as "> timeout". */
function measure(engine, kind, payload) {
  const runs = [];
  for (let r = 0; r < REPEAT; r++) {
    const child = spawnSync(process.execPath, [join(here, 'case.mjs'), engine, kind, JSON.stringify(payload)], { timeout: TIMEOUT_MS, encoding: 'utf8' });
    if (child.error?.code === 'ETIMEDOUT' || child.signal) return { timedOut: true };
    if (child.status !== 0) throw new Error(`case failed: ${child.stderr}`);
    runs.push(JSON.parse(child.stdout));
    // One timed-out-class run is enough to know; do not repeat runs that take seconds.
    if (runs[0].matchMs > 2000) break;
  }
  runs.sort((a, b) => a.matchMs - b.matchMs);
  return runs[Math.floor(runs.length / 2)];
}

/** A code span in a table cell: GitHub ends the cell at any unescaped |, even in code. */
const code = (text) => `\`${text.replaceAll('|', '\\|')}\``;
const fmt = (ms) => (ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US'));
const cell = (m) => (m.timedOut ? `> ${TIMEOUT_MS / 1000} s (killed)` : `${fmt(m.matchMs)} ms`);

const name = (n) => `${'a'.repeat(n - 1)}x`;
const pathological = [
  { pattern: '(a+)+$', length: 29 },
  { pattern: '(a+)+$', length: 63 },
  { pattern: '(a|aa)+$', length: 40 },
  { pattern: '(a|a)+$', length: 29 },
  { pattern: '(a*)*$', length: 63 },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', length: 29 },
  // Needs backtracking under both engines: bounded by the step budget after.
  { pattern: '(a+)+(?=b)', length: 63 },
  { pattern: '(?P<p>a+)+(?P=p)b', length: 63 },
];

const started = Date.now();
const loadBefore = loadavg()[0];
const rows1 = [];
for (const c of pathological) {
  const payload = { pattern: c.pattern, name: name(c.length) };
  const before = measure('native', 'one', payload);
  const after = measure('python', 'one', payload);
  const { compilePythonRegex } = await import(pathToFileURL(join(root, 'dist', 'scenario', 'python-regex', 'index.js')).href);
  const engine = compilePythonRegex(c.pattern).engine;
  rows1.push(`| ${code(c.pattern)} | ${c.length} | ${cell(before)} | ${cell(after)} | ${engine} | ${after.outcome ?? ''} |`);
  console.log(rows1.at(-1));
}

const typical = [
  { namespace: 'ns-', target: '.*' },
  { namespace: 'ns-1', target: '^virt-.*' },
  { namespace: 'ns-(1|2|3)$|default', target: 'virt-density-\\d{1,3}$' },
  { namespace: '(?i)NS-.*', target: '(?i)VIRT-DENSITY-1.*' },
  { namespace: '.*', target: '(?P<d>\\d)?virt-density-[0-9]+$' },
  { namespace: '.*', target: 'virt-(?!density-1)' },
];
const rows2 = [];
for (const t of typical) {
  const payload = { ...t, vmis: 10_000, namespaces: 200 };
  const before = measure('native', 'select', payload);
  const after = measure('python', 'select', payload);
  rows2.push(`| ${code(t.namespace)} | ${code(t.target)} | ${before.outcome} | ${fmt(before.compileMs)} + ${fmt(before.matchMs)} | ${fmt(after.compileMs)} + ${fmt(after.matchMs)} |`);
  console.log(rows2.at(-1));
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const text = `# Regex benchmark

Rerun (from the repository root): \`npm run bench:regex\` (builds, then runs \`bench/regex/run.mjs\`,
which rewrites this file; about a minute plus the killed runs).

**Before** is what the code did up to issue 17: string replacements into a JavaScript \`RegExp\`,
tested on every VMI. **After** is \`scenario/python-regex\`: Python's grammar, run by RE2
(\`re2js\`, linear time) where RE2 can express the pattern, else by the step-bounded backtracker
(1,000,000 steps per name, 50,000,000 over all names). Every measurement is a child process
(\`bench/regex/case.mjs\`), so "after" includes its cold start (the Unicode tables a pattern
needs); a "before" run is killed after ${TIMEOUT_MS / 1000} s. Times are medians of up to ${REPEAT} runs.

Machine: ${machine}; shared (load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after; the
run took ${Math.round((Date.now() - started) / 1000)} s).

## Pathological patterns (one name, \`a…ax\`, that does not match)

| pattern | name length | before: native RegExp | after | engine after | outcome after |
|---|---:|---:|---:|---|---|
${rows1.join('\n')}

## Select-time cost: 10,000 VMIs in 200 namespaces

Names \`virt-density-<i>\` in namespaces \`ns-<i mod 200>\`; the namespace regex is tested on
every VMI and the target regex on those that pass, as \`kube/selection.ts\` filters. Cost =
compile + match, in ms. After, each regex answers once per distinct name (200 namespaces, not
10,000), from a cache.

| namespace | target | selected | before (ms) | after (ms) |
|---|---|---:|---:|---:|
${rows2.join('\n')}
`;
writeFileSync(join(here, 'RESULTS.md'), text);
console.log(`wrote ${join(here, 'RESULTS.md')}`);

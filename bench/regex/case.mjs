#!/usr/bin/env node
// One measurement of bench/regex/run.mjs, run in a child process so that a pattern that never
// finishes (native RegExp) is killed by the parent's timeout, and so that every "after" case pays
// its own cold start (building the Unicode tables a pattern needs), as a select pod does.
// argv: engine ("native" | "python"), kind ("one" | "select"), then a JSON payload.
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [engine, kind, payload] = process.argv.slice(2);
const input = JSON.parse(payload ?? '{}');

/** What the code did before issue 17: string replacements into a JavaScript RegExp, run per VMI. */
function nativeKrknRegex(pattern) {
  let flags = '';
  let source = pattern;
  if (source.startsWith('(?i)')) {
    flags = 'i';
    source = source.slice(4);
  }
  source = source.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\A/g, '^').replace(/\\Z/g, '(?![\\s\\S])');
  const re = new RegExp(`^(?:${source})`, flags);
  return { match: (name) => re.test(name) };
}

const { compilePythonRegex } = await import(pathToFileURL(join(root, 'dist', 'scenario', 'python-regex', 'index.js')).href);
const compile = engine === 'native' ? nativeKrknRegex : (p) => compilePythonRegex(p);

const t0 = performance.now();
if (kind === 'one') {
  const regex = compile(input.pattern);
  const t1 = performance.now();
  let outcome;
  try {
    outcome = String(regex.match(input.name));
  } catch (e) {
    outcome = `stopped: ${e.name}`;
  }
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ compileMs: t1 - t0, matchMs: t2 - t1, outcome }));
} else {
  // As kube/selection.ts filters: the namespace regex on every VMI's namespace, then the target
  // regex on the names that passed.
  const ns = compile(input.namespace);
  const target = compile(input.target);
  const t1 = performance.now();
  let selected = 0;
  for (let i = 0; i < input.vmis; i++) {
    const namespace = `ns-${i % input.namespaces}`;
    const name = `virt-density-${i}`;
    if (ns.match(namespace) && target.match(name)) selected++;
  }
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ compileMs: t1 - t0, matchMs: t2 - t1, outcome: String(selected) }));
}

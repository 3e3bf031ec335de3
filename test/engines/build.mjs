#!/usr/bin/env node
// Builds the upstream components of the engine-test cluster from their published Go modules.
//
// Each folder of test/engines/ with a go.mod is one build: its `tool` directives (upstream
// commands: kube-apiserver, workflow-controller, …) and its own small main packages. The
// binaries land in a cache outside the repository, in a folder keyed by everything that decides
// them (go.mod, go.sum, our .go files, the Go version), so a warm machine builds nothing and a
// changed pin builds afresh. Go is the test toolchain only: nothing here ships in the product.
//
//   node test/engines/build.mjs [NAME …]     build (when missing) and print {name: binDir} as JSON
//
// Cache root: $VNF_ENGINES_CACHE, else $XDG_CACHE_HOME/vmi-network-filter/engines, else
// ~/.cache/vmi-network-filter/engines.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The cache root for engine builds (outside the repository). */
export function enginesCacheRoot() {
  if (process.env.VNF_ENGINES_CACHE) return process.env.VNF_ENGINES_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'vmi-network-filter', 'engines');
}

/** The build folders of test/engines/ (those with a go.mod). */
export function engineModules() {
  return readdirSync(here)
    .filter((name) => existsSync(join(here, name, 'go.mod')))
    .sort();
}

function goFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...goFiles(path));
    else if (entry.name.endsWith('.go')) out.push(path);
  }
  return out.sort();
}

function run(argv, options) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', ...options });
  if (r.error) throw new Error(`${argv.join(' ')}: ${r.error.message}`);
  return r;
}

const goVersion = () => run(['go', 'version']).stdout.trim();

/** The cache key of one module: everything that decides its binaries. */
function moduleKey(name) {
  const dir = join(here, name);
  const hash = createHash('sha256');
  hash.update(`${goVersion()}\0CGO_ENABLED=${process.env.CGO_ENABLED ?? '0'}`);
  for (const file of ['go.mod', 'go.sum', 'module-symlinks', 'ldflags', ...goFiles(dir).map((f) => relative(dir, f))]) {
    hash.update(`\0${file}\0`);
    if (existsSync(join(dir, file))) hash.update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Makes a copied tree writable (the module cache is read-only). */
function makeWritable(path) {
  chmodSync(path, statSync(path).mode | 0o200);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

/**
 * Git symlinks that Go module zips drop (file `module-symlinks` of a build folder: lines
 * `MODULE FILE TARGET`): copies each such module from the module cache into `work`, restores the
 * links there and returns the `go build` flag selecting a go.mod that replaces the module by its
 * copy (go.sum still verifies every download; -overlay cannot be used, it refuses GOMODCACHE).
 */
function restoreSymlinks(dir, work, env) {
  const list = join(dir, 'module-symlinks');
  if (!existsSync(list)) return [];
  const links = new Map();
  for (const line of readFileSync(list, 'utf8').split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length !== 3) continue;
    const [mod, file, target] = fields;
    links.set(mod, [...(links.get(mod) ?? []), [file, target]]);
  }
  let gomod = readFileSync(join(dir, 'go.mod'), 'utf8');
  for (const [mod, files] of links) {
    const r = run(['go', 'mod', 'download', '-json', mod], { cwd: dir, env });
    const src = r.status === 0 ? JSON.parse(r.stdout).Dir : undefined;
    if (!src) throw new Error(`engines: go mod download ${mod} failed:\n${r.stderr}${r.stdout}`);
    const copy = join(work, 'src', mod);
    cpSync(src, copy, { recursive: true });
    makeWritable(copy);
    for (const [file, target] of files) symlinkSync(target, join(copy, file));
    gomod += `\nreplace ${mod} => ${copy}\n`;
  }
  writeFileSync(join(work, 'go.mod'), gomod);
  copyFileSync(join(dir, 'go.sum'), join(work, 'go.sum'));
  return [`-modfile=${join(work, 'go.mod')}`];
}

/** The build folder's own linker flags (file `ldflags`: one `-X pkg.var=value` a line, # comments). */
function extraLdflags(dir) {
  const file = join(dir, 'ldflags');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .flatMap((line) => {
      const m = /^-X (\S+=\S+)$/.exec(line);
      if (!m) throw new Error(`engines: ${file}: not a "-X pkg.var=value" line: ${line}`);
      return ['-X', m[1]];
    });
}

/**
 * Builds one module's tools and main packages into the cache (when not there yet).
 * @returns the folder holding its binaries
 * @throws when `go build` fails (its output is in the message)
 */
export function buildModule(name, log = (line) => process.stderr.write(`${line}\n`)) {
  const dir = join(here, name);
  const out = join(enginesCacheRoot(), `${name}-${moduleKey(name)}`);
  if (existsSync(join(out, '.complete'))) return join(out, 'bin');
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'bin'), { recursive: true });
  const hasMains = goFiles(dir).length > 0;
  const started = Date.now();
  log(`engines: building ${name} (first time for this pin; cached in ${out})`);
  const env = { ...process.env, GOFLAGS: '-mod=readonly -buildvcs=false', CGO_ENABLED: process.env.CGO_ENABLED ?? '0' };
  const modfile = restoreSymlinks(dir, join(tmp, 'work'), env);
  const argv = ['go', 'build', ...modfile, '-trimpath', `-ldflags=${['-s', '-w', ...extraLdflags(dir)].join(' ')}`, '-o', join(tmp, 'bin') + '/', 'tool', ...(hasMains ? ['./...'] : [])];
  const r = run(argv, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  rmSync(join(tmp, 'work'), { recursive: true, force: true });
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`engines: ${argv.join(' ')} (in test/engines/${name}) failed with exit ${r.status}:\n${r.stderr}${r.stdout}`);
  }
  writeFileSync(join(tmp, '.complete'), `${JSON.stringify({ built: new Date().toISOString(), seconds: (Date.now() - started) / 1000, go: goVersion() })}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  // Builds of earlier pins of this module are never used again: keep the cache to one per module.
  for (const entry of readdirSync(enginesCacheRoot())) {
    if (entry.startsWith(`${name}-`) && /^[0-9a-f]{16}$/.test(entry.slice(name.length + 1)) && join(enginesCacheRoot(), entry) !== out) {
      rmSync(join(enginesCacheRoot(), entry), { recursive: true, force: true });
    }
  }
  log(`engines: built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return join(out, 'bin');
}

/** Builds the named modules (all by default) and returns {name: binDir}. */
export function buildEngines(names = engineModules()) {
  const dirs = {};
  for (const name of names) dirs[name] = buildModule(name);
  return dirs;
}

if (process.argv[1] && statSync(process.argv[1]).ino === statSync(fileURLToPath(import.meta.url)).ino) {
  try {
    process.stdout.write(`${JSON.stringify(buildEngines(process.argv.length > 2 ? process.argv.slice(2) : undefined), null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

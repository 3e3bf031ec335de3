/**
 * What the engine tests run, made ready before the cluster starts: the Debian packages, the Go
 * builds of the upstream components (test/engines/build.mjs, cached by pin), and the images the
 * nodes hold (pause and Argo's executor assembled from their binaries, our step image from the
 * Dockerfile), each cached outside the repository.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import process from 'node:process';
import { REPO_ROOT } from '../../kube/harness.js';
import { writeScratchImage } from '../cluster/scratch-image.js';

/** Image references the tests use. */
export const STEP_IMAGE = 'localhost/vmi-network-filter:engine-test';
export const argoexecImage = (version: string): string => `localhost/vnf-argoexec:${version}`;

function node(args: readonly string[], what: string): string {
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): node ${args.join(' ')}`);
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 5) process.stderr.write(`engines: ${what} took ${seconds.toFixed(0)} s\n`);
  return r.stdout;
}

/** Installs the Debian packages the cluster needs (root). */
export function installSystemDeps(): void {
  node(['scripts/system-deps.mjs', '--engines'], 'installing Debian packages');
}

/** Builds (when not cached) every module of test/engines/; {name: binDir}. */
export function buildEngineBinaries(names: readonly string[]): Record<string, string> {
  return JSON.parse(node(['test/engines/build.mjs', ...names], `building ${names.join(', ')}`)) as Record<string, string>;
}

/** A scratch image of `files`, cached beside the binaries it is made of. */
function cachedScratchImage(binDir: string, ref: string, files: Record<string, string>, entrypoint: string[]): string {
  const out = join(dirname(binDir), `${basename(ref.replace(/[:/]/g, '_'))}.tar`);
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp-${process.pid}`;
  writeScratchImage({ ref, files, entrypoint, out: tmp });
  renameSync(tmp, out);
  return out;
}

/** The pause image (docker-archive). */
export function pauseImage(kubernetesBin: string, ref: string): string {
  return cachedScratchImage(kubernetesBin, ref, { '/pause': join(kubernetesBin, 'pause') }, ['/pause']);
}

/** Argo's executor image (docker-archive): argoexec at /bin/argoexec, where the init container copies it from. */
export function argoexecImageArchive(argoBin: string, version: string): string {
  return cachedScratchImage(argoBin, argoexecImage(version), { '/bin/argoexec': join(argoBin, 'argoexec') }, ['/bin/argoexec']);
}

/** Our step image (docker-archive), built from the Dockerfile when the sources changed. */
export function stepImageArchive(cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true });
  const out = JSON.parse(node(['scripts/step-image.mjs', 'archive', cacheDir, STEP_IMAGE], 'building the step image')) as { archive: string };
  return out.archive;
}

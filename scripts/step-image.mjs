// Building the step image from the Dockerfile on a machine with no Docker engine and no image
// registry (only Debian's mirrors and npm's registry), as root on Debian: a local base from
// debootstrap plus this machine's Node.js, then `buildah bud`. Used by `npm run test:image`
// (scripts/test-image.mjs) and by the engine tests, which load the image into their nodes'
// containerd (stepImageArchive). Every command is an argv array; nothing goes through a shell.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
export const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MIRROR = process.env.VNF_DEBIAN_MIRROR || 'http://deb.debian.org/debian';

/** A command failed or a check did not hold; the message says which. */
export class CheckError extends Error {}

/** Runs argv; returns stdout. @throws CheckError with the output when it fails (unless `allowFail`, then the whole result). */
export function run(argv, { input, allowFail = false, quiet = true, env } = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', maxBuffer: 64 << 20, stdio: [input === undefined ? 'ignore' : 'pipe', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'], env: { ...process.env, PATH, ...env } });
  if (r.error) throw new CheckError(`cannot run ${argv[0]}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) throw new CheckError(`${argv.join(' ')} exited ${r.status}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return allowFail ? r : r.stdout;
}

/** True when `command` is on PATH. */
export const has = (command) => PATH.split(':').some((dir) => existsSync(join(dir, command)));

/** Installs buildah, podman, debootstrap and runc (and `extra` [command, package] pairs) with apt-get when missing. */
export function installImageTools(extra = []) {
  const needed = [['buildah', 'buildah'], ['podman', 'podman'], ['debootstrap', 'debootstrap'], ['runc', 'runc'], ['ip', 'iproute2'], ['nft', 'nftables'], ...extra];
  const missing = [...new Set(needed.filter(([command]) => !has(command)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return [];
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run(['apt-get', 'update', '-qq'], { env });
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  return missing;
}

/** minbase Debian + this machine's node, npm and CA bundle, imported into podman's store as `ref`. */
export function buildBase(work, ref) {
  const rootfs = join(work, 'rootfs');
  run(['debootstrap', '--variant=minbase', 'bookworm', rootfs, MIRROR]);
  mkdirSync(join(rootfs, 'usr/local/lib/node_modules'), { recursive: true });
  copyFileSync(process.execPath, join(rootfs, 'usr/local/bin/node'));
  chmodSync(join(rootfs, 'usr/local/bin/node'), 0o755);
  const npmDir = join(run(['npm', 'root', '-g']).trim(), 'npm');
  cpSync(npmDir, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(rootfs, 'usr/local/bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(rootfs, 'usr/local/bin/npx'));
  const ca = '/etc/ssl/certs/ca-certificates.crt';
  if (existsSync(ca)) {
    mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
    copyFileSync(ca, join(rootfs, ca));
    mkdirSync(join(rootfs, 'usr/local/etc'), { recursive: true });
    writeFileSync(join(rootfs, 'usr/local/etc/npmrc'), `cafile=${ca}\n`);
  }
  for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
    for (const f of readdirSync(join(rootfs, dir))) if (f !== 'partial' && f !== 'lock') rmSync(join(rootfs, dir, f), { recursive: true, force: true });
  }
  const nodeVersion = run(['chroot', rootfs, '/usr/local/bin/node', '--version']).trim();
  if (nodeVersion !== process.version) throw new CheckError(`the base runs Node.js ${nodeVersion}, not this machine's ${process.version}`);
  const tar = join(work, 'base.tar');
  run(['tar', '--numeric-owner', '-C', rootfs, '-cf', tar, '.']);
  run(['podman', 'import', '--change', `ENV PATH=${PATH}`, tar, ref]);
  rmSync(rootfs, { recursive: true, force: true });
  rmSync(tar, { force: true });
}

/** `buildah bud` of the Dockerfile on `base` (both build and runtime stage), tagged `image`. */
export function budStepImage(base, image) {
  const revision = (has('git') && run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], { allowFail: true }).stdout?.trim()) || 'unknown';
  run(['buildah', 'bud', '--isolation', 'chroot', '--pull-never', '--layers=false', '--build-arg', `BUILD_IMAGE=${base}`, '--build-arg', `BASE_IMAGE=${base}`,
    '--build-arg', `VERSION=${VERSION}`, '--build-arg', `REVISION=${revision}`, '-t', image, '-f', join(ROOT, 'Dockerfile'), ROOT]);
}

/** What the Dockerfile copies into the image, plus the Dockerfile and the Node.js it runs on: the image's cache key. */
function imageKey() {
  const hash = createHash('sha256').update(`${process.version}\0${MIRROR}\0`);
  const files = run(['git', '-C', ROOT, 'ls-files', '-co', '--exclude-standard', 'Dockerfile', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'core', 'scenario', 'kube', 'generator', 'submit', 'steps', 'cli', 'scripts/build-schema.mjs', 'schemas', 'bin', 'templates', 'workflows/scenarios'])
    .split('\n').filter(Boolean).sort();
  for (const file of files) {
    hash.update(`\0${file}\0`);
    if (existsSync(join(ROOT, file))) hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The step image as a docker-archive (for `ctr images import`), tagged `ref`, built when the
 * cache has none for the current sources. Cached in `cacheDir`, keyed by the files the image is
 * made of; the images made on the way are removed from podman's store.
 * @returns {{ archive: string, built: boolean, seconds: number }}
 */
export function stepImageArchive(cacheDir, ref, log = () => {}) {
  const archive = join(cacheDir, `step-image-${imageKey()}.tar`);
  if (existsSync(archive)) return { archive, built: false, seconds: 0 };
  const started = Date.now();
  installImageTools();
  mkdirSync(cacheDir, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const base = `localhost/vmi-network-filter-test-base:${tag}`;
  const image = `localhost/vmi-network-filter:build-${tag}`;
  const work = mkdtempSync(join('/var/tmp', 'vnf-step-image-'));
  try {
    log('building the local base image (debootstrap)');
    buildBase(work, base);
    log('building the step image (buildah bud)');
    budStepImage(base, image);
    const tmp = `${archive}.tmp-${process.pid}`;
    run(['buildah', 'push', image, `docker-archive:${tmp}:${ref}`]);
    renameSync(tmp, archive);
    // Images of earlier sources are never used again.
    for (const f of readdirSync(cacheDir)) if (/^step-image-[0-9a-f]{16}\.tar$/.test(f) && join(cacheDir, f) !== archive) rmSync(join(cacheDir, f), { force: true });
  } catch (e) {
    rmSync(archive, { force: true });
    throw e;
  } finally {
    run(['podman', 'rmi', '--force', image, base], { allowFail: true });
    rmSync(work, { recursive: true, force: true });
  }
  return { archive, built: true, seconds: (Date.now() - started) / 1000 };
}

// CLI: `node scripts/step-image.mjs archive CACHE_DIR REF` prints {archive, built, seconds} as JSON.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === 'archive') {
  try {
    const [, , , cacheDir, ref] = process.argv;
    if (!cacheDir || !ref) throw new CheckError('usage: step-image.mjs archive CACHE_DIR REF');
    process.stdout.write(`${JSON.stringify(stepImageArchive(cacheDir, ref, (line) => process.stderr.write(`step-image: ${line}\n`)))}\n`);
  } catch (e) {
    process.stderr.write(`step-image: FAILED: ${e instanceof CheckError ? e.message : e.stack}\n`);
    process.exitCode = 1;
  }
}

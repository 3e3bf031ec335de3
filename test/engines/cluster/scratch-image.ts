/**
 * A one-layer image "FROM scratch" holding a few static binaries, written as a docker-archive
 * (what `ctr images import` reads): the pod sandbox (pause) and Argo's executor (argoexec), built
 * from their Go modules. No registry is reachable here, and these images need nothing but their
 * binaries, so they are assembled directly: layer tar, config, manifest.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Options of {@link writeScratchImage}. */
export interface ScratchImageOptions {
  /** Reference, e.g. localhost/vnf-pause:1. */
  readonly ref: string;
  /** Files to place: image path → host file (made executable). */
  readonly files: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
  /** @default 65535 (none of these images needs root) */
  readonly user?: string;
  /** The docker-archive to write. */
  readonly out: string;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Writes the image; returns `options.out`. */
export function writeScratchImage(options: ScratchImageOptions): string {
  const work = mkdtempSync(join(dirname(options.out), '.scratch-'));
  try {
    const rootfs = join(work, 'rootfs');
    for (const [path, source] of Object.entries(options.files)) {
      const target = join(rootfs, path);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, target);
      chmodSync(target, 0o755);
    }
    mkdirSync(join(rootfs, 'tmp'), { recursive: true, mode: 0o1777 });
    const archive = join(work, 'archive');
    mkdirSync(archive);
    // Reproducible layer: fixed owner and mtime, sorted names.
    execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', rootfs, '-cf', join(archive, 'layer.tar'), '.']);
    const layer = readFileSync(join(archive, 'layer.tar'));
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Entrypoint: options.entrypoint, User: options.user ?? '65535', Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
        rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layer)}`] },
        history: [{ created_by: 'vmi-network-filter test/engines scratch image' }],
      }),
    );
    const configName = `${sha256(config)}.json`;
    writeFileSync(join(archive, configName), config);
    writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [options.ref], Layers: ['layer.tar'] }]));
    execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', archive, '-cf', options.out, '.']);
    return options.out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizePodUid, podUidFromCgroup } from '../../steps/netfilter/index.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/cgroup/${name}`, import.meta.url), 'utf8');

describe('podUidFromCgroup', () => {
  it.each([
    ['v2-systemd-burstable-containerd.txt', '0b7632a2-a56e-4278-987a-22de18008dbe'],
    ['v2-systemd-guaranteed-crio.txt', '5e0c9d3b-7f21-4a8e-b6d4-1c2e3f4a5b6c'],
    ['v2-systemd-besteffort-crio-conmon.txt', '729d2f46-480d-4796-a76c-e227e2671d31'],
    ['v1-cgroupfs-besteffort-docker.txt', '6f2d1c0b-9a8e-4d7c-b6a5-f4e3d2c1b0a9'],
    ['v1-cgroupfs-guaranteed.txt', '8a3d1c2e-4f5b-4c6d-9e7f-0a1b2c3d4e5f'],
    ['v1-systemd-burstable-hybrid.txt', '1c178021-5860-4495-a1ab-f9ac17877672'],
    ['v2-read-through-container-cgroupns.txt', '0b7632a2-a56e-4278-987a-22de18008dbe'],
    ['v2-kind-node-kubelet-slice.txt', '099b88fb-2a99-45ad-af94-d91eb81a87e9'],
    ['v2-static-pod-hash-uid.txt', '3f1b6e0a9c2d4e7f8a1b2c3d4e5f6a7b'],
  ])('should read the pod UID from %s', (file, uid) => {
    expect(podUidFromCgroup(fixture(file))).toBe(uid);
  });

  it.each(['v2-host-service-no-pod.txt', 'v2-podman-scopes-not-pods.txt'])('should find no pod in %s', (file) => {
    expect(podUidFromCgroup(fixture(file))).toBeUndefined();
  });

  it('should find no pod in an empty file (a process that exited while being read)', () => {
    expect(podUidFromCgroup('')).toBeUndefined();
  });
});

describe('normalizePodUid', () => {
  it('should turn a systemd spelling into the API spelling', () => {
    expect(normalizePodUid('0B7632A2_a56e_4278_987a_22de18008dbe')).toBe('0b7632a2-a56e-4278-987a-22de18008dbe');
  });
});

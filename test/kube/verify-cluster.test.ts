import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Io } from '../../core/io.js';
import { scenarioSchema } from '../../scenario/schema.js';
import { clusterCheck } from '../../steps/commands/verify-cluster.js';
import type { NodeStepFlags } from '../../steps/commands/node-step.js';
import type { Target } from '../../kube/target.js';
import { launcherPodName, launcherUid, uidFor } from './fixture-ids.js';
import { FakeKubeApi } from './fake-api-server.js';
import { tempDir, writeKubeconfig } from './harness.js';
import { vmiObject } from './kubevirt-vmi.js';
import { launcherPodObject } from './virt-launcher-pod.js';

const target: Target = {
  namespace: 'prod',
  name: 'vm-1',
  uid: uidFor('vmi/prod/vm-1'),
  node: 'worker-0',
  launcherPod: launcherPodName('vm-1'),
  launcherPodUid: launcherUid('prod', 'vm-1'),
  binding: 'masquerade',
};
const scenario = scenarioSchema.parse({ namespace: 'prod' });

let api: FakeKubeApi;
beforeEach(async () => {
  api = await FakeKubeApi.start();
});
afterEach(async () => api.close());

function run(mode: 'auto' | 'on' | 'off', env: Record<string, string>) {
  const io: Io = { out: () => {}, err: () => {}, env };
  const flags = { target: '', runId: 'r', proc: '/proc', backend: 'auto', clusterCheck: mode } as NodeStepFlags & { clusterCheck: string };
  return clusterCheck(io)({ target, runId: 'r', scenario, flags, earlier: {} });
}

describe("verify's cluster check", () => {
  it('should pass while the VMI runs where the fault was injected', async () => {
    api.put(vmiObject({ namespace: 'prod', name: 'vm-1' }), launcherPodObject({ namespace: 'prod', vmiName: 'vm-1' }));
    const result = await run('auto', { KUBECONFIG: writeKubeconfig(api.url) });
    expect(result).toEqual({
      name: 'cluster',
      ok: true,
      detail: `VMI prod/vm-1 is Running on node worker-0 in virt-launcher pod ${target.launcherPod}, as at inject`,
      data: { decided: true, reason: 'ok' },
    });
  });

  it('should fail verify with the reason when the VMI moved to another node, reading the node once', async () => {
    api.put(vmiObject({ namespace: 'prod', name: 'vm-1', node: 'worker-7' }), launcherPodObject({ namespace: 'prod', vmiName: 'vm-1' }));
    const result = await run('auto', { KUBECONFIG: writeKubeconfig(api.url) });
    expect(result.ok).toBe(false);
    expect(result.data).toEqual({ decided: true, reason: 'vmi-left-node' });
    expect(result.detail).toBe('VMI prod/vm-1 is no longer on node worker-0 (moved, re-created elsewhere or deleted); the fault injected there is lost');
    // The node's VMIs (by KubeVirt's node label) and launcher pods: two lists, whatever the VMIs.
    expect(api.requests.map((r) => `${r.verb} ${r.resource} ${r.query.labelSelector ?? ''}`)).toEqual(['list virtualmachineinstances kubevirt.io/nodeName=worker-0', 'list pods kubevirt.io=virt-launcher']);
    expect(api.requests[1]!.query.fieldSelector).toBe('spec.nodeName=worker-0');
  });

  it('should skip without loading the client when no API is configured at all, and fail in on mode', async () => {
    const home = process.env.HOME;
    process.env.HOME = tempDir(); // os.homedir(): no ~/.kube/config
    try {
      const detail = 'no Kubernetes API configured (no KUBECONFIG, no in-cluster service account, no ~/.kube/config)';
      expect(await run('auto', {})).toEqual({ name: 'cluster', ok: true, detail: `skipped: ${detail}`, data: { decided: false } });
      expect(await run('on', {})).toEqual({ name: 'cluster', ok: false, detail, data: { decided: false } });
    } finally {
      process.env.HOME = home;
    }
  });

  it('should skip an unusable API configuration in auto mode, and fail in on mode', async () => {
    const env = { KUBECONFIG: join(tempDir(), 'missing-kubeconfig') };
    const auto = await run('auto', env);
    expect([auto.ok, auto.data, auto.detail]).toEqual([true, { decided: false }, expect.stringMatching(/^skipped: no Kubernetes API configured \(no usable Kubernetes API configuration: cannot load kubeconfig /)]);
    const on = await run('on', env);
    expect([on.ok, on.detail]).toEqual([false, expect.stringMatching(/^no Kubernetes API configured \(no usable Kubernetes API configuration: cannot load kubeconfig /)]);
  });

  it('should warn when the API does not answer in auto mode, and fail in on mode', async () => {
    const kubeconfig = writeKubeconfig(api.url);
    await api.close();
    api = await FakeKubeApi.start(); // keep afterEach happy; the kubeconfig points at the closed one
    const auto = await run('auto', { KUBECONFIG: kubeconfig });
    expect([auto.ok, auto.data]).toEqual([true, { decided: false }]);
    expect(auto.detail).toMatch(/^undecided: the API did not answer/);
    const on = await run('on', { KUBECONFIG: kubeconfig });
    expect(on.ok).toBe(false);
  }, 120_000);

  it('should fail verify in auto mode too when RBAC forbids the check, naming the verb and resource', async () => {
    api.put(vmiObject({ namespace: 'prod', name: 'vm-1' }), launcherPodObject({ namespace: 'prod', vmiName: 'vm-1' }));
    api.deny({ verb: 'list', resource: 'pods' });
    const result = await run('auto', { KUBECONFIG: writeKubeconfig(api.url) });
    expect([result.ok, result.data]).toEqual([false, { decided: false }]);
    expect(result.detail).toMatch(/^forbidden \(HTTP 403\): RBAC does not allow list pods at cluster scope/);
  });

  it('should not touch the API when off', async () => {
    const result = await run('off', { KUBECONFIG: writeKubeconfig(api.url) });
    expect(result).toEqual({ name: 'cluster', ok: true, detail: 'skipped (--cluster-check off)', data: { decided: false } });
    expect(api.requests).toEqual([]);
  });
});

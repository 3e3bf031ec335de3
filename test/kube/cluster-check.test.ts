import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkTargetInCluster, KubeAccessError, KubeClient, type ClusterCheckResult } from '../../kube/index.js';
import type { Target } from '../../kube/target.js';
import { launcherPodName, launcherUid, uidFor } from './fixture-ids.js';
import { FakeKubeApi } from './fake-api-server.js';
import { writeKubeconfig } from './harness.js';
import { vmiObject, type VmiOptions } from './kubevirt-vmi.js';
import { launcherPodObject } from './virt-launcher-pod.js';

let api: FakeKubeApi;
let client: KubeClient;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  client = new KubeClient({ env: { KUBECONFIG: writeKubeconfig(api.url) }, retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } });
});
afterEach(async () => api.close());

const pod0 = launcherPodName('vm-1');
const target: Target = {
  namespace: 'prod',
  name: 'vm-1',
  uid: uidFor('vmi/prod/vm-1'),
  node: 'worker-0',
  launcherPod: pod0,
  launcherPodUid: launcherUid('prod', 'vm-1'),
  binding: 'masquerade',
};
const vmi = (o: Partial<VmiOptions> = {}) => vmiObject({ namespace: 'prod', name: 'vm-1', ...o });
const check = (): Promise<ClusterCheckResult> => checkTargetInCluster(client, target);

describe('cluster check for verify', () => {
  it('should pass while the VMI runs where the fault was injected, with two requests', async () => {
    api.put(vmi(), launcherPodObject({ namespace: 'prod', vmiName: 'vm-1' }));
    expect(await check()).toEqual({ ok: true, reason: 'ok', message: `VMI prod/vm-1 is Running on node worker-0 in virt-launcher pod ${pod0}, as at inject` });
    expect(api.requests.map((r) => `${r.verb} ${r.resource} ${r.name}`)).toEqual(['get virtualmachineinstances vm-1', `get pods ${pod0}`]);
  });

  it('should fail when the VMI is gone', async () => {
    expect(await check()).toEqual({ ok: false, reason: 'vmi-gone', message: 'VMI prod/vm-1 no longer exists; the fault injected there is lost' });
  });

  it('should fail when the VMI was re-created under the same name', async () => {
    api.put(vmi({ uid: 'aaaaaaaa-0000-4000-a000-000000000001' }));
    expect(await check()).toEqual({
      ok: false,
      reason: 'vmi-replaced',
      message: `VMI prod/vm-1 was re-created (uid ${target.uid} at inject, now aaaaaaaa-0000-4000-a000-000000000001); the fault injected there is lost`,
    });
  });

  it('should fail when the VMI is no longer Running', async () => {
    api.put(vmi({ phase: 'Failed' }));
    expect(await check()).toMatchObject({ ok: false, reason: 'vmi-not-running', message: 'VMI prod/vm-1 is Failed, not Running' });
  });

  it('should fail when a live migration or restart moved the VMI to another node', async () => {
    api.put(vmi({ node: 'worker-7' }));
    expect(await check()).toEqual({
      ok: false,
      reason: 'vmi-moved',
      message: 'VMI prod/vm-1 now runs on node worker-7, not on worker-0 where the fault was injected (live migration or restart); the fault injected there is lost',
    });
  });

  it('should fail while a live migration is in progress', async () => {
    api.put(vmi({ migration: { sourceNode: 'worker-0', targetNode: 'worker-3', targetPod: launcherPodName('vm-1', 1) } }));
    expect(await check()).toEqual({
      ok: false,
      reason: 'vmi-migrating',
      message: 'VMI prod/vm-1 is live-migrating from worker-0 to worker-3; the fault will be lost when the migration completes',
    });
  });

  it('should fail when the VMI runs in another launcher pod on the same node', async () => {
    api.put(vmi({ activePods: { [launcherUid('prod', 'vm-1', 1)]: 'worker-0' } }));
    expect(await check()).toEqual({
      ok: false,
      reason: 'launcher-changed',
      message: `VMI prod/vm-1 no longer runs in virt-launcher pod ${pod0} (uid ${target.launcherPodUid}); the fault injected there is lost`,
    });
  });

  it('should fail when the launcher pod is gone, re-created or not Running', async () => {
    api.put(vmi());
    expect(await check()).toEqual({ ok: false, reason: 'launcher-gone', message: `virt-launcher pod prod/${pod0} of VMI prod/vm-1 no longer exists; the fault injected there is lost` });

    const recreated = launcherPodObject({ namespace: 'prod', vmiName: 'vm-1' });
    (recreated.metadata as { uid: string }).uid = 'bbbbbbbb-0000-4000-a000-000000000002';
    api.put(vmi({ activePods: {} }), recreated);
    expect(await check()).toEqual({
      ok: false,
      reason: 'launcher-replaced',
      message: `virt-launcher pod prod/${pod0} was re-created (uid ${target.launcherPodUid} at inject, now bbbbbbbb-0000-4000-a000-000000000002); the fault injected there is lost`,
    });

    api.put(vmi(), launcherPodObject({ namespace: 'prod', vmiName: 'vm-1', phase: 'Failed' }));
    expect(await check()).toEqual({ ok: false, reason: 'launcher-not-running', message: `virt-launcher pod prod/${pod0} of VMI prod/vm-1 is Failed, not Running` });
  });

  it('should throw, not fail, when the API cannot answer', async () => {
    api.deny({ verb: 'get', resource: 'virtualmachineinstances' });
    await expect(check()).rejects.toBeInstanceOf(KubeAccessError);
    await expect(check()).rejects.toThrow(/^forbidden \(HTTP 403\): RBAC does not allow get virtualmachineinstances\.kubevirt\.io in namespace "prod"; /);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import {
  KubeAccessError,
  KubeClient,
  sampleUniform,
  seededRandom,
  selectVmis,
  toVmiRecord,
  type SelectionCriteria,
  type SelectVmisOptions,
} from '../../kube/index.js';
import { launcherPodName, launcherUid, uidFor } from './fixture-ids.js';
import { FakeKubeApi, type RecordedRequest } from './fake-api-server.js';
import { populate, recordingLog, writeKubeconfig } from './harness.js';
import { vmiObject } from './kubevirt-vmi.js';
import { launcherPodIp, launcherPodObject } from './virt-launcher-pod.js';

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const criteria = (o: Partial<SelectionCriteria> = {}): SelectionCriteria => ({ namespace: '.*', target: '.*', labelSelector: '', instanceCount: 1, interfaces: [], ...o });

async function select(options: Partial<SelectVmisOptions> & { criteria: SelectionCriteria }) {
  const log = recordingLog();
  const client = new KubeClient({ env: { KUBECONFIG: writeKubeconfig(api!.url) }, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
  const selection = await selectVmis(client, { seed: 1, log: log.log, ...options });
  return { selection, log };
}

/** A request in short: `list pods ns-001 <labelSelector>`. */
const brief = (r: RecordedRequest): string => `${r.verb} ${r.resource} ${r.namespace ?? '*'}${r.query.labelSelector ? ` ${r.query.labelSelector}` : ''}${r.query.continue ? ' +continue' : ''}`;

describe('selectVmis against the local API server', () => {
  it('should read the VMIs, draw the sample, and read only the drawn VMI\'s launcher pod', async () => {
    api = await FakeKubeApi.start();
    populate(api, { vmis: 1000, namespaces: 10 });
    const { selection } = await select({ criteria: criteria({ instanceCount: 1 }), seed: 5 });
    expect(selection.targets).toHaveLength(1);
    const [target] = selection.targets;
    expect(api.requests.map(brief)).toEqual([
      'list virtualmachineinstances *',
      'list virtualmachineinstances * +continue',
      `list pods ${target!.namespace} kubevirt.io=virt-launcher,kubevirt.io/created-by in (${target!.uid})`,
    ]);
    expect(target).toEqual({
      namespace: target!.namespace,
      name: target!.name,
      uid: uidFor(`vmi/${target!.namespace}/${target!.name}`),
      node: target!.node,
      launcherPod: launcherPodName(target!.name),
      launcherPodUid: launcherUid(target!.namespace, target!.name),
      launcherPodIPs: [launcherPodIp(target!.namespace, target!.name)],
      binding: 'masquerade',
    });
    expect(selection.launchersRead).toBe('chosen');
    expect(selection.counts).toMatchObject({ listed: 1000, candidates: 1000, eligible: null, notChosen: 999, selected: 1 });
  });

  it('should choose the same VMIs for the same seed, run after run', async () => {
    api = await FakeKubeApi.start();
    populate(api, { vmis: 200, namespaces: 7 });
    const a = await select({ criteria: criteria({ instanceCount: 3 }), seed: 1234 });
    const b = await select({ criteria: criteria({ instanceCount: 3 }), seed: 1234 });
    const c = await select({ criteria: criteria({ instanceCount: 3 }), seed: 4321 });
    expect(b.selection.targets).toEqual(a.selection.targets);
    expect(c.selection.targets).not.toEqual(a.selection.targets);
  });

  it('should read every launcher pod once, cluster-wide, for instance_count 0 over many VMIs', async () => {
    api = await FakeKubeApi.start();
    populate(api, { vmis: 1200, namespaces: 40 });
    const { selection, log } = await select({ criteria: criteria({ instanceCount: 0 }) });
    expect(selection.targets).toHaveLength(1200);
    expect(selection.launchersRead).toBe('all');
    expect(api.requests.map(brief)).toEqual([
      'list virtualmachineinstances *',
      'list virtualmachineinstances * +continue',
      'list virtualmachineinstances * +continue',
      'list pods * kubevirt.io=virt-launcher',
      'list pods * kubevirt.io=virt-launcher +continue',
      'list pods * kubevirt.io=virt-launcher +continue',
    ]);
    expect(log.entries.map((e) => e.msg)).toEqual([
      'listed 1200 VMIs at cluster scope in 3 page(s)',
      'listed 1200 virt-launcher pods of 1200 candidate VMIs at cluster scope in 3 page(s)',
    ]);
  });

  it('should make as many requests for 400 namespaces as for 4, whatever instance_count, within 2 + ceil(objects/500)', async () => {
    const perRun: Record<number, number[]> = {};
    for (const namespaces of [4, 400]) {
      api = await FakeKubeApi.start();
      populate(api, { vmis: 2000, namespaces });
      perRun[namespaces] = [];
      for (const instanceCount of [0, 1, 7, 60]) {
        const before = api.requests.length;
        await select({ criteria: criteria({ instanceCount }) });
        perRun[namespaces]!.push(api.requests.length - before);
      }
      await api.close();
      api = undefined;
    }
    // 4 VMI pages, then one targeted pod request (instance_count 1 and 7) or 4 pod pages (0, and 60 > TARGETED_MAX)
    expect(perRun[4]).toEqual([8, 5, 5, 8]);
    expect(perRun[400]).toEqual(perRun[4]);
    const bound = 2 + Math.ceil((2000 + 2000) / 500);
    expect(Math.max(...perRun[4]!, ...perRun[400]!)).toBeLessThanOrEqual(bound);
  });

  it('should list launcher pods in the namespace when all candidates share it', async () => {
    api = await FakeKubeApi.start();
    populate(api, { vmis: 300, namespaces: 3 });
    const { selection } = await select({ criteria: criteria({ namespace: 'ns-001$', instanceCount: 0 }) });
    expect(selection.targets).toHaveLength(100);
    expect(api.requests.map(brief)).toEqual(['list virtualmachineinstances *', 'list pods ns-001 kubevirt.io=virt-launcher']);
  });

  it('should read no pod when no VMI passes the filters, and send the label selector to the server', async () => {
    api = await FakeKubeApi.start();
    populate(api, { vmis: 20, namespaces: 2 });
    const { selection } = await select({ criteria: criteria({ namespace: 'nowhere', labelSelector: 'app=web' }) });
    expect(selection.targets).toEqual([]);
    expect(selection.launchersRead).toBe('none');
    expect(selection.counts).toMatchObject({ listed: 10, namespaceRegex: 10, candidates: 0, selected: 0 });
    expect(api.requests.map(brief)).toEqual(['list virtualmachineinstances * app=web']);
  });

  it('should read all launcher pods and draw again among eligible VMIs when a drawn VMI has no Running launcher pod', async () => {
    api = await FakeKubeApi.start();
    const names = ['vm-a', 'vm-b', 'vm-c', 'vm-d'];
    for (const name of names) api.put(vmiObject({ namespace: 'prod', name }));
    api.put(launcherPodObject({ namespace: 'prod', vmiName: 'vm-c' }), launcherPodObject({ namespace: 'prod', vmiName: 'vm-d', phase: 'Pending' }));
    // A seed whose first draw is vm-a (no pod): found by replaying the draw, as select makes it.
    const candidates = names.map((name) => toVmiRecord(vmiObject({ namespace: 'prod', name }))!);
    const seed = [...Array(100).keys()].find((s) => sampleUniform(candidates, 1, seededRandom(s)).chosen[0]!.name === 'vm-a')!;
    const { selection, log } = await select({ criteria: criteria({ instanceCount: 1 }), seed });
    expect(selection.targets.map((t) => t.name)).toEqual(['vm-c']);
    expect(selection.launchersRead).toBe('all');
    expect(selection.counts).toMatchObject({ candidates: 4, noLauncherPod: 3, eligible: 1, selected: 1, notChosen: 0 });
    expect(api.requests.map(brief)).toEqual([
      'list virtualmachineinstances *',
      `list pods prod kubevirt.io=virt-launcher,kubevirt.io/created-by in (${uidFor('vmi/prod/vm-a')})`,
      'list pods prod kubevirt.io=virt-launcher',
    ]);
    expect(log.entries.map((e) => e.msg)).toContain('1 of the 1 VMIs drawn have no usable virt-launcher pod; reading all launcher pods to draw among eligible VMIs only');
  });

  it('should resolve a migrated VMI to its new launcher pod, the source pod having ended', async () => {
    api = await FakeKubeApi.start();
    api.put(
      vmiObject({
        namespace: 'prod',
        name: 'db',
        node: 'worker-2',
        migration: { sourceNode: 'worker-1', targetNode: 'worker-2', targetPod: launcherPodName('db', 1), completed: true },
        activePods: { [launcherUid('prod', 'db', 1)]: 'worker-2' },
      }),
      launcherPodObject({ namespace: 'prod', vmiName: 'db', generation: 0, node: 'worker-1', phase: 'Succeeded' }),
      launcherPodObject({ namespace: 'prod', vmiName: 'db', generation: 1, node: 'worker-2' }),
    );
    const { selection } = await select({ criteria: criteria() });
    expect(selection.targets.map((t) => [t.node, t.launcherPod, t.launcherPodUid])).toEqual([['worker-2', launcherPodName('db', 1), launcherUid('prod', 'db', 1)]]);
  });

  it('should fall back to the namespace when the cluster-wide list is forbidden and the regex is a plain name', async () => {
    api = await FakeKubeApi.start();
    populate(api, { vmis: 60, namespaces: 3, namespaceName: (i) => ['prod', 'production', 'dev'][i]! });
    api.deny({ verb: 'list', resource: 'virtualmachineinstances', scope: 'cluster' }).deny({ verb: 'list', resource: 'pods', scope: 'cluster' });
    const { selection, log } = await select({ criteria: criteria({ namespace: 'prod', instanceCount: 0 }) });
    expect(selection.scope).toEqual({ namespace: 'prod', fallback: true });
    expect(selection.targets).toHaveLength(20);
    expect(new Set(selection.targets.map((t) => t.namespace))).toEqual(new Set(['prod']));
    expect(api.requests.map(brief)).toEqual(['list virtualmachineinstances *', 'list virtualmachineinstances prod', 'list pods prod kubevirt.io=virt-launcher']);
    expect(log.entries[0]).toEqual({
      level: 'warn',
      msg: 'list virtualmachineinstances.kubevirt.io at cluster scope is forbidden; listing namespace "prod" only; other namespaces starting with "prod" cannot be seen',
      fields: { namespace: 'prod' },
    });
  });

  it('should not fall back for a regex, and fail with the RBAC message', async () => {
    api = await FakeKubeApi.start();
    populate(api, { vmis: 4, namespaces: 2 });
    api.deny({ verb: 'list', resource: 'virtualmachineinstances', scope: 'cluster' });
    const failure = await select({ criteria: criteria({ namespace: 'ns-.*' }) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KubeAccessError);
    expect((failure as KubeAccessError).request.namespace).toBeUndefined();
    expect(api.requests.map(brief)).toEqual(['list virtualmachineinstances *']);
  });

  it('should report the namespaced denial when the fallback is forbidden too', async () => {
    api = await FakeKubeApi.start();
    api.deny({ verb: 'list', resource: 'virtualmachineinstances' });
    const failure = await select({ criteria: criteria({ namespace: '^prod$' }) }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/^forbidden \(HTTP 403\): RBAC does not allow list virtualmachineinstances\.kubevirt\.io in namespace "prod"; /);
  });
});

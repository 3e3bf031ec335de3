/**
 * A fan-out's pods through the real client against the local API server and a scripted kubelet:
 * created once each, followed by paged lists, ended by the deadline when they do not end,
 * deleted when they succeeded or when the fan-out is stopped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeClient } from '../../kube/index.js';
import { fanOut, type FanOutOptions } from '../../steps/fan-out/fan-out.js';
import { nodePod, nodePodSelector } from '../../steps/fan-out/node-pod.js';
import { FakeKubeApi } from '../kube/fake-api-server.js';
import { FakeKubelet, type CreatedPod, type PodFate } from '../kube/fake-kubelet.js';
import { recordingLog, writeKubeconfig } from '../kube/harness.js';
import { RUN, testTemplate } from './template.js';

const template = testTemplate();
const nodeOf = (pod: CreatedPod): string => pod.metadata.annotations?.['vmi-network-filter.io/node'] ?? '';

let api: FakeKubeApi;
let client: KubeClient;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  client = new KubeClient({ kubeConfig: undefined, env: { KUBECONFIG: writeKubeconfig(api.url) }, retry: { maxAttempts: 1 } });
});
afterEach(async () => api.close());

function options(nodes: readonly string[], more: Partial<FanOutOptions> = {}): FanOutOptions {
  return { namespace: 'argo', pods: nodes.map((node) => nodePod(template, { node })), selector: nodePodSelector(RUN, 1, 'inject'), deadlineMs: 5000, pollMs: 20, log: recordingLog().log, ...more };
}
const nodes = (n: number): string[] => Array.from({ length: n }, (_, i) => `worker-${i}`);

describe('fan-out', () => {
  it('should create one pod per node, follow them with lists, and delete each once it succeeded', async () => {
    const kubelet = FakeKubelet.on(api, () => ({ phase: 'Succeeded', exitCode: 0 }));
    const outcomes = await fanOut(client, options(nodes(40), { concurrency: 8 }));
    expect(outcomes.map((o) => [o.node, o.end])).toEqual(nodes(40).map((n) => [n, 'Succeeded']));
    expect(kubelet.created.map(nodeOf)).toEqual(expect.arrayContaining(nodes(40)));
    expect(kubelet.counts).toEqual({ create: 40, delete: 40 });
    expect(kubelet.deleted.every((d) => d.grace === '')).toBe(true);
    // Every pod ended before the first list: one list, whatever the number of pods.
    expect(api.requests.filter((r) => r.verb === 'list')).toHaveLength(1);
  });

  it("should keep a failed pod for its logs and say how it ended; a pod that never ends is deleted at the deadline", async () => {
    const kubelet = FakeKubelet.on(api, (pod): PodFate => {
      if (nodeOf(pod) === 'worker-1') return { phase: 'Failed', exitCode: 1, message: '{"level":"info","msg":"inject of 2 VMIs on node worker-1"}\nerror: inject failed for 1 of 2 VMIs\n{"level":"error","msg":"inject: 1 of 2 VMIs done"}\n' };
      if (nodeOf(pod) === 'worker-2') return { phase: 'Pending', reason: 'Unschedulable', message: "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }." };
      return { phase: 'Succeeded', exitCode: 0 };
    });
    const started = Date.now();
    const outcomes = await fanOut(client, options(nodes(3), { deadlineMs: 300 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(outcomes).toEqual([
      { pod: expect.any(String), node: 'worker-0', end: 'Succeeded', detail: '' },
      { pod: expect.any(String), node: 'worker-1', end: 'Failed', detail: 'Failed: exit 1 (Error): error: inject failed for 1 of 2 VMIs' },
      {
        pod: expect.any(String),
        node: 'worker-2',
        end: 'TimedOut',
        detail: 'not ended within 0 s (Pending: Unschedulable: 0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.); deleted',
      },
    ]);
    // The pending pod deleted at once (grace 0), the succeeded one normally; the failed one kept.
    expect(kubelet.deleted).toEqual([
      { name: outcomes[2]!.pod, grace: '0' },
      { name: outcomes[0]!.pod, grace: '' },
    ]);
  });

  it('should follow the pod an earlier attempt created (409) rather than start a second one', async () => {
    let runs = 0;
    const kubelet = FakeKubelet.on(api, async (): Promise<PodFate> => {
      runs++;
      await new Promise((r) => setTimeout(r, 100));
      return { phase: 'Succeeded', exitCode: 0 };
    });
    // An attempt that created its pod and died (its node lost): the retry finds the pod running.
    await client.createPod('argo', nodePod(template, { node: 'worker-0' }));
    const outcomes = await fanOut(client, options(['worker-0', 'worker-1']));
    expect(outcomes.map((o) => o.end)).toEqual(['Succeeded', 'Succeeded']);
    expect([kubelet.counts.create, kubelet.created.length, runs]).toEqual([3, 2, 2]);
  });

  it('should stop creating after a denial (the same for every pod) and say it for every pod', async () => {
    FakeKubelet.on(api, () => ({ phase: 'Succeeded', exitCode: 0 }));
    api.fault({ status: 403, message: 'pods is forbidden: User "system:serviceaccount:argo:default" cannot create resource "pods"' }, { times: 1, matches: (r) => r.method === 'POST' });
    const outcomes = await fanOut(client, options(nodes(5), { concurrency: 1 }));
    expect(outcomes.map((o) => o.end)).toEqual(Array(5).fill('NotCreated'));
    expect(outcomes.every((o) => /create pods in namespace "argo"/.test(o.detail))).toBe(true);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('should delete every pod still running when stopped, giving each its grace period', async () => {
    const kubelet = FakeKubelet.on(api, (pod): PodFate => (nodeOf(pod) === 'worker-0' ? { phase: 'Succeeded', exitCode: 0 } : { phase: 'Pending', reason: 'ContainerCreating' }));
    const stop = new AbortController();
    const run = fanOut(client, options(nodes(3), { signal: stop.signal }));
    setTimeout(() => stop.abort(), 100);
    const outcomes = await run;
    expect(outcomes.map((o) => o.end)).toEqual(['Succeeded', 'Stopped', 'Stopped']);
    expect(kubelet.deleted.map((d) => d.grace)).toEqual(['', '', '']);
    expect(kubelet.counts.delete).toBe(3);
  });

  it('should count a pod deleted by someone else as failed', async () => {
    FakeKubelet.on(api, (): PodFate => ({ phase: 'Pending', reason: 'ContainerCreating' }));
    const run = fanOut(client, options(['worker-0']));
    await new Promise((r) => setTimeout(r, 50));
    const name = nodePod(template, { node: 'worker-0' }).metadata.name;
    api.remove('pods', 'argo', name);
    expect((await run).map((o) => [o.end, o.detail])).toEqual([['Failed', `pod ${name} was deleted before it ended`]]);
  });
});

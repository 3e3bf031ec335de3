import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectPages,
  KubeAccessError,
  KubeApiError,
  KubeClient,
  KubeConnectionError,
  KubeNotFoundError,
  toVmiRecord,
  type KubeClientOptions,
} from '../../kube/index.js';
import { FakeKubeApi } from './fake-api-server.js';
import { populate, recordingLog, writeKubeconfig } from './harness.js';
import { vmiObject } from './kubevirt-vmi.js';
import { launcherPodObject } from './virt-launcher-pod.js';

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 4, random: () => 0.5 };

async function start(options: Partial<KubeClientOptions> = {}): Promise<{ api: FakeKubeApi; client: KubeClient; log: ReturnType<typeof recordingLog> }> {
  api = await FakeKubeApi.start({ token: 'test-token' });
  const log = recordingLog();
  const client = new KubeClient({ env: { KUBECONFIG: writeKubeconfig(api.url) }, log: log.log, retry: FAST_RETRY, ...options });
  return { api, client, log };
}

const listAllVmis = (client: KubeClient, labelSelector = '', limit = 100, namespace?: string) =>
  collectPages((token) => client.listVmis({ labelSelector, limit, ...(namespace ? { namespace } : {}), ...(token ? { continueToken: token } : {}) }), toVmiRecord, () => undefined);

describe('KubeClient against the local API server', () => {
  it('should read a list across many pages with limit and continue, each object once, in key order', async () => {
    const { api, client } = await start();
    populate(api, { vmis: 1234, namespaces: 17 });
    const all = await listAllVmis(client);
    expect(all.listed).toBe(1234);
    expect(all.pages).toBe(13);
    expect(new Set(all.items.map((v) => v.uid)).size).toBe(1234);
    const keys = all.items.map((v) => `${v.namespace}\u0000${v.name}`);
    expect(keys).toEqual([...keys].sort());
    const requests = api.requests.filter((r) => r.resource === 'virtualmachineinstances');
    expect(requests.map((r) => r.query.limit)).toEqual(Array(13).fill('100'));
    expect(requests[0]!.query.continue).toBeUndefined();
    expect(requests.slice(1).every((r) => typeof r.query.continue === 'string')).toBe(true);
  });

  it('should apply the label selector on the server, namespaced or cluster-wide', async () => {
    const { api, client } = await start();
    populate(api, { vmis: 300, namespaces: 3 });
    expect((await listAllVmis(client, 'app=web')).listed).toBe(150);
    expect((await listAllVmis(client, 'app in (web,db),kubevirt.io/size!=large')).listed).toBe(300);
    expect((await listAllVmis(client, 'app=web', 100, 'ns-001')).listed).toBe(50);
    expect((await listAllVmis(client, '!app')).listed).toBe(0);
    expect(api.requests.map((r) => r.path)).toContain('/apis/kubevirt.io/v1/namespaces/ns-001/virtualmachineinstances');
  });

  it('should get one VMI and one pod, and raise KubeNotFoundError for a missing one', async () => {
    const { api, client } = await start();
    api.put(vmiObject({ namespace: 'prod', name: 'vm-1' }), launcherPodObject({ namespace: 'prod', vmiName: 'vm-1' }));
    expect(toVmiRecord(await client.getVmi('prod', 'vm-1'))?.name).toBe('vm-1');
    const missing = await client.getVmi('prod', 'vm-2').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KubeNotFoundError);
    expect((missing as KubeNotFoundError).status).toBe(404);
    expect((missing as Error).message).toBe('cannot get virtualmachineinstances.kubevirt.io "vm-2" in namespace "prod": HTTP 404 NotFound: virtualmachineinstances.kubevirt.io "vm-2" not found');
    const podMissing = await client.getPod('prod', 'nope').catch((e: unknown) => e);
    expect((podMissing as Error).message).toBe('cannot get pods "nope" in namespace "prod": HTTP 404 NotFound: pods "nope" not found');
  });

  it('should name the verb, resource and scope RBAC lacks on 403', async () => {
    const { api, client } = await start();
    api.deny({ verb: 'list', resource: 'virtualmachineinstances', scope: 'cluster' });
    const error = await client.listVmis({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeAccessError);
    expect((error as KubeAccessError).status).toBe(403);
    expect((error as KubeAccessError).request).toEqual({ verb: 'list', resource: { group: 'kubevirt.io', plural: 'virtualmachineinstances' } });
    expect((error as Error).message).toBe(
      'forbidden (HTTP 403): RBAC does not allow list virtualmachineinstances.kubevirt.io at cluster scope; grant verb "list" on "virtualmachineinstances.kubevirt.io" to the step\'s service account (the ClusterRole of "vmi-network-filter generate rbac" does). API server: virtualmachineinstances.kubevirt.io is forbidden: User "system:serviceaccount:chaos:vmi-network-filter" cannot list resource "virtualmachineinstances" in API group "kubevirt.io" at the cluster scope',
    );
    api.deny({ verb: 'get', resource: 'pods' });
    const podError = await client.getPod('prod', 'p').catch((e: unknown) => e);
    expect((podError as Error).message).toMatch(/^forbidden \(HTTP 403\): RBAC does not allow get pods in namespace "prod"; grant verb "get" on "pods" /);
    expect(api.requests).toHaveLength(2);
  });

  it("should give an admission's refusal (403) in its own words, not as missing RBAC", async () => {
    const { api, client } = await start();
    const psa = 'pods "vnf-x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "inject" must not set securityContext.privileged=true)';
    api.fault({ status: 403, message: psa }, { matches: (r) => r.method === 'POST' });
    const error = await client.createPod('argo', { metadata: { name: 'vnf-x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeAccessError);
    expect((error as Error).message).toBe(`refused by admission (HTTP 403) to create pods in namespace "argo": ${psa}`);
  });

  it('should explain a 401 as rejected credentials, without retrying', async () => {
    api = await FakeKubeApi.start({ token: 'the-real-token' });
    const client = new KubeClient({ env: { KUBECONFIG: writeKubeconfig(api.url, { token: 'stale-token' }) }, retry: FAST_RETRY });
    const error = await client.listPods({ limit: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeAccessError);
    expect((error as KubeAccessError).status).toBe(401);
    expect((error as Error).message).toBe(
      'unauthorized (HTTP 401) to list pods at cluster scope: the API server rejected the credentials (an expired or invalid service account token, or a wrong KUBECONFIG user).',
    );
    expect(api.requests).toHaveLength(1);
  });

  it('should honour Retry-After on 429 and log the retry', async () => {
    const { api, client, log } = await start();
    populate(api, { vmis: 3, namespaces: 1 });
    api.fault({ status: 429, retryAfter: '1' });
    const started = Date.now();
    const page = await client.listVmis({ limit: 10 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(page.items).toHaveLength(3);
    expect(api.requests).toHaveLength(2);
    expect(log.entries).toEqual([
      {
        level: 'warn',
        msg: 'retrying list virtualmachineinstances.kubevirt.io at cluster scope in 1000 ms after HTTP 429 (attempt 2 of 5)',
        fields: { request: 'list virtualmachineinstances.kubevirt.io at cluster scope', status: 429, retryAfterMs: 1000, attempt: 2, maxAttempts: 5, delayMs: 1000 },
      },
    ]);
  });

  it('should retry 500, 503 and dropped connections with backoff until an answer comes', async () => {
    const { api, client, log } = await start();
    populate(api, { vmis: 2, namespaces: 1 });
    api.fault({ status: 500 }).fault({ drop: true }).fault({ status: 503 });
    expect((await client.listPods({ limit: 10 })).items).toHaveLength(2);
    expect(api.requests).toHaveLength(4);
    expect(log.entries.map((e) => e.msg)).toEqual([
      'retrying list pods at cluster scope in 1 ms after HTTP 500 (attempt 2 of 5)',
      'retrying list pods at cluster scope in 2 ms after ECONNRESET (attempt 3 of 5)',
      'retrying list pods at cluster scope in 3 ms after HTTP 503 (attempt 4 of 5)',
    ]);
  });

  it('should give up after maxAttempts with the last status and the attempts made', async () => {
    const { api, client } = await start({ retry: { ...FAST_RETRY, maxAttempts: 3 } });
    api.fault({ status: 500, message: 'etcdserver: request timed out' }, { times: 10 });
    const error = await client.listVmis({ limit: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).not.toBeInstanceOf(KubeAccessError);
    expect((error as KubeApiError).attempts).toBe(3);
    expect((error as Error).message).toBe('cannot list virtualmachineinstances.kubevirt.io at cluster scope: HTTP 500 InternalError: etcdserver: request timed out (after 3 attempts)');
    expect(api.requests).toHaveLength(3);
  });

  it('should time out a request that gets no answer, and retry it', async () => {
    const { api, client, log } = await start({ timeoutMs: 200, retry: { ...FAST_RETRY, maxAttempts: 2 } });
    api.fault({ hang: true }, { times: 2 });
    const started = Date.now();
    const error = await client.getVmi('prod', 'vm-1').catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(error).toBeInstanceOf(KubeConnectionError);
    expect((error as KubeConnectionError).code).toBe('ETIMEDOUT');
    expect((error as Error).message).toBe(`cannot get virtualmachineinstances.kubevirt.io "vm-1" in namespace "prod": no answer from the Kubernetes API at ${api.url}: ETIMEDOUT (after 2 attempts)`);
    expect(log.entries.map((e) => e.msg)).toEqual(['retrying get virtualmachineinstances.kubevirt.io "vm-1" in namespace "prod" in 1 ms after ETIMEDOUT (attempt 2 of 2)']);
  });

  it('should report a refused connection as KubeConnectionError after the retries', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((done) => closed.close(() => done()));
    const client = new KubeClient({ env: { KUBECONFIG: writeKubeconfig(`http://127.0.0.1:${port}`) }, retry: { ...FAST_RETRY, maxAttempts: 3 } });
    const error = await client.listPods({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeConnectionError);
    expect((error as Error).message).toBe(`cannot list pods at cluster scope: no answer from the Kubernetes API at http://127.0.0.1:${port}: ECONNREFUSED (after 3 attempts)`);
  });

  it('should read the list again from the start when the continue token expires (410), once', async () => {
    const { api } = await start();
    populate(api, { vmis: 250, namespaces: 5 });
    const log = recordingLog();
    const client = new KubeClient({ env: { KUBECONFIG: writeKubeconfig(api.url) }, retry: FAST_RETRY });
    api.fault({ status: 410, reason: 'Expired', message: 'The provided continue parameter is too old to display a consistent list result.' }, { matches: (r) => r.query.continue !== undefined });
    const all = await collectPages((token) => client.listVmis({ limit: 100, ...(token ? { continueToken: token } : {}) }), toVmiRecord, log.log);
    expect(all.listed).toBe(250);
    expect(api.requests.map((r) => (r.query.continue ? 'continue' : 'first'))).toEqual(['first', 'continue', 'first', 'continue', 'continue']);
    expect(log.entries.map((e) => e.msg)).toEqual(["the list's continue token expired after 1 pages; reading the list again from the start"]);

    api.fault({ status: 410, reason: 'Expired', message: 'too old' }, { matches: (r) => r.query.continue !== undefined, times: 2 });
    const error = await collectPages((token) => client.listVmis({ limit: 100, ...(token ? { continueToken: token } : {}) }), toVmiRecord, log.log).catch((e: unknown) => e);
    expect((error as KubeApiError).status).toBe(410);
  });
});

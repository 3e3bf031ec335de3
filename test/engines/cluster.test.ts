/**
 * The engine-test cluster itself: every node Ready; on every node a real pod scheduled there, run
 * by that node's kubelet on its own containerd, reaching the API server through the `kubernetes`
 * Service with its own service account token and the pods of every other node (the nodes' pod
 * bridges are routed on this one host); the API server reaching each kubelet for logs and exec.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, kubeAs, kubeconfigFile } from './setup/context.js';

const kube = kubeAs();
const ns = `smoke-${Date.now().toString(36)}`;

/**
 * Each node's pod: once, lists the pods of its namespace through the `kubernetes` Service with its
 * service-account token and logs the status; then serves `hello from <its node>` on :8080.
 */
const SERVER = `
const fs = require('fs');
const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
fetch('https://' + process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT + '/api/v1/namespaces/' + process.env.NS + '/pods', { headers: { authorization: 'Bearer ' + fs.readFileSync(sa + '/token', 'utf8') } })
  .then((r) => console.log('api ' + r.status)).catch((e) => console.log('api ' + String(e.cause ?? e)));
require('http').createServer((req, res) => res.end('hello from ' + process.env.NODE_NAME)).listen(8080);
`;

/** What `fetch(url)` answers from inside `pod` (kubectl exec: the API server to that pod's kubelet). */
async function fetchFrom(pod: string, url: string, config: string): Promise<string> {
  const kubectl = join(engines().bins.kubernetes!, 'kubectl');
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).then(console.log, (e) => console.log('failed: ' + String(e.cause ?? e)))`;
  const { stdout } = await promisify(execFile)(kubectl, ['--kubeconfig', config, '-n', ns, 'exec', pod, '--', 'node', '-e', script], { timeout: 60_000 });
  return stdout.trim();
}

describe('the engine-test cluster', () => {
  let config: string;
  beforeAll(() => {
    config = kubeconfigFile('admin');
  });
  afterAll(async () => {
    rmSync(dirname(config), { recursive: true, force: true });
    await kube.delete('Namespace', ns).catch(() => undefined);
  });

  it('should have three kubelet nodes, every one Ready', async () => {
    expect(engines().nodes).toEqual(['node-1', 'node-2', 'node-3']);
    const nodes = await kube.waitFor('nodes Ready', () => kube.list('Node'), (list) =>
      engines().nodes.every((n) => list.find((x) => x.metadata.name === n)?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')));
    // Each its own address (its bridge's, vnfbr<i>: where the API server reaches its kubelet).
    expect(engines().nodes.map((n) => `${n} ${nodes.find((x) => x.metadata.name === n)!.status.addresses.find((a: any) => a.type === 'InternalIP').address}`)).toEqual([
      'node-1 10.88.1.1',
      'node-2 10.88.2.1',
      'node-3 10.88.3.1',
    ]);
  });

  it("should run a step-image pod on every node that reaches the API through the kubernetes Service and every other node's pod, with logs and exec through each kubelet", async () => {
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await kube.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: ns } });
    await kube.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }] });
    const nodes = engines().nodes;
    for (const node of nodes) {
      await kube.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `probe-${node}`, namespace: ns },
        spec: {
          serviceAccountName: 'reader',
          // Placed by the scheduler (not spec.nodeName): the node's kubelet must have registered it.
          nodeSelector: { 'kubernetes.io/hostname': node },
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'probe',
              image: engines().stepImage,
              imagePullPolicy: 'Never',
              command: ['node', '-e', SERVER],
              env: [
                { name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' },
                { name: 'NS', value: ns },
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              ],
            },
          ],
        },
      });
    }
    const pods = await kube.waitFor('a probe pod Running on every node', () => kube.list('Pod', ns), (l) => l.length === nodes.length && l.every((p) => p.status?.phase === 'Running' && p.status?.podIP), 180_000);
    const byNode = new Map(pods.map((p) => [p.spec.nodeName as string, p]));
    expect([...byNode.keys()].sort()).toEqual([...nodes]);
    // Each from its node's own pod range (10.88.<i>.0/24).
    expect(nodes.map((n) => `${n} ${byNode.get(n)!.status.podIP}`)).toEqual(nodes.map((n, i) => expect.stringMatching(new RegExp(`^${n} 10\\.88\\.${i + 1}\\.\\d+$`))));
    // Logs: the API server reads them from each node's kubelet.
    const logs = await kube.waitFor('every probe to log its API call', () => Promise.all(nodes.map((n) => kube.call('GET', `/api/v1/namespaces/${ns}/pods/probe-${n}/log`).then((r) => String(r.raw ?? '').trim()))), (l) => l.every((x) => x.startsWith('api ')), 60_000);
    expect(logs).toEqual(nodes.map(() => 'api 200'));
    // Exec through each kubelet; from each pod, every other node's pod (routed between the bridges).
    const seen = await Promise.all(
      nodes.flatMap((from) => nodes.filter((to) => to !== from).map(async (to) => `${from} -> ${to}: ${await fetchFrom(`probe-${from}`, `http://${byNode.get(to)!.status.podIP}:8080/`, config)}`)),
    );
    expect(seen).toEqual(nodes.flatMap((from) => nodes.filter((to) => to !== from).map((to) => `${from} -> ${to}: hello from ${to}`)));
  });
});

/**
 * The engine-test cluster itself: real nodes Ready, a real pod scheduled, run by the kubelet on
 * containerd, reaching the API server through the `kubernetes` Service with its own service
 * account token, and KubeVirt's CRD accepting a VMI as KubeVirt's API types shape it.
 */
import { describe, expect, it } from 'vitest';
import { engines, kubeAs } from './setup/context.js';

describe('the engine-test cluster', () => {
  it('should have every kubelet node Ready', async () => {
    const kube = kubeAs();
    const nodes = await kube.waitFor('nodes Ready', () => kube.list('Node'), (list) =>
      engines().nodes.every((n) => list.find((x) => x.metadata.name === n)?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')));
    expect(nodes.map((n) => n.metadata.name)).toEqual(expect.arrayContaining([...engines().nodes]));
  });

  it('should run a pod of the step image that lists VMIs through the kubernetes Service with its service account', async () => {
    const kube = kubeAs();
    const ns = `smoke-${Date.now().toString(36)}`;
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await kube.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: ns } });
    await kube.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }] });
    await kube.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'probe', namespace: ns },
      spec: {
        serviceAccountName: 'reader',
        restartPolicy: 'Never',
        containers: [{ name: 'probe', image: engines().stepImage, imagePullPolicy: 'Never', command: ['node', '-e', "fetch('https://' + process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT + '/api/v1/namespaces/' + process.argv[1] + '/pods', { headers: { authorization: 'Bearer ' + require('fs').readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/token', 'utf8') } }).then(r => { console.log(r.status); process.exit(r.status === 200 ? 0 : 1); }).catch(e => { console.log(String(e.cause ?? e)); process.exit(1); })", ns], env: [{ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' }] }],
      },
    });
    const pod = await kube.waitFor('the probe pod to finish', () => kube.get('Pod', 'probe', ns), (p) => ['Succeeded', 'Failed'].includes(p.status?.phase), 180_000);
    expect(pod.spec.nodeName).toBe(engines().nodes[0]);
    expect(pod.status.phase).toBe('Succeeded');
    await kube.delete('Namespace', ns);
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient, KubeConfigError, KubeConnectionError, loadKubeConfig } from '../../kube/index.js';
import { FakeKubeApi } from './fake-api-server.js';
import { tempDir, writeKubeconfig } from './harness.js';
import { vmiObject } from './kubevirt-vmi.js';

let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A self-signed certificate for 127.0.0.1, made by openssl for this test run. */
function certificate(): { key: string; cert: string; certFile: string } {
  const dir = tempDir('vmi-tls-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), certFile: join(dir, 'cert.pem') };
}

/** A mounted service account: token (no trailing newline, as the kubelet writes it) and ca.crt. */
function serviceAccount(token: string, caFile?: string): string {
  const dir = tempDir('vmi-sa-');
  writeFileSync(join(dir, 'token'), token);
  if (caFile) writeFileSync(join(dir, 'ca.crt'), readFileSync(caFile));
  return dir;
}

describe('API configuration', () => {
  it('should use the in-cluster service account: token file and CA, over HTTPS', async () => {
    const tls = certificate();
    api = await FakeKubeApi.start({ tls, token: 'sa-token' });
    api.put(vmiObject({ namespace: 'prod', name: 'vm-1' }));
    const port = new URL(api.url).port;
    const client = new KubeClient({ env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port }, serviceAccountDir: serviceAccount('sa-token', tls.certFile) });
    expect(client.server).toBe(`https://127.0.0.1:${port}`);
    expect((await client.listVmis({ limit: 10 })).items).toHaveLength(1);
  });

  it('should refuse an API server whose certificate is not trusted, without retrying', async () => {
    api = await FakeKubeApi.start({ tls: certificate(), token: 'sa-token' });
    const otherCa = certificate().certFile;
    const client = new KubeClient({ env: { KUBECONFIG: writeKubeconfig(api.url, { token: 'sa-token', caFile: otherCa }) } });
    const error = await client.listPods({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeConnectionError);
    expect((error as KubeConnectionError).attempts).toBe(1);
    expect((error as Error).message).toBe(
      `cannot list pods at cluster scope: the TLS certificate of the Kubernetes API at ${api.url} is not trusted (${(error as KubeConnectionError).code}): check certificate-authority in KUBECONFIG, or the service account's ca.crt`,
    );
    expect(api.requests).toHaveLength(0);
  });

  it('should prefer KUBECONFIG to the service account', () => {
    const kubeconfig = writeKubeconfig('http://127.0.0.1:1');
    const kc = loadKubeConfig({ env: { KUBECONFIG: kubeconfig, KUBERNETES_SERVICE_HOST: '10.96.0.1' }, serviceAccountDir: serviceAccount('t') });
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
  });

  it('should merge a KUBECONFIG path list as kubectl does: the first file to name a cluster wins', () => {
    const first = writeKubeconfig('http://127.0.0.1:1');
    const second = writeKubeconfig('http://127.0.0.1:2');
    expect(loadKubeConfig({ env: { KUBECONFIG: `${first}:${second}` } }).getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
  });

  it('should bracket an IPv6 service host', () => {
    const kc = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, serviceAccountDir: serviceAccount('t') });
    expect(kc.getCurrentCluster()?.server).toBe('https://[fd00::1]:6443');
  });

  it('should say what is missing when there is no configuration at all', () => {
    const home = tempDir('vmi-home-');
    const missingSa = join(home, 'no-sa');
    expect(() => loadKubeConfig({ env: {}, home, serviceAccountDir: missingSa })).toThrow(
      new KubeConfigError(`KUBECONFIG is not set, this is not a pod with a service account, and ${join(home, '.kube', 'config')} does not exist`),
    );
    expect(() => loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, home, serviceAccountDir: missingSa })).toThrow(
      `no usable Kubernetes API configuration: KUBERNETES_SERVICE_HOST is set but no service account token is mounted at ${missingSa} (automountServiceAccountToken: false?), and KUBECONFIG is not set`,
    );
  });

  it('should reject an unreadable KUBECONFIG and plain http without insecure-skip-tls-verify', () => {
    expect(() => loadKubeConfig({ env: { KUBECONFIG: '/nonexistent/kubeconfig' } })).toThrow(
      "no usable Kubernetes API configuration: cannot load kubeconfig /nonexistent/kubeconfig: ENOENT: no such file or directory, open '/nonexistent/kubeconfig'",
    );
    const plain = writeKubeconfig('http://127.0.0.1:1', { omitSkipTls: true });
    expect(() => loadKubeConfig({ env: { KUBECONFIG: plain } })).toThrow(
      `no usable Kubernetes API configuration: KUBECONFIG ${plain}: server http://127.0.0.1:1 is plain http, which needs insecure-skip-tls-verify: true on its cluster`,
    );
  });

  it('should use ~/.kube/config when nothing else is configured', () => {
    const home = tempDir('vmi-home-');
    execFileSync('mkdir', ['-p', join(home, '.kube')]);
    writeFileSync(join(home, '.kube', 'config'), readFileSync(writeKubeconfig('http://127.0.0.1:3')));
    expect(loadKubeConfig({ env: {}, home, serviceAccountDir: join(home, 'no-sa') }).getCurrentCluster()?.server).toBe('http://127.0.0.1:3');
  });
});

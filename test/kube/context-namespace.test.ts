/**
 * The default workflow namespace as kubectl finds it (contextNamespace), and `--kubeconfig` /
 * `--context` in loadKubeConfig: the same search, the same merge, read without the client.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KubeConfigError, loadKubeConfig } from '../../kube/index.js';
import { contextNamespace } from '../../kube/context-namespace.js';
import { tempDir, writeKubeconfig } from './harness.js';

describe('contextNamespace', () => {
  it("should read the current context's namespace, or the one --context names", () => {
    const file = writeKubeconfig('http://127.0.0.1:1', { namespace: 'chaos', otherContexts: { qa: 'qa-chaos' } });
    expect(contextNamespace({ env: { KUBECONFIG: file } })).toEqual({ namespace: 'chaos', from: 'kubeconfig context "local"' });
    expect(contextNamespace({ env: {}, kubeconfig: file, context: 'qa' })).toEqual({ namespace: 'qa-chaos', from: 'kubeconfig context "qa"' });
    expect(contextNamespace({ env: { KUBECONFIG: writeKubeconfig('http://127.0.0.1:1') } })).toBeUndefined();
  });

  it('should merge KUBECONFIG files as kubectl does: the first current-context and the first context of a name win', () => {
    const first = join(tempDir(), 'first');
    writeFileSync(first, JSON.stringify({ 'current-context': 'b', contexts: [{ name: 'b', context: { cluster: 'x', namespace: 'from-first' } }] }));
    const second = writeKubeconfig('http://127.0.0.1:1', { namespace: 'from-second', otherContexts: { b: 'shadowed' } });
    expect(contextNamespace({ env: { KUBECONFIG: `${first}:${second}` } })).toEqual({ namespace: 'from-first', from: 'kubeconfig context "b"' });
    expect(contextNamespace({ env: { KUBECONFIG: `${second}:${first}` } })).toEqual({ namespace: 'from-second', from: 'kubeconfig context "local"' });
  });

  it("should take a pod's own namespace in a cluster, and ~/.kube/config last", () => {
    const sa = tempDir('vmi-sa-');
    writeFileSync(join(sa, 'token'), 't');
    writeFileSync(join(sa, 'namespace'), 'chaos-runner\n');
    expect(contextNamespace({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, serviceAccountDir: sa })).toEqual({
      namespace: 'chaos-runner',
      from: `the pod's service account (${join(sa, 'namespace')})`,
    });
    const home = tempDir('vmi-home-');
    expect(contextNamespace({ env: {}, home, serviceAccountDir: join(home, 'no-sa') })).toBeUndefined();
  });
});

describe('loadKubeConfig with --kubeconfig and --context', () => {
  it('should switch to the context --context names, and refuse one the file lacks', () => {
    const file = writeKubeconfig('http://127.0.0.1:1', { otherContexts: { qa: 'qa-chaos' } });
    expect(loadKubeConfig({ env: {}, kubeconfig: file, context: 'qa' }).getCurrentContext()).toBe('qa');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: file }, context: 'prod' })).toThrow(
      new KubeConfigError(`--context prod: KUBECONFIG ${file} has no such context (it has: local, qa)`),
    );
  });

  it('should read --kubeconfig instead of KUBECONFIG, and need a file for --context', () => {
    const file = writeKubeconfig('http://127.0.0.1:2');
    expect(loadKubeConfig({ env: { KUBECONFIG: '/nonexistent/kubeconfig' }, kubeconfig: file }).getCurrentCluster()?.server).toBe('http://127.0.0.1:2');
    const home = tempDir('vmi-home-');
    expect(() => loadKubeConfig({ env: {}, home, context: 'qa' })).toThrow(new KubeConfigError(`--context qa needs a kubeconfig file (--kubeconfig, KUBECONFIG or ${join(home, '.kube', 'config')})`));
  });
});

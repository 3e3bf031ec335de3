/**
 * inject's clock check against the local API server: the Date header read through the real
 * client configuration, the skew measured from it, and every way it can fail to answer, none of
 * them fatal, each bounded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { measureNodeClock } from '../../steps/commands/node-clock.js';
import { DEFAULT_SERVICE_ACCOUNT_DIR } from '../../kube/config-source.js';
import { KubeConfigError, kubeConfigSource, loadKubeConfig, readServerDate, SERVICE_ACCOUNT_DIR } from '../../kube/index.js';
import { FakeKubeApi } from './fake-api-server.js';
import { recordingLog, tempDir, writeKubeconfig } from './harness.js';

const HOUR = 3_600_000;
let api: FakeKubeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('the API server\'s Date header', () => {
  it('should be read with one GET /version, whatever its status, without retries', async () => {
    api = await FakeKubeApi.start({ clock: () => Date.UTC(2026, 10, 21, 12, 0, 0, 900) });
    const answer = await readServerDate({ env: { KUBECONFIG: writeKubeconfig(api.url) }, timeoutMs: 2000 });
    expect(answer).toMatchObject({ server: api.url, status: 404, date: 'Sat, 21 Nov 2026 12:00:00 GMT' });
    expect(answer.receivedAt).toBeGreaterThanOrEqual(answer.sentAt);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /version']);
  });
});

describe('the node clock check', () => {
  const env = (server: string) => ({ KUBECONFIG: writeKubeconfig(server) });

  it('should find the node an hour ahead of an API server whose clock is an hour behind', async () => {
    api = await FakeKubeApi.start({ clock: () => Date.now() - HOUR });
    const log = recordingLog();
    const kubeconfig = env(api.url).KUBECONFIG;
    const skew = await measureNodeClock({ env: { KUBECONFIG: kubeconfig }, log: log.log });
    expect(skew?.verdict).toBe('ahead');
    expect(Math.abs(skew!.skewSeconds - 3600)).toBeLessThanOrEqual(skew!.uncertaintySeconds);
    expect(log.entries).toEqual([{ level: 'debug', msg: `asking the Kubernetes API server for its clock (KUBECONFIG ${kubeconfig}), for at most 2000 ms`, fields: {} }]);
  });

  it('should find the clocks agreeing with an API server on the same clock', async () => {
    api = await FakeKubeApi.start();
    const log = recordingLog();
    const skew = await measureNodeClock({ env: env(api.url), log: log.log });
    expect(log.entries.map((e) => e.level)).toEqual(['debug']);
    expect(skew?.verdict).toBe('agrees');
    expect(Math.abs(skew!.skewSeconds)).toBeLessThanOrEqual(skew!.uncertaintySeconds);
  });

  it('should give up after its budget when the API server never answers, saying so at debug level', async () => {
    api = await FakeKubeApi.start();
    api.fault({ hang: true });
    const kubeconfig = writeKubeconfig(api.url);
    const log = recordingLog();
    const started = Date.now();
    expect(await measureNodeClock({ env: { KUBECONFIG: kubeconfig }, log: log.log, budgetMs: 300 })).toBeUndefined();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    expect(log.entries.map((e) => e.msg)).toEqual([
      `asking the Kubernetes API server for its clock (KUBECONFIG ${kubeconfig}), for at most 300 ms`,
      `the node's clock was not compared with the Kubernetes API server's: no answer within 300 ms (KUBECONFIG ${kubeconfig})`,
    ]);
  });

  it('should not compare when the API server refuses the connection', async () => {
    api = await FakeKubeApi.start();
    const { url } = api;
    const kubeconfig = writeKubeconfig(url);
    await api.close();
    api = undefined;
    const log = recordingLog();
    expect(await measureNodeClock({ env: { KUBECONFIG: kubeconfig }, log: log.log })).toBeUndefined();
    expect(log.entries.map((e) => `${e.level} ${e.msg}`)).toEqual([
      `debug asking the Kubernetes API server for its clock (KUBECONFIG ${kubeconfig}), for at most 2000 ms`,
      `debug the node's clock was not compared with the Kubernetes API server's: ${url}: ECONNREFUSED (KUBECONFIG ${kubeconfig})`,
    ]);
  });

  it('should not even load the client when no API is configured', async () => {
    const log = recordingLog();
    expect(await measureNodeClock({ env: {}, log: log.log, home: tempDir() })).toBeUndefined();
    expect(log.entries).toEqual([
      { level: 'debug', msg: "the node's clock was not compared with the Kubernetes API server's: no API configured (no KUBECONFIG, no service account token, no ~/.kube/config)", fields: {} },
    ]);
  });
});

describe('kubeConfigSource', () => {
  it('should name the configuration loadKubeConfig loads, in its order, and none where it finds none', () => {
    const home = tempDir();
    const sa = tempDir();
    expect(kubeConfigSource({ env: {}, home })).toBeUndefined();
    expect(() => loadKubeConfig({ env: {}, home })).toThrow(KubeConfigError);
    expect(kubeConfigSource({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, home, serviceAccountDir: sa })).toBeUndefined();

    writeFileSync(join(sa, 'token'), 'token');
    expect(kubeConfigSource({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, home, serviceAccountDir: sa })).toBe(`the service account in ${sa}`);
    expect(loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, home, serviceAccountDir: sa }).getCurrentCluster()?.server).toBe('https://10.96.0.1:443');

    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), '{}');
    expect(kubeConfigSource({ env: {}, home })).toBe(join(home, '.kube', 'config'));
    expect(kubeConfigSource({ env: { KUBECONFIG: '/a:/b' }, home })).toBe('KUBECONFIG /a:/b');
    expect(DEFAULT_SERVICE_ACCOUNT_DIR).toBe(SERVICE_ACCOUNT_DIR);
  });
});

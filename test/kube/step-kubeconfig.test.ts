/**
 * The steps that talk to the API take kubectl's `--kubeconfig` and `--context`: a step run by
 * hand reaches the cluster they name, not the current-context of KUBECONFIG. The built CLI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi } from './fake-api-server.js';
import { populate, runCli, tempDir } from './harness.js';

let api: FakeKubeApi;
let dir: string;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  dir = tempDir('vmi-step-kubeconfig-');
});
afterEach(async () => api.close());

/** A kubeconfig whose current context points at a dead port, and context "live" at the fake API. */
function twoContexts(): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'dead', cluster: { server: 'http://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
        { name: 'live', cluster: { server: api.url, 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'chaos', user: { token: 'test-token' } }],
      contexts: [
        { name: 'dead', context: { cluster: 'dead', user: 'chaos' } },
        { name: 'live', context: { cluster: 'live', user: 'chaos' } },
      ],
      'current-context': 'dead',
    }),
  );
  return file;
}

describe('step select --kubeconfig --context', () => {
  it('should select through the context --context names in the file --kubeconfig names', async () => {
    populate(api, { vmis: 4, namespaces: 1 });
    const out = join(dir, 'targets.json');
    const run = await runCli(['step', 'select', '--kubeconfig', twoContexts(), '--context', 'live', `--out=${out}`, '--seed=1'], { NAMESPACE: 'ns-000', KUBECONFIG: join(dir, 'missing') });
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveLength(1);
    expect(run.stdout).toContain(`"server":"${api.url}"`);
  });

  it('should refuse a context the file lacks (exit 1), sending nothing', async () => {
    const file = twoContexts();
    const run = await runCli(['step', 'select', '--kubeconfig', file, '--context', 'prod'], { NAMESPACE: 'ns-000' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: no usable Kubernetes API configuration: --context prod: --kubeconfig ${file} has no such context (it has: dead, live)\n`);
    expect(api.requests).toEqual([]);
  });
});

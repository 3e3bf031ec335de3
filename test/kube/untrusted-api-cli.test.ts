/**
 * `step select` against an API server that misbehaves (or a proxy answering in its place): every
 * list ends, every answer is bounded and parsed as JSON or refused, and no value the API sent
 * reaches the targets or the run ledger unchecked. The built CLI, as the workflow runs it.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi } from './fake-api-server.js';
import { FakeConfigMaps } from './fake-ledger.js';
import { runCli, tempDir, writeKubeconfig } from './harness.js';
import { vmiObject } from './kubevirt-vmi.js';
import { endlessList, hugeList, rawList } from './misbehaving-api.js';
import { launcherPodObject } from './virt-launcher-pod.js';

let api: FakeKubeApi;
let dir: string;
let kubeconfig: string;
beforeEach(async () => {
  api = await FakeKubeApi.start();
  dir = tempDir('vmi-cli-');
  kubeconfig = writeKubeconfig(api.url);
});
afterEach(async () => {
  await api.close();
  // Tests remove what they create.
  for (const d of [dir, dirname(kubeconfig)]) rmSync(d, { recursive: true, force: true });
});

const outFile = (): string => join(dir, 'targets.json');
const select = (env: Record<string, string>, ...flags: string[]) =>
  runCli(['step', 'select', `--out=${outFile()}`, ...flags], { NO_COLOR: '1', KUBECONFIG: kubeconfig, NAMESPACE: 'prod', INSTANCE_COUNT: '0', ...env });
const VMI_LIST = 'cannot list virtualmachineinstances.kubevirt.io at cluster scope (GET /apis/kubevirt.io/v1/virtualmachineinstances)';

describe('step select against a misbehaving API server', () => {
  it('should stop with exit 1 naming the request when the server sends the same continue token twice', async () => {
    const endless = endlessList('virtualmachineinstances', 'repeat');
    api.extend(endless.extension);
    const run = await select({});
    expect(run.stderr).toBe(`error: ${VMI_LIST}: the server sent the same continue token on pages 1 and 2; a list that repeats a token never ends\n`);
    expect(run.code).toBe(1);
    expect(endless.served()).toBe(2);
    expect(existsSync(outFile())).toBe(false);
  });

  it('should stop with exit 1 after 1000 pages when every page carries a new continue token', async () => {
    const endless = endlessList('virtualmachineinstances', 'new');
    api.extend(endless.extension);
    const run = await select({});
    expect(run.stderr).toBe(`error: ${VMI_LIST}: the list did not end within 1000 pages (500,000 items at 500 per page), the most this tool reads of one list\n`);
    expect(run.code).toBe(1);
    expect(endless.served()).toBe(1000);
  }, 60_000);

  it('should cut off an answer larger than 32 MiB and fail with exit 1 naming the request', async () => {
    const huge = hugeList('virtualmachineinstances', 300 * 1024 * 1024);
    api.extend(huge.extension);
    const run = await select({});
    expect(run.stderr).toBe(`error: ${VMI_LIST}: the answer exceeds 32 MiB, the most this tool reads of one response; it was cut off there\n`);
    expect(run.code).toBe(1);
    // The client hung up: the server did not get to write the 300 MB.
    expect(huge.sent()).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('should name the request, the status and the first 64 characters, escaped, of an HTML answer', async () => {
    const page = '<!DOCTYPE html>\n<html><head><title>Sign in \u00b7 "SSO"</title></head><body><form action="/login">…</form></body></html>';
    api.extend(rawList('virtualmachineinstances', page, 'text/html; charset=utf-8'));
    const run = await select({});
    expect(run.stderr).toBe(
      `error: ${VMI_LIST}: the HTTP 200 answer is not JSON (content-type "text/html; charset=utf-8", ${Buffer.byteLength(page)} bytes); it begins "<!DOCTYPE html>\\n<html><head><title>Sign in \\u00b7 \\"SSO\\"</title></head"\n`,
    );
    expect(run.code).toBe(1);
  });

  it('should name the request and the first 64 characters of JSON cut short', async () => {
    const cut = '{"apiVersion":"kubevirt.io/v1","items":[{"metadata":{"name":"vm-1"';
    api.extend(rawList('virtualmachineinstances', cut, 'application/json'));
    const run = await select({});
    expect(run.stderr).toBe(
      `error: ${VMI_LIST}: the HTTP 200 answer is not JSON (content-type "application/json", ${cut.length} bytes); it begins "{\\"apiVersion\\":\\"kubevirt.io/v1\\",\\"items\\":[{\\"metadata\\":{\\"name\\":\\"vm-"\n`,
    );
    expect(run.code).toBe(1);
  });

  it("should quote a proxy's HTML error page escaped, after the retries", async () => {
    const page = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\u001b[31mupstream\u001b[0m</body>\r\n</html>\r\n';
    api.extend(rawList('virtualmachineinstances', page, 'text/html', 502));
    const run = await select({});
    expect(run.stderr).toBe(
      'error: cannot list virtualmachineinstances.kubevirt.io at cluster scope: HTTP 502: "<html>\\r\\n<head><title>502 Bad Gateway</title></head>\\r\\n<body>\\u001b[31mupstream\\u001b[0m</body>\\r\\n</html>" (after 5 attempts)\n',
    );
    expect(run.code).toBe(1);
  }, 30_000);

  it('should refuse VMIs whose names, node or uid no API server accepts, writing neither the targets nor the ledger', async () => {
    const ledger = FakeConfigMaps.on(api);
    const names = ['good', 'vm-{{workflow.name}}', 'vm-$(id)', 'vm-"quoted"', 'vm-\nline'];
    for (const name of names) api.put(vmiObject({ namespace: 'prod', name }), launcherPodObject({ namespace: 'prod', vmiName: name }));
    api.put(vmiObject({ namespace: 'prod', name: 'vm-bad-node', node: 'node-{{x}}' }), launcherPodObject({ namespace: 'prod', vmiName: 'vm-bad-node', node: 'node-{{x}}' }));
    api.put(vmiObject({ namespace: 'prod', name: 'vm-bad-uid', uid: '1),x in (y' }), launcherPodObject({ namespace: 'prod', vmiName: 'vm-bad-uid', vmiUid: '1),x in (y' }));
    const serial = join(dir, 'serial.json');
    const run = await select({ POD_NAMESPACE: 'argo' }, '--run-id', '3f2c9a10-1b2c-4d5e-8f90-0a1b2c3d4e5f', '--owner', 'Workflow/chaos-x7k2p', `--serial-out=${serial}`);
    expect(run.stderr).toBe(
      [
        'error: the API server sent 6 values that are not valid in a Kubernetes object (an API server accepts none of them) for the VMIs selected; nothing was written to the targets or the run ledger:',
        '  virtualmachineinstances.kubevirt.io "vm-\\nline" in namespace "prod": metadata.name must be a DNS-1123 subdomain',
        '  virtualmachineinstances.kubevirt.io "vm-\\"quoted\\"" in namespace "prod": metadata.name must be a DNS-1123 subdomain',
        '  virtualmachineinstances.kubevirt.io "vm-$(id)" in namespace "prod": metadata.name must be a DNS-1123 subdomain',
        '  virtualmachineinstances.kubevirt.io "vm-bad-node" in namespace "prod": status.nodeName "node-{{x}}" must be a DNS-1123 subdomain',
        '  virtualmachineinstances.kubevirt.io "vm-bad-uid" in namespace "prod": metadata.uid "1),x in (y" must be a Kubernetes UID',
        '  virtualmachineinstances.kubevirt.io "vm-{{workflow.name}}" in namespace "prod": metadata.name must be a DNS-1123 subdomain',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(existsSync(outFile())).toBe(false);
    expect(existsSync(serial)).toBe(false);
    expect(ledger.counts).toEqual({ create: 0, get: 0, patch: 0, list: 0 });
    // The drawn VMIs' UIDs go into a label selector: a bad one is refused before that request.
    expect(api.requests.filter((r) => r.resource === 'pods')).toEqual([]);
  });

  it("should refuse a launcher pod whose name no API server accepts, naming its VMI", async () => {
    api.put(vmiObject({ namespace: 'prod', name: 'vm-1' }));
    const pod = launcherPodObject({ namespace: 'prod', vmiName: 'vm-1' });
    (pod.metadata as { name: string }).name = "virt-launcher-vm-1-'$(reboot)'";
    api.put(pod);
    const run = await select({});
    expect(run.stderr).toBe(
      [
        'error: the API server sent 1 value that is not valid in a Kubernetes object (an API server accepts none of them) for the VMIs selected; nothing was written to the targets or the run ledger:',
        '  virtualmachineinstances.kubevirt.io "vm-1" in namespace "prod": its virt-launcher pod\'s metadata.name "virt-launcher-vm-1-\'$(reboot)\'" must be a DNS-1123 subdomain',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(existsSync(outFile())).toBe(false);
  });
});

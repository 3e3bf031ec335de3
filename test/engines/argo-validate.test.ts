/**
 * Argo's own validation (workflow/validate of the Argo module, built into test/engines/argo-*
 * as argo-validate) on everything `generate argo` emits: the checked-in examples and the kinds,
 * options and scenario shapes the CLI offers, for the newest and the oldest Argo we support, as
 * `argo lint` checks them and as `argo submit` / the controller do. What Argo rejects is a bug of
 * ours, whatever our own schema and lint said.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../kube/harness.js';
import { ARGO_VERSIONS } from './cluster/argo.js';
import { cli } from './fixtures/argo-run.js';
import { engines } from './setup/context.js';

const dir = mkdtempSync(join(tmpdir(), 'vnfe-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** argo-validate of `version` on `files`: one {kind, name, ok, error} per document. */
function validate(module: string, files: readonly string[], submit: boolean): { kind: string; name: string; ok: boolean; error?: string }[] {
  const bin = join(engines().bins[module]!, 'argo-validate');
  const r = spawnSync(bin, [...(submit ? ['--submit'] : []), ...files], { encoding: 'utf8' });
  if (r.status === 2) throw new Error(`argo-validate: bad input: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const examples = readdirSync(join(REPO_ROOT, 'workflows/argo')).filter((f) => f.endsWith('.yaml')).map((f) => join(REPO_ROOT, 'workflows/argo', f));

/** What the CLI emits for each kind and option worth checking (written to files for the validator). */
function generated(): string[] {
  const twoScenarios = join(dir, 'two.yaml');
  writeFileSync(twoScenarios, '- id: vmi_network_filter\n  namespace: shop\n  ports: [53]\n- id: vmi_network_filter\n  namespace: ops\n  execution: parallel\n  instance_count: 0\n');
  const variants: Record<string, string[]> = {
    'workflow-defaults': ['generate', 'argo', '--namespace', 'demo'],
    'workflow-parallel-all': ['generate', 'argo', '--namespace', 'virt-.*', '--execution', 'parallel', '--instance-count', '0', '--ingress', 'false', '--protocols', 'udp'],
    'workflow-privileged-taints': ['generate', 'argo', '--namespace', 'demo', '--privileged', '--taints', 'node-role.kubernetes.io/master:NoSchedule', '--service-account', 'chaos'],
    'workflow-two-scenarios': ['generate', 'argo', '--scenario', twoScenarios],
    'workflowtemplate-two-scenarios': ['generate', 'argo', '--scenario', twoScenarios, '--kind', 'WorkflowTemplate', '--name', 'two'],
    'cronworkflow': ['generate', 'argo', '--namespace', 'demo', '--kind', 'CronWorkflow', '--schedule', '0 3 * * 1', '--name', 'weekly'],
  };
  return Object.entries(variants).map(([name, args]) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, cli(args));
    return file;
  });
}

describe("Argo's own validation of what we generate", () => {
  const files = [...examples, ...generated()];
  for (const version of ARGO_VERSIONS) {
    for (const submit of [false, true]) {
      it(`should pass ${version.version}'s ${submit ? 'submit' : 'lint'} validation for every example and generated kind`, () => {
        const results = validate(version.module, files, submit);
        expect(results.length).toBe(files.length);
        expect(results.filter((r) => !r.ok)).toEqual([]);
      });
    }
  }

  it('should be an oracle that can fail: a workflow calling a template that does not exist is rejected', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, cli(['generate', 'argo', '--namespace', 'demo']).replace('template: hold', 'template: hodl'));
    for (const version of ARGO_VERSIONS) {
      const [result] = validate(version.module, [broken], false);
      expect(result).toMatchObject({ kind: 'Workflow', ok: false });
      expect(result!.error).toMatch(/hodl/);
    }
  });
});

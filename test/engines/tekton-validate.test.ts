/**
 * Tekton's own checks (the webhook's defaulting and validation, and with --run the controller's
 * checks before it starts a PipelineRun; built into test/engines/tekton-* as tekton-validate) on
 * everything `generate tekton` emits: the checked-in examples and the kinds, options and
 * scenario shapes the CLI offers, for the newest and the oldest Tekton we support, with the
 * feature flags docs/tekton.md asks for and those it suggests. What Tekton rejects is a bug of
 * ours, whatever our own schema and tekton-lint said.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../kube/harness.js';
import { TEKTON_VERSIONS } from './cluster/tekton.js';
import { cli, documents } from './fixtures/argo-run.js';
import { engines } from './setup/context.js';

const dir = mkdtempSync(join(tmpdir(), 'vnfe-tekton-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  kind: string;
  name: string;
  ok: boolean;
  error?: string;
  warnings?: string[];
}

/** The module's binaries (built by the global setup). */
const binDir = (module: string): string => engines().bins[module]!;

/** tekton-validate of `module` on `files`: one result per Tekton document. */
function validate(module: string, files: readonly string[], args: readonly string[] = []): Result[] {
  const r = spawnSync(join(binDir(module), 'tekton-validate'), [...args, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status === 2) throw new Error(`tekton-validate: bad input: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Result);
}

const TEKTON_KINDS = new Set(['Task', 'Pipeline', 'TaskRun', 'PipelineRun']);
const tektonDocuments = (files: readonly string[]): number =>
  files.reduce((n, f) => n + documents(readFileSync(f, 'utf8')).filter((d) => TEKTON_KINDS.has(d.kind)).length, 0);

const exampleDir = join(REPO_ROOT, 'workflows/tekton');
const examples = readdirSync(exampleDir).filter((f) => f.endsWith('.yaml')).map((f) => join(exampleDir, f));
/** Each example Pipeline file with the PipelineRun generated from the same scenario. */
const examplePairs = examples.filter((f) => f.endsWith('.pipeline.yaml')).map((f) => [f, f.replace(/\.pipeline\.yaml$/, '.pipelinerun.yaml')] as const);

const write = (name: string, text: string): string => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
};

/** What the CLI emits for each kind and option worth checking: a Pipeline and its run from the same flags. */
function generated(): { tasks: string; pairs: (readonly [string, string])[] } {
  const twoScenarios = join(dir, 'two-scenarios.yaml');
  writeFileSync(twoScenarios, '- id: vmi_network_filter\n  namespace: shop\n  ports: [53]\n- id: vmi_network_filter\n  namespace: ops\n  execution: parallel\n  instance_count: 0\n');
  const variants: Record<string, string[]> = {
    defaults: ['--namespace', 'demo'],
    'parallel-all': ['--namespace', 'virt-.*', '--execution', 'parallel', '--instance-count', '0', '--ingress', 'false', '--protocols', 'udp'],
    'serial-50-rounds': ['--namespace', 'demo', '--execution', 'serial', '--instance-count', '0', '--serial-rounds', '50'],
    'privileged-taints': ['--namespace', 'demo', '--privileged', '--taints', 'node-role.kubernetes.io/master:NoSchedule,dedicated=chaos:NoExecute', '--service-account', 'chaos'],
    'two-scenarios': ['--scenario', twoScenarios, '--name', 'two'],
  };
  const pairs = Object.entries(variants).map(
    ([name, args]) =>
      [write(`${name}.pipeline`, cli(['generate', 'tekton', ...args])), write(`${name}.pipelinerun`, cli(['generate', 'tekton', ...args, '--kind', 'PipelineRun']))] as const,
  );
  return { tasks: write('tasks', cli(['generate', 'tekton', '--kind', 'Tasks'])), pairs };
}

describe("Tekton's own validation of what we generate", () => {
  const { tasks, pairs } = generated();
  const files = [...examples, tasks, ...pairs.flat()];
  const flagSets: Record<string, string[]> = {
    'enable-api-fields: beta': [],
    'enable-api-fields: alpha': ['--feature-flags', 'enable-api-fields=alpha'],
    'results-from: sidecar-logs': ['--feature-flags', 'results-from=sidecar-logs,max-result-size=1048576'],
  };
  for (const version of TEKTON_VERSIONS) {
    for (const [flags, args] of Object.entries(flagSets)) {
      it(`should pass ${version.version}'s admission with ${flags} for every example and generated kind`, () => {
        const results = validate(version.module, files, args);
        expect(results.length).toBe(tektonDocuments(files));
        expect(results.filter((r) => !r.ok || r.warnings)).toEqual([]);
      });
    }

    it(`should pass ${version.version}'s checks before a run for every PipelineRun with its Pipeline`, () => {
      for (const pair of [...examplePairs, ...pairs]) {
        const results = validate(version.module, pair, ['--run']);
        expect(results.filter((r) => r.kind === 'PipelineRun')).toHaveLength(1);
        expect(results.filter((r) => !r.ok)).toEqual([]);
      }
    });
  }

  it('should be an oracle that can fail: a matrix without the beta API fields, an unknown field, a taskRunSpecs entry for no task', () => {
    const [pipeline, run] = pairs[0]!;
    const unknownField = write('unknown-field', readFileSync(pipeline, 'utf8').replace(/^(\s+)runAfter:/m, '$1runAftr:'));
    const strayTaskRunSpec = write('stray-taskrunspec', readFileSync(run, 'utf8').replace(/pipelineTaskName: inject$/m, 'pipelineTaskName: injekt'));
    // Our Pipelines have no matrix any more (the fan-out creates the node pods): one is added here.
    const withMatrix = write('with-matrix', readFileSync(pipeline, 'utf8').replace(/^(\s+)taskRef:\n(\s+)name: vmi-network-filter-inject$/m, '$1matrix:\n$1  params:\n$1  - name: node\n$1    value: [a, b]\n$1taskRef:\n$2name: vmi-network-filter-inject'));
    expect(readFileSync(withMatrix, 'utf8')).toMatch(/matrix:/);
    for (const version of TEKTON_VERSIONS) {
      expect(validate(version.module, [pipeline], ['--feature-flags', 'enable-api-fields=stable']).find((r) => r.kind === 'Pipeline')).toMatchObject({ ok: true });
      const stable = validate(version.module, [withMatrix], ['--feature-flags', 'enable-api-fields=stable']).find((r) => r.kind === 'Pipeline');
      expect(stable).toMatchObject({ ok: false });
      expect(stable!.error).toMatch(/matrix requires "enable-api-fields" feature gate to be "alpha" or "beta"/);

      const [unknown] = validate(version.module, [unknownField]).filter((r) => r.kind === 'Pipeline');
      expect(unknown).toMatchObject({ ok: false });
      expect(unknown!.error).toMatch(/unknown field "runAftr"/);

      // The webhook lets it through; the controller fails the run before it starts.
      expect(validate(version.module, [strayTaskRunSpec])).toMatchObject([{ kind: 'PipelineRun', ok: true }]);
      const [stray] = validate(version.module, [pipeline, strayTaskRunSpec], ['--run']).filter((r) => r.kind === 'PipelineRun');
      expect(stray).toMatchObject({ ok: false });
      expect(stray!.error).toMatch(/^run: taskRunSpecs: .*"injekt"/);
    }
  });
});

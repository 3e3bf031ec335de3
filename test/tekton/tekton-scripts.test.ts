/**
 * The two scripts the Tasks carry, taken from the rendered Tasks and run for real with node: the
 * select results step, and the loop of inject/verify/rollback over a node's targets (against a
 * stand-in `vmi-network-filter` on PATH that records how it was called).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TASK_NAMES } from '../../generator/tekton/task-context.js';
import { renderTekton } from '../../generator/tekton/render.js';

const tasks = renderTekton([], { kind: 'Tasks', version: '1' }).objects as any[];
const scriptOf = (task: string, step: string): string => tasks.find((t) => t.metadata.name === task).spec.steps.find((s: any) => s.name === step).script;

const root = mkdtempSync(join(tmpdir(), 'vnf-tekton-scripts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dir = '';
let n = 0;
beforeEach(() => {
  dir = join(root, String(n++));
  mkdirSync(join(dir, 'bin'), { recursive: true });
});

const target = (name: string, node: string) => ({ namespace: 'shop', name, uid: '1111', node, launcherPod: `virt-launcher-${name}-x`, launcherPodUid: '2222', binding: 'masquerade' });
const TARGETS = [target('a', 'n1'), target('b', 'n2'), target('c', 'n1')];

describe('the select results script', () => {
  const run = (env: Record<string, string>, targets: unknown = TARGETS) => {
    const script = join(dir, 'results.js');
    writeFileSync(script, scriptOf(TASK_NAMES.select, 'results'));
    writeFileSync(join(dir, 'selection'), JSON.stringify(targets));
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { SELECTION_FILE: join(dir, 'selection'), TARGETS_FILE: join(dir, 'targets'), NODES_FILE: join(dir, 'nodes'), SERIAL_NODES_FILE: join(dir, 'serial-nodes'), ...env },
    });
    const read = (f: string) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : undefined);
    return { code: r.status, targets: read('targets'), nodes: read('nodes'), serialNodes: read('serial-nodes'), log: r.stdout.trim().split('\n').map((l) => JSON.parse(l)) };
  };

  it('should list each node once, and no serial round, for a parallel run', () => {
    expect(run({ EXECUTION: 'parallel', SERIAL_ROUNDS: '2' })).toMatchObject({ code: 0, targets: TARGETS, nodes: ['n1', 'n2'], serialNodes: ['', ''] });
  });

  it('should give serial round i the node of target i, and "" to rounds without a target', () => {
    expect(run({ EXECUTION: 'serial', SERIAL_ROUNDS: '4' })).toMatchObject({ code: 0, nodes: ['n1', 'n2'], serialNodes: ['n1', 'n2', 'n1', ''] });
  });

  it('should fail before any fault when a serial run selected more VMIs than it has rounds', () => {
    const r = run({ EXECUTION: 'serial', SERIAL_ROUNDS: '2' });
    expect([r.code, r.targets, r.nodes, r.serialNodes]).toEqual([1, undefined, undefined, undefined]);
    expect(r.log[0]).toMatchObject({
      level: 'error',
      msg: 'execution is serial and 3 VMIs were selected, but this Pipeline has 2 serial rounds; lower instance_count, or generate the Pipeline with --serial-rounds 3',
      selected: 3,
      rounds: 2,
    });
  });

  it('should refuse a serial-rounds that is not a count', () => {
    const r = run({ EXECUTION: 'parallel', SERIAL_ROUNDS: 'two' });
    expect([r.code, r.log[0].msg]).toEqual([1, 'serial-rounds must be an integer >= 0, not "two"']);
  });
});

describe('the node step loop of inject, verify and rollback', () => {
  // A stand-in CLI: logs its argv and PORTS; fails for the VMI named in FAKE_FAIL; with
  // FAKE_HANG it waits for a signal and records it.
  const FAKE = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
const target = JSON.parse(args.find((a) => a.startsWith('--target=')).slice(9));
const log = (entry) => fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(entry) + '\\n');
log({ args, ports: process.env.PORTS });
fs.writeFileSync(args.find((a) => a.startsWith('--out=')).slice(6), '{}');
if (process.env.FAKE_HANG) {
  process.on('SIGTERM', () => { log({ signal: 'SIGTERM', vmi: target.name }); process.exit(143); });
  setInterval(() => {}, 1000);
} else {
  process.exit(target.name === process.env.FAKE_FAIL ? 3 : 0);
}
`;
  const setup = (step: 'inject' | 'verify' | 'rollback', env: Record<string, string>) => {
    writeFileSync(join(dir, 'bin', 'vmi-network-filter'), FAKE);
    chmodSync(join(dir, 'bin', 'vmi-network-filter'), 0o755);
    const script = join(dir, 'loop.js');
    writeFileSync(script, scriptOf(TASK_NAMES[step], step));
    return {
      argv: [script],
      env: {
        PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
        TMPDIR: dir,
        FAKE_LOG: join(dir, 'calls'),
        STEP: step,
        TARGETS: JSON.stringify(TARGETS),
        RUN_ID: 'run-1',
        HOST_PROC: '/host/proc',
        SUMMARY_FILE: join(dir, 'summary'),
        PORTS: '53',
        ...env,
      },
    };
  };
  const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
  const summary = () => JSON.parse(readFileSync(join(dir, 'summary'), 'utf8'));
  const run = (step: 'inject' | 'verify' | 'rollback', env: Record<string, string>) => {
    const { argv, env: fullEnv } = setup(step, env);
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: fullEnv });
    return { code: r.status, stdout: r.stdout };
  };
  const targetArg = (t: unknown) => `--target=${JSON.stringify(t)}`;

  it('should run the step once per target on its node, with the scenario environment', () => {
    expect(run('inject', { NODE: 'n1', POSITION: '' }).code).toBe(0);
    const [first, second] = calls();
    expect(calls()).toHaveLength(2);
    expect(first.args).toEqual(['step', 'inject', targetArg(TARGETS[0]), '--run-id=run-1', '--proc=/host/proc', expect.stringMatching(/^--out=.+\/inject-.+\/0\.json$/)]);
    expect([second.args[2], first.ports]).toEqual([targetArg(TARGETS[2]), '53']);
    expect(summary()).toEqual([
      { vmi: 'shop/a', node: 'n1', exitCode: 0 },
      { vmi: 'shop/c', node: 'n1', exitCode: 0 },
    ]);
  });

  it('should run only the target at POSITION (a serial round), and only on its node', () => {
    expect(run('verify', { NODE: 'n2', POSITION: '2' }).code).toBe(0);
    expect(calls().map((c) => c.args.slice(0, 3))).toEqual([['step', 'verify', targetArg(TARGETS[1])]]);
    const wrongNode = run('verify', { NODE: 'n1', POSITION: '2' });
    expect(wrongNode.code).toBe(2);
    expect(JSON.parse(wrongNode.stdout).msg).toBe('target 2 runs on node n2, but this pod was pinned to node n1');
  });

  it('should stop inject at the first failure, with that exit code', () => {
    expect(run('inject', { NODE: 'n1', FAKE_FAIL: 'a' }).code).toBe(3);
    expect(calls()).toHaveLength(1);
    expect(summary()).toEqual([{ vmi: 'shop/a', node: 'n1', exitCode: 3 }]);
  });

  it('should roll back every target of the node even when one fails, then fail', () => {
    expect(run('rollback', { NODE: 'n1', FAKE_FAIL: 'a' }).code).toBe(3);
    expect(summary()).toEqual([
      { vmi: 'shop/a', node: 'n1', exitCode: 3 },
      { vmi: 'shop/c', node: 'n1', exitCode: 0 },
    ]);
  });

  it('should refuse to inject nothing, but roll back nothing successfully', () => {
    const inject = run('inject', { NODE: 'n9' });
    expect([inject.code, JSON.parse(inject.stdout).msg]).toEqual([2, 'no target runs on node n9: nothing to inject']);
    expect(run('rollback', { NODE: 'n9' }).code).toBe(0);
    expect(summary()).toEqual([]);
  });

  it('should refuse targets that are not a JSON list, and an empty node', () => {
    expect(JSON.parse(run('inject', { NODE: 'n1', TARGETS: '{"name":"a"}' }).stdout).msg).toBe('param targets is not a JSON list');
    expect(JSON.parse(run('inject', { NODE: '' }).stdout).msg).toBe('param node is empty: the pod cannot know which VMIs run next to it');
  });

  it('should pass SIGTERM to the running step and start no further target', async () => {
    const { argv, env } = setup('rollback', { NODE: 'n1', FAKE_HANG: '1' });
    const child = spawn(process.execPath, argv, { env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && calls().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(calls()).toEqual([expect.objectContaining({ args: expect.arrayContaining([targetArg(TARGETS[0])]) }), { signal: 'SIGTERM', vmi: 'a' }]);
    expect(summary()).toEqual([{ vmi: 'shop/a', node: 'n1', exitCode: 143 }]);
  });
});

describe('the report script', () => {
  const FAKE = `#!/usr/bin/env node
require('node:fs').appendFileSync(process.env.FAKE_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');
process.exit(Number(process.env.FAKE_EXIT || 0));
`;
  const report = (status: string, exit = '0') => {
    writeFileSync(join(dir, 'bin', 'vmi-network-filter'), FAKE);
    chmodSync(join(dir, 'bin', 'vmi-network-filter'), 0o755);
    writeFileSync(join(dir, 'report.js'), scriptOf(TASK_NAMES.report, 'report'));
    const r = spawnSync(process.execPath, [join(dir, 'report.js')], {
      encoding: 'utf8',
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, FAKE_LOG: join(dir, 'calls'), FAKE_EXIT: exit, STATUS: status, PIPELINE_RUN: 'dns-chaos-x7k2p', RUN_ID: 'run-1', NAMESPACE: 'chaos' },
    });
    const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    return { code: r.status, calls };
  };

  it('should pass Tekton\'s "Completed" on with the PipelineRun to read (the step tells a stop from a skipped path)', () => {
    expect(report('Completed')).toEqual({ code: 0, calls: [['step', 'report', '--status=Completed', '--workflow=dns-chaos-x7k2p', '--pipeline-run-namespace=chaos', '--run-id=run-1']] });
  });

  it('should pass any other status as it is, and the step\'s exit code', () => {
    expect(report('Failed', '1')).toEqual({ code: 1, calls: [['step', 'report', '--status=Failed', '--workflow=dns-chaos-x7k2p', '--pipeline-run-namespace=chaos', '--run-id=run-1']] });
  });
});

/**
 * The scripts the Tasks carry, taken from the rendered Tasks and run for real with node: the
 * select results step and the report. (The node steps run `vmi-network-filter step fan-out …`
 * itself: see test/fan-out and test/engines.)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// What select writes (--serial-out) for three targets a (n1), b (n2), c (n1): their keys, in order.
const KEYS = [
  { node: 'n1', index: 0, uid: '1111', vmi: 'shop/a' },
  { node: 'n2', index: 0, uid: '2222', vmi: 'shop/b' },
  { node: 'n1', index: 1, uid: '3333', vmi: 'shop/c' },
];

describe('the select results script', () => {
  /**
   * Runs the script on `keys`. `cmdline`: the arguments of PID 1 the script reads to learn how
   * Tekton's entrypoint passes results (outside Tekton, PID 1 is not its entrypoint: no size check).
   */
  const run = (env: Record<string, string>, keys: unknown = KEYS, cmdline?: readonly string[]) => {
    const script = join(dir, 'results.js');
    let code = scriptOf(TASK_NAMES.select, 'results');
    if (cmdline) {
      writeFileSync(join(dir, 'cmdline'), cmdline.join('\0'));
      const faked = code.replace("'/proc/1/cmdline'", JSON.stringify(join(dir, 'cmdline')));
      expect(faked, 'the script reads /proc/1/cmdline').not.toBe(code);
      code = faked;
    }
    writeFileSync(script, code);
    writeFileSync(join(dir, 'serial.json'), JSON.stringify(keys));
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { SELECTION_DIR: dir, SERIAL_NODES_FILE: join(dir, 'serial-nodes'), SERIAL_INDEXES_FILE: join(dir, 'serial-indexes'), ...env },
    });
    const read = (f: string) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : undefined);
    return { code: r.status, serialNodes: read('serial-nodes'), serialIndexes: read('serial-indexes'), log: r.stdout.trim().split('\n').map((l) => JSON.parse(l)) };
  };
  // Tekton's entrypoint as PID 1 of a step container, results through the termination message.
  const ENTRYPOINT = ['/tekton/bin/entrypoint', '-post_file', '/tekton/run/1/out', '-termination_path', '/tekton/termination', '-results', 'serial-nodes,serial-indexes', '-entrypoint', '/ko-app/node', '--'];
  // 100 VMIs on 100 nodes with 50-character names: about 5.5 kB of serial-nodes alone.
  const MANY = Array.from({ length: 100 }, (_, i) => ({ node: `worker-${String(i).padStart(3, '0')}.${'r'.repeat(30)}.example.com`, index: 0, uid: `u${i}`, vmi: `shop/vm-${i}` }));

  it('should give every serial round an empty key for a parallel run, and write nothing but the two serial results (no nodes result)', () => {
    // select writes no serial key for a parallel run: the fan-outs read the nodes from the ledger.
    expect(run({ EXECUTION: 'parallel', SERIAL_ROUNDS: '2' }, [])).toMatchObject({ code: 0, serialNodes: ['', ''], serialIndexes: ['', ''] });
    expect(readdirSync(dir).sort()).toEqual(['bin', 'results.js', 'serial-indexes', 'serial-nodes', 'serial.json']);
  });

  it('should give serial round i the node of target i and its index there, and "" to rounds without a target', () => {
    expect(run({ EXECUTION: 'serial', SERIAL_ROUNDS: '4' })).toMatchObject({ code: 0, serialNodes: ['n1', 'n2', 'n1', ''], serialIndexes: ['0', '0', '1', ''] });
  });

  it('should fail before any fault when a serial run selected more VMIs than it has rounds', () => {
    const r = run({ EXECUTION: 'serial', SERIAL_ROUNDS: '2' });
    expect([r.code, r.serialNodes, r.serialIndexes]).toEqual([2, undefined, undefined]);
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

  it("should fail before any fault, saying what to change, when a serial run's keys do not fit in the termination message", () => {
    const r = run({ EXECUTION: 'serial', SERIAL_ROUNDS: '100' }, MANY, ENTRYPOINT);
    expect([r.code, r.serialNodes, r.serialIndexes]).toEqual([2, undefined, undefined]);
    expect(r.log[0]).toMatchObject({ level: 'error', selected: 100, limit: 4096 });
    expect(r.log[0].bytes).toBeGreaterThan(4096);
    expect(r.log[0].msg).toMatch(/^execution is serial and the keys of 100 VMIs take about \d+ bytes of results, more than the 4096 bytes /);
    for (const remedy of ['instance_count', 'execution: parallel', 'results-from: sidecar-logs', 'max-result-size', 'enable-termination-message-compression: true']) expect(r.log[0].msg).toContain(remedy);
  });

  it('should pass a parallel run whatever it selected, and serial keys that travel outside the termination message', () => {
    // Parallel: empty rounds, even if keys were given (select gives none), so nothing to refuse.
    expect(run({ EXECUTION: 'parallel', SERIAL_ROUNDS: '3' }, MANY, ENTRYPOINT)).toMatchObject({ code: 0, serialNodes: ['', '', ''], serialIndexes: ['', '', ''] });
    // Serial, with results from sidecar logs or a compressed message: no limit of 4096 bytes.
    for (const flags of [['-result_from', 'sidecar-logs'], ['-compress_termination_message=true']]) {
      const r = run({ EXECUTION: 'serial', SERIAL_ROUNDS: '100' }, MANY, [...ENTRYPOINT.slice(0, -1), ...flags, '--']);
      expect([r.code, r.serialNodes.length, r.serialNodes[99], r.serialIndexes[99]]).toEqual([0, 100, MANY[99]!.node, '0']);
    }
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

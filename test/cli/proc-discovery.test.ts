/**
 * `--proc-discovery`: the one switch that gives node pods the host's /proc and SYS_PTRACE back
 * (for runtimes that do not pin network namespaces in /var/run/netns). The generated YAML only
 * passes it to the fan-outs, which create the node pods (test/fan-out/node-pod.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cli } from './run-cli.js';

type Doc = Record<string, any>;
const docs = (yaml: string): Doc[] => parseAllDocuments(yaml).map((d) => d.toJS() as Doc);
/** The args of every container or step that runs `step fan-out`. */
function fanOutArgs(objects: readonly Doc[]): string[][] {
  const found: string[][] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    const args = (value as Doc).args;
    if (Array.isArray(args) && args[0] === 'step' && args[1] === 'fan-out') found.push(args as string[]);
    Object.values(value).forEach(walk);
  };
  walk(objects);
  return found;
}

describe('--proc-discovery', () => {
  it('should pass --proc-discovery to every fan-out of an Argo Workflow and of the Tekton Tasks only when asked', () => {
    for (const engine of [['generate', 'argo'], ['generate', 'tekton', '--kind', 'Tasks']]) {
      const plain = cli([...engine, '--namespace', 'demo']);
      const proc = cli([...engine, '--namespace', 'demo', '--proc-discovery']);
      expect([plain.code, proc.code], engine.join(' ')).toEqual([0, 0]);
      const before = fanOutArgs(docs(plain.stdout));
      const after = fanOutArgs(docs(proc.stdout));
      expect(before.length, engine.join(' ')).toBe(engine[1] === 'argo' ? 1 : 3); // Argo: one fan-out template for the three steps
      expect(before.flat()).not.toContain('--proc-discovery');
      expect(after).toEqual(before.map((args) => [...args, '--proc-discovery']));
    }
  });

  it('should refuse it with --from-template (the WorkflowTemplate decides), exit 2', () => {
    expect(cli(['submit', '--namespace', 'demo', '--from-template', 'chaos', '--proc-discovery', '--dry-run', 'client'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --proc-discovery applies to a rendered workflow; the WorkflowTemplate decides with --from-template\n',
    });
  });

  it('should say what it trades in the help of generate argo, generate tekton and step fan-out', () => {
    for (const command of [['generate', 'argo'], ['generate', 'tekton'], ['step', 'fan-out']]) {
      expect(cli([...command, '--help']).stdout.replace(/\s+/g, ' '), command.join(' ')).toMatch(/--proc-discovery .*host's \/proc .*SYS_PTRACE/);
    }
  });
});

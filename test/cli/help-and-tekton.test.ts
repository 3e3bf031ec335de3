/**
 * Help as users ask for it (`help generate argo`, defaults shown), `step` usage errors in our
 * words, and the Tekton names: `--kind Tasks` warns about the scenario options it ignores, and a
 * PipelineRun references the Pipeline its scenario's `generate tekton` names.
 */
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { cli } from './run-cli.js';

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

describe('help', () => {
  it.each([[['generate', 'argo']], [['generate', 'tekton']], [['step', 'inject']], [['submit']]])('should show the help of %j with help COMMAND…', (names) => {
    const r = cli(['help', ...names]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(cli([...names, '--help']).stdout);
    expect(r.stdout).toMatch(new RegExp(`^Usage: vmi-network-filter ${names.join(' ')} `));
  });

  it('should refuse an unknown command, listing the known ones', () => {
    expect(cli(['help', 'generate', 'helm'])).toEqual({ code: 2, stdout: '', stderr: 'error: unknown command "generate helm"; the commands of generate are: argo, tekton, rbac\n' });
  });

  it("should show every scenario flag's default", () => {
    const help = cli(['generate', 'tekton', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--instance-count <value> maximum VMIs to target; 0 = all matches (default: 1) [env INSTANCE_COUNT, file key instance_count]');
    expect(help).toContain('--protocols <value> tcp, udp or tcp,udp (default: tcp,udp) [env PROTOCOLS, file key protocols]');
    expect(help).toContain('--ports <value> comma-separated destination ports; empty = all ports (default: none) [env PORTS, file key ports]');
    expect(help).toContain('--vmi-name <value> krknctl\'s name for --target');
  });
});

describe('step usage errors', () => {
  it.each([
    ['{"namespace":"a"}', 'error: --target: name: is required; uid: is required; node: is required; launcherPod: is required; binding: is required\n'],
    ['[1]', "error: --target: must be a JSON object (one element of select's output), not a list\n"],
    [
      '{"namespace":"a","name":"b","uid":"1","node":"n","launcherPod":"p","launcherPodUid":"2","binding":"tap","color":"red"}',
      'error: --target: binding: must be one of masquerade, bridge, passt, slirp, sriov, macvtap; unknown field color; a target has namespace, name, uid, node, launcherPod, launcherPodUid, launcherPodIPs, binding, interfaces\n',
    ],
  ])('should refuse --target %s in our words, exit 2', (target, stderr) => {
    const r = cli(['step', 'inject', '--target', target, '--run-id', 'r1']);
    expect([r.code, r.stderr]).toEqual([2, stderr]);
    expect(r.stderr).not.toMatch(/Invalid input|expected string|received/);
  });
});

describe('generate tekton names', () => {
  it('should warn that --kind Tasks ignores the scenario options, and print the Tasks', () => {
    const r = cli(['generate', 'tekton', '--kind', 'Tasks', '--namespace', 'demo', '--ports', '53', '-p', 'test_duration=9', '--name', 'dns']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: --kind Tasks renders the Tasks every scenario shares; ignored: --namespace, --ports, -p, --name\n');
    expect(docs(r.stdout).map((d) => d.kind)).toEqual(['Task', 'Task', 'Task', 'Task', 'Task', 'Task']);
    expect(cli(['generate', 'tekton', '--kind', 'Tasks']).stderr).toBe('');
  });

  it('should have a PipelineRun reference the Pipeline its scenario names, also when the run changes a value', () => {
    const pipeline = docs(cli(['generate', 'tekton', '--namespace', 'demo', '--ports', '53']).stdout).at(-1);
    const run = parse(cli(['generate', 'tekton', '--namespace', 'prod', '--ports', '443', '--chaos-duration', '60', '--kind', 'PipelineRun']).stdout);
    expect(run.spec.pipelineRef.name).toBe(pipeline.metadata.name);
  });

  it('should name Pipelines of another shape apart, so a PipelineRun never references a Pipeline of other rounds', () => {
    const name = (...args: string[]) => docs(cli(['generate', 'tekton', '--namespace', 'demo', ...args]).stdout).at(-1).metadata.name as string;
    const run = (...args: string[]) => parse(cli(['generate', 'tekton', '--namespace', 'demo', '--kind', 'PipelineRun', ...args]).stdout).spec.pipelineRef.name as string;
    expect(name('--serial-rounds', '3')).not.toBe(name());
    expect(run('--serial-rounds', '3')).toBe(name('--serial-rounds', '3'));
    expect(run('--instance-count', '2')).toBe(name('--instance-count', '2'));
  });

  it("should use the README's names in the checked-in examples", () => {
    const r = cli(['generate', 'tekton', '--scenario', 'workflows/scenarios/dns-blackout.yaml', '--name', 'dns-blackout', '--kind', 'PipelineRun']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const example = docs(cli(['generate', 'tekton', '--scenario', 'workflows/scenarios/dns-blackout.yaml', '--name', 'dns-blackout']).stdout).at(-1);
    expect([parse(r.stdout).spec.pipelineRef.name, example.metadata.name]).toEqual(['dns-blackout', 'dns-blackout']);
  });
});

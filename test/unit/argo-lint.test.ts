import { describe, expect, it } from 'vitest';
import { lintArgo } from '../../generator/argo/lint.js';

/** A small hand-written workflow, sound as written; each test breaks one thing. */
function workflow(): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'x-' },
    spec: {
      entrypoint: 'main',
      onExit: 'exit',
      arguments: { parameters: [{ name: 'ports', value: '53' }] },
      templates: [
        {
          name: 'main',
          dag: {
            tasks: [
              { name: 'select', template: 'select' },
              {
                name: 'each',
                template: 'work',
                depends: 'select',
                withParam: '{{tasks.select.outputs.parameters.targets}}',
                arguments: { parameters: [{ name: 'vmi', value: '{{item}}' }, { name: 'ports', value: '{{workflow.parameters.ports}}' }] },
              },
              { name: 'after', template: 'exit', depends: 'each.Succeeded || each.Failed' },
            ],
          },
        },
        {
          name: 'select',
          outputs: { parameters: [{ name: 'targets', globalName: 'targets', valueFrom: { path: '/tmp/t' } }] },
          container: { image: 'i', args: ['{{workflow.uid}}'] },
        },
        {
          name: 'work',
          inputs: { parameters: [{ name: 'vmi' }, { name: 'ports' }, { name: 'optional', value: 'x' }] },
          container: { image: 'i', args: ['--target={{inputs.parameters.vmi}}', '--ports={{inputs.parameters.ports}}'] },
        },
        { name: 'exit', container: { image: 'i', args: ['{{workflow.outputs.parameters.targets}}', '{{workflow.status}}'] } },
      ],
    },
  };
}

const tasks = (wf: any) => wf.spec.templates[0].dag.tasks;

describe('Argo semantic lint', () => {
  it('should pass a sound workflow', () => {
    expect(lintArgo(workflow())).toEqual([]);
  });

  it('should accept an integer workflow parameter plus a number (a timeout), the one expression tag the generator emits', () => {
    const wf = workflow();
    wf.spec.arguments.parameters.push({ name: 'expiry_grace-2', value: '60' });
    wf.spec.templates[2].timeout = "{{=asInt(workflow.parameters['ports']) + 240}}s";
    wf.spec.templates[3].timeout = "{{=asInt(workflow.parameters['expiry_grace-2']) + 0}}s";
    expect(lintArgo(wf)).toEqual([]);
  });

  it('should refuse that expression tag on a workflow parameter that does not exist', () => {
    const wf = workflow();
    wf.spec.templates[2].timeout = "{{=asInt(workflow.parameters['prots']) + 240}}s";
    // A global output's name is not a workflow parameter.
    wf.spec.templates[3].timeout = "{{=asInt(workflow.parameters['targets']) + 240}}s";
    expect(lintArgo(wf)).toEqual([
      `template work.timeout: {{=asInt(workflow.parameters['prots']) + 240}}: no workflow parameter "prots"`,
      `template exit.timeout: {{=asInt(workflow.parameters['targets']) + 240}}: no workflow parameter "targets"`,
    ]);
  });

  it('should refuse any other expression tag, the global output read as [] it used to accept included', () => {
    const wf = workflow();
    const tags = [
      // The exit handler's old read of a global output ("targets" is one): no longer emitted.
      "{{=(workflow?.outputs?.parameters?.['targets'] ?? '') == '' ? '[]' : workflow?.outputs?.parameters?.['targets']}}",
      '{{=sprig.trim(workflow.name)}}',
      "{{=asInt(workflow.parameters['ports']) - 240}}",
      "{{=asInt(workflow.parameters['ports']) + 240 + 1}}",
      "{{=asInt(workflow.parameters['ports'])}}",
      "{{=asInt(workflow.parameters.ports) + 240}}",
      "{{=asInt(inputs.parameters['ports']) + 240}}",
      "{{=workflow.parameters['ports'] + 240}}",
    ];
    wf.spec.templates[3].container.args = tags;
    expect(lintArgo(wf)).toEqual(tags.map((tag, i) => `template exit.container.args[${i}]: ${tag}: not an expression tag the generator emits`));
    // In a task too (here a looping one's argument).
    const wf2 = workflow();
    tasks(wf2)[1].arguments.parameters[1].value = tags[0];
    expect(lintArgo(wf2)).toEqual([`template main, task each.arguments.parameters[1].value: ${tags[0]}: not an expression tag the generator emits`]);
  });

  it('should let a task omit an input that has a default, "" included, and no other', () => {
    const wf = workflow();
    wf.spec.templates[2].inputs.parameters.push({ name: 'node', default: '' });
    wf.spec.templates[2].container.args.push('--node={{inputs.parameters.node}}');
    expect(lintArgo(wf)).toEqual([]);
    delete wf.spec.templates[2].inputs.parameters[3].default;
    expect(lintArgo(wf)).toEqual(['template main, task each: does not pass input "node" that template "work" requires']);
  });

  it('should find a missing entrypoint and exit handler', () => {
    const wf = workflow();
    wf.spec.entrypoint = 'mian';
    wf.spec.onExit = 'cleanup';
    expect(lintArgo(wf)).toEqual(['spec.entrypoint: template "mian" does not exist', 'spec.onExit: template "cleanup" does not exist']);
  });

  it('should find a task calling a template that does not exist', () => {
    const wf = workflow();
    tasks(wf)[2].template = 'exitt';
    expect(lintArgo(wf)).toEqual(['template main, task after: template "exitt" does not exist']);
  });

  it('should find a dependency cycle', () => {
    const wf = workflow();
    tasks(wf)[0].depends = 'after';
    expect(lintArgo(wf)).toEqual([
      'template main, task select: dependency cycle through "select"',
      'template main, task each: dependency cycle through "each"',
      'template main, task after: dependency cycle through "after"',
    ]);
  });

  it('should find a depends on an unknown task or result', () => {
    const wf = workflow();
    tasks(wf)[2].depends = 'eech.Succeeded || each.Finished';
    expect(lintArgo(wf)).toEqual([
      'template main, task after: depends: "each.Finished" is not a task result',
      'template main, task after: depends on "eech", which is not a task of this DAG',
    ]);
  });

  it('should find a task output used by a task that does not depend on it', () => {
    const wf = workflow();
    delete tasks(wf)[1].depends;
    expect(lintArgo(wf)).toEqual([
      'template main, task each.withParam: {{tasks.select.outputs.parameters.targets}}: task "each" does not depend on "select"',
    ]);
  });

  it('should accept an output of a transitive dependency', () => {
    const wf = workflow();
    tasks(wf)[2].arguments = undefined;
    tasks(wf)[2].template = 'exit';
    tasks(wf)[2].when = '{{tasks.select.outputs.parameters.targets}} != ""';
    expect(lintArgo(wf)).toEqual([]);
  });

  it('should find undeclared inputs, missing and unknown arguments', () => {
    const wf = workflow();
    wf.spec.templates[2].container.args.push('{{inputs.parameters.prots}}');
    tasks(wf)[1].arguments.parameters = [{ name: 'vmi', value: '{{item}}' }, { name: 'prots', value: '1' }];
    expect(lintArgo(wf)).toEqual([
      'template main, task each: does not pass input "ports" that template "work" requires',
      'template main, task each: passes "prots", which template "work" does not declare',
      'template work.container.args[2]: {{inputs.parameters.prots}}: template "work" declares no input parameter "prots"',
    ]);
  });

  it('should find parameters declared or passed twice', () => {
    const wf = workflow();
    wf.spec.templates[2].inputs.parameters.push({ name: 'vmi' });
    tasks(wf)[1].arguments.parameters.push({ name: 'vmi', value: '{{item}}' });
    expect(lintArgo(wf)).toEqual([
      'template main, task each: argument "vmi" is passed twice',
      'template work: input parameter "vmi" is declared twice',
    ]);
  });

  it('should find item outside a loop, unknown workflow parameters, globals and variables', () => {
    const wf = workflow();
    tasks(wf)[2].arguments = { parameters: [] };
    tasks(wf)[2].when = '{{item.node}} == x';
    wf.spec.templates[3].container.args = ['{{workflow.parameters.port}}', '{{workflow.outputs.parameters.target}}', '{{workflow.uuid}}'];
    expect(lintArgo(wf)).toEqual([
      'template main, task after.when: {{item.node}} outside a looping task',
      'template exit.container.args[0]: {{workflow.parameters.port}}: no workflow parameter "port"',
      'template exit.container.args[1]: {{workflow.outputs.parameters.target}}: no output parameter has globalName "target"',
      'template exit.container.args[2]: {{workflow.uuid}}: unknown variable',
    ]);
  });

  it('should lint the workflowSpec of a CronWorkflow', () => {
    const wf = workflow();
    const cron = { apiVersion: wf.apiVersion, kind: 'CronWorkflow', metadata: { name: 'c' }, spec: { schedules: ['* * * * *'], workflowSpec: wf.spec } };
    cron.spec.workflowSpec.entrypoint = 'nope';
    expect(lintArgo(cron)).toEqual(['spec.entrypoint: template "nope" does not exist']);
  });
});

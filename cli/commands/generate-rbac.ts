import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { resourceNameProblem } from '../../generator/names.js';
import { RBAC_ENGINES, renderRbac, type RbacEngine } from '../../generator/render.js';
import { addClusterOptions, workflowNamespace } from './cluster-options.js';
import { addOutputOptions, emitObjects, outputFormatOf } from './output-options.js';
import { templatesOf } from './templates-option.js';

/**
 * `generate rbac`: ServiceAccount, ClusterRole, ClusterRoleBinding for the step pods, in the
 * namespace the runs use (`-n`, else the kubeconfig context's, else the engine's default, as
 * `submit` and `watch` choose it).
 */
export function generateRbacCommand(io: Io): Command {
  const command = addClusterOptions(
    new Command('rbac')
      .description('render the ServiceAccount, ClusterRole and ClusterRoleBinding the steps need (and nothing more)')
      .option('--name <name>', 'name of the ServiceAccount, ClusterRole and binding', 'vmi-network-filter')
      .addOption(new Option('--engine <engine>', 'workflow engine of the step pods').choices(RBAC_ENGINES).default('argo'))
      .option('--templates <dir>', 'folder of templates overriding the built-in ones file by file'),
  );
  return addOutputOptions(command).action((options: Record<string, unknown>) => {
    outputFormatOf(options);
    const name = String(options.name);
    const problem = resourceNameProblem(name, false);
    if (problem) throw new UsageError(`--name: ${problem}`);
    const engine = options.engine as RbacEngine;
    const rendered = renderRbac({
      name,
      namespace: workflowNamespace(options, engine, io),
      engine,
      ...templatesOf(options, 'rbac'),
    });
    // The YAML keeps each rule's reason as a comment.
    emitObjects(io, rendered.objects, options, rendered.yaml);
  });
}

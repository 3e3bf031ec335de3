import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { emit, type Io } from '../../core/io.js';
import { resourceNameProblem } from '../../generator/names.js';
import { RBAC_ENGINES, renderRbac, type RbacEngine } from '../../generator/render.js';

/** `generate rbac`: ServiceAccount, ClusterRole, ClusterRoleBinding for the step pods. */
export function generateRbacCommand(io: Io): Command {
  return new Command('rbac')
    .description('render the ServiceAccount, ClusterRole and ClusterRoleBinding the steps need (and nothing more)')
    .option('--name <name>', 'name of the ServiceAccount, ClusterRole and binding', 'vmi-network-filter')
    .option('--namespace-of-workflow <ns>', 'namespace the workflows (or PipelineRuns) run in, where the ServiceAccount lives', 'argo')
    .addOption(new Option('--engine <engine>', 'workflow engine of the step pods').choices(RBAC_ENGINES).default('argo'))
    .option('--templates <dir>', 'folder of templates overriding the built-in ones file by file')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .action((options: { name: string; namespaceOfWorkflow: string; engine: RbacEngine; templates?: string; output?: string }) => {
      for (const [flag, value] of [['--name', options.name], ['--namespace-of-workflow', options.namespaceOfWorkflow]] as const) {
        const problem = resourceNameProblem(value, false);
        if (problem) throw new UsageError(`${flag}: ${problem}`);
      }
      const rendered = renderRbac({
        name: options.name,
        namespace: options.namespaceOfWorkflow,
        engine: options.engine,
        ...(options.templates ? { overrideDir: options.templates } : {}),
      });
      emit(io, rendered.yaml, options.output);
    });
}

import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { resourceNameProblem } from '../../generator/names.js';
import type { ArgoWorkflow } from '../../kube/argo-workflow.js';
import { workflowToSubmit } from '../../submit/workflow-to-submit.js';
import { toYaml } from '../../generator/yaml.js';
import { addScenarioOptions } from './scenario-options.js';
import { addWatchOptions, followOptionsFrom } from './watch-options.js';

/**
 * `submit`: create the scenario's Workflow (or one running an installed WorkflowTemplate) through
 * the Kubernetes API, print its name and how to follow it; with `--watch`, follow it to the end.
 * `--dry-run client` prints the object without contacting the API; `--dry-run server` has the
 * API server validate and name it (`dryRun=All`) without creating it.
 */
export function submitCommand(io: Io): Command {
  const command = addScenarioOptions(
    new Command('submit')
      .description('create the Workflow in the cluster (or run an installed WorkflowTemplate), optionally watch it to the verdict')
      .option('--from-template <name>', 'run the installed WorkflowTemplate NAME, with the scenario values given here as its arguments')
      .option('--name <prefix>', 'generateName prefix of the Workflow (default vmi-network-filter-, or NAME- with --from-template)')
      .option('--privileged', 'run node steps privileged instead of with NET_ADMIN, SYS_ADMIN, SYS_PTRACE only', false)
      .addOption(new Option('--dry-run <mode>', 'client: print the Workflow, send nothing; server: validated and named by the API server, not created').choices(['client', 'server']))
      .option('--watch', 'follow the workflow to its end: live view, report, exit status from the verdict'),
  );
  return addWatchOptions(command)
    .addHelpText('after', '\nExamples:\n  vmi-network-filter submit --namespace demo --ports 53 --watch\n  vmi-network-filter submit --from-template dns-blackout --namespace prod --chaos-duration 60 --watch --output junit report.xml')
    .action(async (options: Record<string, unknown>) => {
      const name = options.name as string | undefined;
      const nameProblem = name === undefined ? undefined : resourceNameProblem(name, true);
      if (nameProblem) throw new UsageError(`--name: ${nameProblem}`);
      const template = options.fromTemplate as string | undefined;
      const templateProblem = template === undefined ? undefined : resourceNameProblem(template, false);
      if (templateProblem) throw new UsageError(`--from-template: ${templateProblem}`);
      if (template && options.privileged === true) throw new UsageError('--privileged applies to a rendered workflow; the WorkflowTemplate decides with --from-template');
      if (options.dryRun && options.watch) throw new UsageError('--dry-run creates nothing to watch; leave out --watch');
      if (options.output && !options.watch) throw new UsageError('--output writes the report of a watched run; add --watch');
      // Checked before anything is created: a bad --output must not leave an unwatched run behind.
      const follow = followOptionsFrom(options, '', io);
      if (follow.engine !== 'argo') {
        throw new UsageError(
          'submit creates Argo Workflows; start a Tekton run with: vmi-network-filter generate tekton --kind PipelineRun … | kubectl create -n NS -f -, then follow it with: vmi-network-filter watch --engine tekton NAME --namespace-of-workflow NS',
        );
      }
      const namespace = follow.namespace;
      const workflow = workflowToSubmit({ options, ...(name ? { name } : {}), privileged: options.privileged === true, ...(template ? { fromTemplate: template } : {}) }, io);

      if (options.dryRun === 'client') {
        io.out(toYaml([workflow]));
        return;
      }
      // Loaded here: the Kubernetes client costs ~0.5 s that other commands should not pay.
      const { WorkflowClient } = await import('../../kube/workflows.js');
      const client = new WorkflowClient({ env: io.env, log: (_level, msg) => io.err(`warning: ${msg}\n`) });
      const created: ArgoWorkflow = await client.createWorkflow(namespace, workflow, { dryRun: options.dryRun === 'server' });
      const createdName = created.metadata.name ?? '';
      if (options.dryRun === 'server') {
        io.err(`workflow ${createdName} validated by the API server in namespace ${namespace} (server dry run: nothing was created)\n`);
        io.out(toYaml([created]));
        return;
      }
      const say = options.watch ? io.err : io.out;
      say(`workflow ${createdName} created in namespace ${namespace}${template ? ` from WorkflowTemplate ${template}` : ''}\n`);
      if (!options.watch) {
        say(`follow it: vmi-network-filter watch ${createdName} --namespace-of-workflow ${namespace}\n`);
        say(`      or: argo watch -n ${namespace} ${createdName}   (logs: argo logs -n ${namespace} ${createdName} -f)\n`);
        return;
      }
      say(`stop it with Ctrl-C (Argo stops it and its exit handler rolls back), or: argo stop -n ${namespace} ${createdName}\n`);
      const { followRun } = await import('../../submit/follow-run.js');
      await followRun({ ...follow, name: createdName }, io);
    });
}

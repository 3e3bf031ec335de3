import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { resourceNameProblem } from '../../generator/names.js';
import type { ArgoWorkflow } from '../../kube/argo-workflow.js';
import { workflowToSubmit } from '../../submit/workflow-to-submit.js';
import { loadChosenKubeConfig } from './cluster-options.js';
import { formatObjects, OUTPUT_FORMATS, outputFormatOf } from './output-options.js';
import { addScenarioOptions, announceEnvironment, loadGathered, scenarioSourcesFrom } from './scenario-options.js';
import { addWatchOptions, followOptionsFrom, REPORT_FILE_HINT } from './watch-options.js';

/**
 * `submit`: create the scenario's Workflow (or one running an installed WorkflowTemplate) through
 * the Kubernetes API, print its name and how to follow it; with `--watch`, follow it to the end.
 * `--dry-run client` prints the object without contacting the API; `--dry-run server` has the
 * API server validate and name it (`dryRun=All`) without creating it. `-o yaml|json|name` prints
 * the created object (name: its name alone, as `argo submit -o name`), the rest going to stderr.
 * Unless with `--dry-run client`, the workflow namespace's Pod Security level is checked first
 * (submit/pod-security.ts): a level that refuses the node pods stops it before anything is created.
 */
export function submitCommand(io: Io): Command {
  const command = addScenarioOptions(
    new Command('submit')
      .description('create the Workflow in the cluster (or run an installed WorkflowTemplate), optionally watch it to the verdict')
      .option('--from-template <name>', 'run the installed WorkflowTemplate NAME, with the scenario values given here as its arguments')
      .option('--name <prefix>', 'generateName prefix of the Workflow (default vmi-network-filter-, or NAME- with --from-template)')
      .option('--privileged', 'run node steps privileged instead of with NET_ADMIN and SYS_ADMIN only', false)
      .option('--proc-discovery', "node steps find launchers through the host's /proc (mounted, plus SYS_PTRACE) instead of among the network namespaces the runtime pins in /var/run/netns: for runtimes that do not pin them", false)
      .addOption(new Option('--dry-run <mode>', 'client: print the Workflow, send nothing; server: validated and named by the API server, not created').choices(['client', 'server']))
      .option('--watch', 'follow the workflow to its end: live view, report, exit status from the verdict')
      .option('-o, --output <format>', `print the created Workflow: ${OUTPUT_FORMATS.join(', ')} (name: its name alone, as argo submit -o name); messages go to stderr`)
      // `--output junit FILE` was the report once: the FILE must reach the action for our message.
      .allowExcessArguments(),
  );
  return addWatchOptions(command)
    .addHelpText('after', '\nExamples:\n  vmi-network-filter submit --namespace demo --ports 53 --watch\n  vmi-network-filter submit --from-template dns-blackout --namespace prod -p test_duration=60 --watch --report-junit report.xml')
    .action(async (options: Record<string, unknown>, self: Command) => {
      const format = options.output === undefined ? undefined : outputFormatOf(options, REPORT_FILE_HINT);
      if (self.args.length > 0) throw new UsageError(`submit takes no arguments, got: ${self.args.join(' ')}`);
      const name = options.name as string | undefined;
      const nameProblem = name === undefined ? undefined : resourceNameProblem(name, true);
      if (nameProblem) throw new UsageError(`--name: ${nameProblem}`);
      const template = options.fromTemplate as string | undefined;
      const templateProblem = template === undefined ? undefined : resourceNameProblem(template, false);
      if (templateProblem) throw new UsageError(`--from-template: ${templateProblem}`);
      if (template && options.privileged === true) throw new UsageError('--privileged applies to a rendered workflow; the WorkflowTemplate decides with --from-template');
      if (template && options.procDiscovery === true) throw new UsageError('--proc-discovery applies to a rendered workflow; the WorkflowTemplate decides with --from-template');
      if (options.dryRun && options.watch) throw new UsageError('--dry-run creates nothing to watch; leave out --watch');
      if (format && options.watch) throw new UsageError('--watch prints the live view on stdout; leave out -o/--output');
      if ((options.reportJunit || options.reportJson) && !options.watch) throw new UsageError('--report-junit and --report-json write the report of a watched run; add --watch');
      if (options.engine !== 'argo') {
        throw new UsageError(
          'submit creates Argo Workflows; start a Tekton run with: vmi-network-filter generate tekton --kind PipelineRun … | kubectl create -n NS -f -, then follow it with: vmi-network-filter watch --engine tekton NAME -n NS',
        );
      }
      const gathered = scenarioSourcesFrom(options, io);
      announceEnvironment(gathered.sources, io);
      // Checked before anything is created: a bad option must not leave an unwatched run behind.
      const workflow = loadGathered(gathered, (sources) =>
        workflowToSubmit({ sources, ...(name ? { name } : {}), privileged: options.privileged === true, procDiscovery: options.procDiscovery === true, ...(template ? { fromTemplate: template } : {}) }),
      );
      if (options.dryRun === 'client') {
        io.out(formatObjects([workflow], format ?? 'yaml'));
        return;
      }
      // The configuration first: a --context it lacks is said before any namespace is chosen.
      const kubeConfig = await loadChosenKubeConfig(options, io);
      const follow = followOptionsFrom(options, '', io);
      const namespace = follow.namespace;
      // Loaded here: the Kubernetes client costs ~0.5 s that other commands should not pay.
      const [{ WorkflowClient }, { KubeClient }, { checkPodSecurity }] = await Promise.all([import('../../kube/workflows.js'), import('../../kube/client.js'), import('../../submit/pod-security-check.js')]);
      const log = (_level: string, msg: string): void => io.err(`warning: ${msg}\n`);
      // Before anything is created: node pods that Pod Security admission refuses would fail a
      // started run at its fan-out. Two attempts: the check only advises, the create decides.
      const reader = new KubeClient({ env: io.env, kubeConfig, log, retry: { maxAttempts: 2 } });
      await checkPodSecurity(namespace, (ns) => reader.getNamespaceLabels(ns), io);
      const client = new WorkflowClient({ env: io.env, kubeConfig, log });
      const created: ArgoWorkflow = await client.createWorkflow(namespace, workflow, { dryRun: options.dryRun === 'server' });
      const createdName = created.metadata.name ?? '';
      if (options.dryRun === 'server') {
        io.err(`workflow ${createdName} validated by the API server in namespace ${namespace} (server dry run: nothing was created)\n`);
        io.out(format === 'name' ? `${createdName}\n` : formatObjects([created], format ?? 'yaml'));
        return;
      }
      if (format) io.out(format === 'name' ? `${createdName}\n` : formatObjects([created], format));
      const say = options.watch || format ? io.err : io.out;
      say(`workflow ${createdName} created in namespace ${namespace}${template ? ` from WorkflowTemplate ${template}` : ''}\n`);
      if (!options.watch) {
        say(`follow it: vmi-network-filter watch ${createdName} -n ${namespace}\n`);
        say(`      or: argo watch -n ${namespace} ${createdName}   (logs: argo logs -n ${namespace} ${createdName} -f)\n`);
        return;
      }
      say(`stop it with Ctrl-C (Argo stops it and its exit handler rolls back), or: argo stop -n ${namespace} ${createdName}\n`);
      const { followRun } = await import('../../submit/follow-run.js');
      await followRun({ ...follow, name: createdName, kubeConfig }, io);
    });
}

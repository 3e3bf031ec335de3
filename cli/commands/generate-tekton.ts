import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { resourceNameProblem } from '../../generator/names.js';
import { MAX_SERIAL_ROUNDS, TEKTON_KINDS, type TektonKind } from '../../generator/tekton/context.js';
import { renderTekton } from '../../generator/tekton/render.js';
import { VERSION } from '../../core/version.js';
import { addOutputOptions, emitObjects, outputFormatOf } from './output-options.js';
import { addScenarioOptions, givenScenarioOptions, scenariosFromOptions } from './scenario-options.js';
import { templatesOf } from './templates-option.js';

/** `--serial-rounds` as a number. @throws UsageError for anything but an integer 0..MAX_SERIAL_ROUNDS. */
function serialRounds(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_SERIAL_ROUNDS) {
    throw new UsageError(`--serial-rounds "${String(value)}" is not an integer from 0 to ${MAX_SERIAL_ROUNDS}`);
  }
  return Number(text);
}

/** `generate tekton`: the generic Tasks, the scenario's Pipeline, or a PipelineRun of it. */
export function generateTektonCommand(io: Io): Command {
  const command = addScenarioOptions(
    new Command('tekton')
      .description('render the scenario as Tekton resources: Tasks + Pipeline (kubectl apply), or a PipelineRun of it (kubectl create)')
      .addOption(new Option('--kind <kind>', 'what to emit: the generic Tasks only (no scenario needed), Tasks + Pipeline, or a PipelineRun').choices(TEKTON_KINDS).default('Pipeline'))
      .option(
        '--name <name>',
        'name of the Pipeline; a PipelineRun references it (default: vmi-network-filter-<hash of the Pipeline\'s shape>, the same for the Pipeline and the PipelineRun of a scenario)',
      )
      .option('--serial-rounds <n>', `VMIs a serial run can fault one after the other (default: instance_count; 5 when it is 0 and execution is serial; max ${MAX_SERIAL_ROUNDS})`)
      .option('--privileged', 'run node steps privileged instead of with NET_ADMIN and SYS_ADMIN only', false)
      .option('--proc-discovery', "node steps find launchers through the host's /proc (mounted, plus SYS_PTRACE) instead of among the network namespaces the runtime pins in /var/run/netns: for runtimes that do not pin them", false)
      .option('--templates <dir>', 'folder of templates overriding the built-in ones file by file'),
  );
  return addOutputOptions(command)
    .addHelpText(
      'after',
      '\nExample:\n  vmi-network-filter generate tekton --namespace demo --ports 53 | kubectl apply -n chaos -f -\n' +
        '  vmi-network-filter generate tekton --namespace demo --ports 53 --kind PipelineRun | kubectl create -n chaos -f -',
    )
    .action((options: Record<string, unknown>) => {
      const kind = options.kind as TektonKind;
      outputFormatOf(options);
      const name = options.name as string | undefined;
      const nameProblem = name === undefined ? undefined : resourceNameProblem(name, false);
      if (nameProblem) throw new UsageError(`--name: ${nameProblem}`);
      const rounds = serialRounds(options.serialRounds);
      // The Tasks are the same for every scenario: no scenario (and no --namespace) is needed.
      if (kind === 'Tasks') {
        const ignored = [...givenScenarioOptions(options), ...(name ? ['--name'] : []), ...(rounds === undefined ? [] : ['--serial-rounds'])];
        if (ignored.length > 0) io.err(`warning: --kind Tasks renders the Tasks every scenario shares; ignored: ${ignored.join(', ')}\n`);
      }
      const scenarios = kind === 'Tasks' ? [] : scenariosFromOptions(options, io);
      const rendered = renderTekton(scenarios, {
        kind,
        version: VERSION,
        privileged: options.privileged === true,
        procDiscovery: options.procDiscovery === true,
        ...(name ? { name } : {}),
        ...(rounds === undefined ? {} : { serialRounds: rounds }),
        ...templatesOf(options, 'tekton'),
      });
      emitObjects(io, rendered.objects, options);
    });
}

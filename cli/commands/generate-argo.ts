import { Command, Option } from 'commander';
import { templateExpressionProblem } from '../../scenario/index.js';
import { UsageError } from '../../core/errors.js';
import { emit, type Io } from '../../core/io.js';
import { ARGO_KINDS, type ArgoKind } from '../../generator/argo/context.js';
import { resourceNameProblem } from '../../generator/names.js';
import { renderArgo } from '../../generator/render.js';
import { VERSION } from '../../core/version.js';
import { addScenarioOptions, scenariosFromOptions } from './scenario-options.js';

const CRON_FIELD = /^(\S+\s+){4}\S+$/;

/** `generate argo`: the scenario as an Argo Workflow, WorkflowTemplate or CronWorkflow. */
export function generateArgoCommand(io: Io): Command {
  return addScenarioOptions(
    new Command('argo')
      .description('render the scenario as an Argo Workflow (or WorkflowTemplate, CronWorkflow), validated before it is printed')
      .addOption(new Option('--kind <kind>', 'object to emit').choices(ARGO_KINDS).default('Workflow'))
      .option('--schedule <cron>', 'cron schedule (CronWorkflow only), e.g. "0 3 * * 1"')
      .option('--name <name>', 'metadata.name, or the generateName prefix of a Workflow')
      .option('--privileged', 'run node steps privileged instead of with NET_ADMIN, SYS_ADMIN, SYS_PTRACE only', false)
      .option('--templates <dir>', 'folder of templates overriding the built-in ones file by file')
      .option('-o, --output <file>', 'write to FILE instead of stdout')
      .addHelpText('after', '\nExample:\n  vmi-network-filter generate argo --namespace demo --ports 53 | argo submit -'),
  ).action((options: Record<string, unknown>) => {
    const kind = options.kind as ArgoKind;
    const schedule = options.schedule as string | undefined;
    if (kind === 'CronWorkflow' && !schedule) throw new UsageError('--kind CronWorkflow needs --schedule, e.g. --schedule "0 3 * * 1"');
    if (kind !== 'CronWorkflow' && schedule) throw new UsageError('--schedule applies to --kind CronWorkflow only');
    if (schedule && (!CRON_FIELD.test(schedule.trim()) || templateExpressionProblem(schedule) !== undefined)) {
      throw new UsageError(`--schedule "${schedule}" is not a five-field cron schedule (minute hour day-of-month month day-of-week)`);
    }
    const name = options.name as string | undefined;
    const nameProblem = name === undefined ? undefined : resourceNameProblem(name, kind === 'Workflow');
    if (nameProblem) throw new UsageError(`--name: ${nameProblem}`);
    const scenarios = scenariosFromOptions(options, io);
    const rendered = renderArgo(scenarios, {
      kind,
      version: VERSION,
      privileged: options.privileged === true,
      ...(schedule ? { schedule: schedule.trim() } : {}),
      ...(name ? { name } : {}),
      ...(typeof options.templates === 'string' ? { overrideDir: options.templates } : {}),
    });
    emit(io, rendered.yaml, options.output as string | undefined);
  });
}

import { Command, Option } from 'commander';
import { templateExpressionProblem } from '../../scenario/index.js';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { ARGO_KINDS, type ArgoKind } from '../../generator/argo/context.js';
import { checkCronSchedule, checkTimeZone, ScheduleError } from '../../generator/cron-schedule.js';
import { resourceNameProblem } from '../../generator/names.js';
import { renderArgo } from '../../generator/render.js';
import { VERSION } from '../../core/version.js';
import { addOutputOptions, emitObjects, outputFormatOf } from './output-options.js';
import { addScenarioOptions, scenariosFromOptions } from './scenario-options.js';
import { templatesOf } from './templates-option.js';

/** The checked schedule and time zone. @throws UsageError for a bad or misplaced one. */
function scheduleOf(kind: ArgoKind, options: Readonly<Record<string, unknown>>): { schedule?: string; timezone?: string } {
  const schedule = options.schedule as string | undefined;
  const timezone = options.timezone as string | undefined;
  if (kind === 'CronWorkflow' && !schedule) throw new UsageError('--kind CronWorkflow needs --schedule, e.g. --schedule "0 3 * * 1" or --schedule @daily');
  if (kind !== 'CronWorkflow' && schedule) throw new UsageError('--schedule applies to --kind CronWorkflow only');
  if (kind !== 'CronWorkflow' && timezone) throw new UsageError('--timezone applies to --kind CronWorkflow only');
  if (!schedule) return {};
  if (templateExpressionProblem(schedule) !== undefined) throw new UsageError(`--schedule "${schedule}": ${templateExpressionProblem(schedule)}`);
  try {
    return { schedule: checkCronSchedule(schedule), ...(timezone === undefined ? {} : { timezone: checkTimeZone(timezone) }) };
  } catch (e) {
    if (e instanceof ScheduleError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}

/** `generate argo`: the scenario as an Argo Workflow, WorkflowTemplate or CronWorkflow. */
export function generateArgoCommand(io: Io): Command {
  const command = addScenarioOptions(
    new Command('argo')
      .description('render the scenario as an Argo Workflow (or WorkflowTemplate, CronWorkflow), validated before it is printed')
      .addOption(new Option('--kind <kind>', 'object to emit').choices(ARGO_KINDS).default('Workflow'))
      .option('--schedule <cron>', 'cron schedule (CronWorkflow only) as Argo reads it: five fields with names, ranges, steps ("0 3 * * MON-FRI"), or @daily, @hourly, @weekly, @monthly, @yearly, @every 6h')
      .option('--timezone <zone>', 'IANA time zone of the schedule (CronWorkflow only), e.g. Europe/Paris (default: the controller\'s, UTC)')
      .option('--name <name>', 'metadata.name, or the generateName prefix of a Workflow')
      .option('--privileged', 'run node steps privileged instead of with NET_ADMIN and SYS_ADMIN only', false)
      .option('--proc-discovery', "node steps find launchers through the host's /proc (mounted, plus SYS_PTRACE) instead of among the network namespaces the runtime pins in /var/run/netns: for runtimes that do not pin them", false)
      .option('--templates <dir>', 'folder of templates overriding the built-in ones file by file'),
  );
  return addOutputOptions(command)
    .addHelpText('after', '\nExample:\n  vmi-network-filter generate argo --namespace demo --ports 53 | argo submit -')
    .action((options: Record<string, unknown>) => {
      const kind = options.kind as ArgoKind;
      outputFormatOf(options);
      const cron = scheduleOf(kind, options);
      const name = options.name as string | undefined;
      const nameProblem = name === undefined ? undefined : resourceNameProblem(name, kind === 'Workflow');
      if (nameProblem) throw new UsageError(`--name: ${nameProblem}`);
      const scenarios = scenariosFromOptions(options, io);
      const rendered = renderArgo(scenarios, {
        kind,
        version: VERSION,
        privileged: options.privileged === true,
        procDiscovery: options.procDiscovery === true,
        ...cron,
        ...(name ? { name } : {}),
        ...templatesOf(options, 'argo'),
      });
      emitObjects(io, rendered.objects, options);
    });
}

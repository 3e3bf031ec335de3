/**
 * Scenario list → the data the Tekton templates render (pure). Three kinds of output:
 *   Tasks        the generic Tasks (select, inject, verify, rollback, hold, report), the same for
 *                every scenario, so they can be dropped into any pipeline;
 *   Pipeline     those Tasks plus a Pipeline with every scenario key as a param;
 *   PipelineRun  a run of that Pipeline: the values and each scenario's service account.
 * Names, params and timeouts follow the Argo side (`ports`, or `ports-2` with several scenarios).
 */
import { EXECUTIONS, SCENARIO_KEYS, type Scenario } from '../../scenario/index.js';
import { parameterName, scenarioParameters } from '../parameters.js';
import { stableName } from '../names.js';
import { taskContext, TASK_NAMES } from './task-context.js';
import { timeoutsFor } from './timeouts.js';

/** What `generate tekton` emits: the generic Tasks, Tasks + Pipeline, or a run of the Pipeline. */
export type TektonKind = 'Tasks' | 'Pipeline' | 'PipelineRun';
/** Every TektonKind, for `--kind`. */
export const TEKTON_KINDS: readonly TektonKind[] = ['Tasks', 'Pipeline', 'PipelineRun'];

/** Most serial rounds a Pipeline may have (four tasks each). */
export const MAX_SERIAL_ROUNDS = 50;
/** Serial rounds when instance_count is 0 ("all matches") and execution is serial. */
export const DEFAULT_SERIAL_ROUNDS_FOR_ALL = 5;

/** Options of the Tekton rendering (the scenarios aside). */
export interface TektonOptions {
  /** @default 'Pipeline' */
  readonly kind?: TektonKind;
  /**
   * Name of the Pipeline (the PipelineRun references it and takes it as its generateName prefix).
   * @default 'vmi-network-filter-<hash of the Pipeline's shape>' (see pipelineNameFor)
   */
  readonly name?: string;
  /**
   * Service account of the TaskRuns when a scenario names none (the one `generate rbac` creates).
   * @default 'vmi-network-filter'
   */
  readonly serviceAccount?: string;
  /** Run node steps privileged instead of with NET_ADMIN and SYS_ADMIN. @default false */
  readonly privileged?: boolean;
  /** Node steps find launchers through the host's /proc (plus SYS_PTRACE), not /var/run/netns. @default false */
  readonly procDiscovery?: boolean;
  /**
   * Serial rounds per scenario: how many VMIs a serial run can fault one after the other (each
   * round is an inject → hold → verify → rollback chain). A serial run that selects more VMIs
   * fails in `select`, before any fault.
   * @default instance_count, or 5 when instance_count is 0 and execution is serial, else 0
   */
  readonly serialRounds?: number;
  /** Version label. */
  readonly version: string;
}

/** The serial rounds of `scenario` (see TektonOptions.serialRounds). */
export function serialRoundsFor(scenario: Scenario, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  if (scenario.instance_count > 0) return scenario.instance_count;
  return scenario.execution === 'serial' ? DEFAULT_SERIAL_ROUNDS_FOR_ALL : 0;
}

/**
 * The Pipeline's name for `scenarios` (what the PipelineRun references). By default a hash of
 * the Pipeline's shape (how many scenarios, each one's serial rounds), not of the values: every
 * value is a param the PipelineRun passes, so the PipelineRun of a scenario references the name
 * the same scenario's Pipeline got, also when the run changes a value (`--chaos-duration 60`),
 * and never a Pipeline of another shape.
 */
export function pipelineNameFor(scenarios: readonly Scenario[], options: Pick<TektonOptions, 'name' | 'serialRounds'>): string {
  return options.name ?? stableName('vmi-network-filter', { scenarios: scenarios.length, serialRounds: scenarios.map((s) => serialRoundsFor(s, options.serialRounds)) });
}

/** One pipeline task of a serial round. */
interface RoundTask {
  readonly name: string;
  /** The Task it runs. */
  readonly task: string;
  /** The pipeline task it starts after. */
  readonly after: string;
  /** A hold (params seconds, image) rather than a node step (node, index in its ledger). */
  readonly hold: boolean;
}

/** Serial round `position` (1-based): inject → hold → verify → rollback of target `position`. */
interface Round {
  readonly position: string;
  /** Index into select's `serial-nodes` and `serial-indexes` results. */
  readonly index: number;
  readonly tasks: readonly RoundTask[];
}

function roundOf(r: number, suffix: string, select: string): Round {
  const name = (base: string): string => `${base}${suffix}-r${r}`;
  const steps = ['inject', 'hold', 'verify', 'rollback'] as const;
  return {
    position: String(r),
    index: r - 1,
    tasks: steps.map((step, i) => ({
      name: name(step),
      task: TASK_NAMES[step],
      after: i > 0 ? name(steps[i - 1]!) : r === 1 ? select : `rollback${suffix}-r${r - 1}`,
      hold: step === 'hold',
    })),
  };
}

function scenarioContext(scenario: Scenario, i: number, count: number, options: TektonOptions) {
  const number = i + 1;
  const suffix = count === 1 ? '' : `-${number}`;
  const param = (key: string): string => parameterName(key, number, count);
  const name = (base: string): string => `${base}${suffix}`;
  const serialRounds = serialRoundsFor(scenario, options.serialRounds);
  const rounds = Array.from({ length: serialRounds }, (_, r) => roundOf(r + 1, suffix, name('select')));
  const names = {
    select: name('select'),
    inject: name('inject'),
    hold: name('hold'),
    verify: name('verify'),
    restore: name('restore'),
    rollback: name('rollback'),
    wait: name('wait'),
  };
  const roundTasks = rounds.flatMap((r) => r.tasks);
  return {
    number,
    names,
    rounds,
    serialRounds: String(serialRounds),
    /** Pipeline param name of each scenario key. */
    p: Object.fromEntries(SCENARIO_KEYS.map((k) => [k.key, param(k.key)])),
    /** Every scenario key passed from the Pipeline param to the Task param of the same key. */
    params: SCENARIO_KEYS.map((k) => ({ name: k.key, param: param(k.key) })),
    /** What the next scenario waits for: the parallel restore and the last serial rollback. */
    last: [names.restore, ...roundTasks.slice(-1).map((t) => t.name)],
    /** Pipeline tasks that create node pods: under the scenario's service account (taskRunSpecs). */
    nodeTasks: [names.inject, names.verify, names.restore, ...roundTasks.filter((t) => !t.hold).map((t) => t.name), names.rollback],
    /**
     * Pipeline tasks of the hold Task (a sleep; wait_duration's wait from the second scenario on):
     * they never call the Kubernetes API, so their pods get no service-account token (taskRunSpecs).
     */
    holdTasks: [...(number > 1 ? [names.wait] : []), names.hold, ...roundTasks.filter((t) => t.hold).map((t) => t.name)],
    serviceAccountName: scenario.service_account || (options.serviceAccount ?? 'vmi-network-filter'),
  };
}

/** The template data for `scenarios` (ignored for kind Tasks, which needs none). */
export function buildTektonContext(scenarios: readonly Scenario[], options: TektonOptions): object {
  const kind = options.kind ?? 'Pipeline';
  const count = scenarios.length;
  const name = pipelineNameFor(scenarios, options);
  const parameters = scenarioParameters(scenarios);
  const contexts = scenarios.map((scenario, i) => scenarioContext(scenario, i, count, options));
  const scenarioList = contexts.map((c, i) => ({
    ...c,
    // Scenarios of one file run in order: select-2 waits wait_duration after scenario 1 settled.
    waitBefore: i === 0 ? '' : parameterName('wait_duration', i, count),
    waitAfter: i === 0 ? [] : contexts[i - 1]!.last,
  }));
  const first = contexts[0];
  return {
    ...taskContext(options.version, options.privileged ?? false, options.procDiscovery ?? false),
    kind,
    pipeline: kind !== 'Tasks',
    name,
    // generateName gets 5 random characters: keep the prefix within 63 - 5.
    generateName: `${name.slice(0, 52).replace(/-+$/, '')}-`,
    version: options.version,
    scenarioCount: count,
    executions: EXECUTIONS,
    parameters,
    scenarios: scenarioList,
    serviceAccountName: first?.serviceAccountName ?? options.serviceAccount ?? 'vmi-network-filter',
    timeouts: timeoutsFor(scenarios, contexts.map((c) => Number(c.serialRounds))),
    taskNames: TASK_NAMES,
  };
}

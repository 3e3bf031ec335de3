/**
 * The final report of a run (pure): each VMI, what was blocked, the verify outcome, whether the
 * rollback is confirmed, and the steps' durations, plus the verdict and its exit status. The same
 * data feeds the text report, `--report-json` and `--report-junit`.
 */
import { ruleCount } from './_node-read.js';
import { parameterName } from '../generator/parameters.js';
import { exitHandlerName, VMI_STEPS, type EngineRun, type RunFailure, type RunState, type StepPhase, type StepState, type VmiState, type VmiStep } from './run-state.js';

/** One step of one VMI in the report. */
export interface StepReport {
  readonly phase: StepPhase;
  /** finishedAt − startedAt; null while unfinished or never started. */
  readonly seconds: number | null;
  readonly message?: string;
}

/** What the scenario cut for one VMI, and how inject did it. */
export interface BlockedReport {
  readonly ingress: boolean | null;
  readonly egress: boolean | null;
  /** Destination ports; [] = all ports; null when the workflow does not say. */
  readonly ports: readonly number[] | null;
  readonly protocols: readonly string[] | null;
  /** Rules inject applied (null: inject did not report). */
  readonly rules: number | null;
  readonly backend: string | null;
}

/** One VMI in the report. */
export interface VmiReport {
  readonly scenario: number;
  readonly namespace: string;
  readonly name: string;
  readonly node: string | null;
  readonly binding: string | null;
  readonly stage: VmiState['stage'];
  readonly blocked: BlockedReport;
  readonly verify: { readonly outcome: 'passed' | 'failed' | 'not run'; readonly message?: string };
  readonly rollback: { readonly confirmed: boolean; readonly by: readonly ('branch' | 'exit handler')[]; readonly message?: string };
  readonly steps: Readonly<Record<VmiStep | 'exitRollback', StepReport>>;
}

/** The whole report. */
export interface RunReport {
  /** `workflow` (Argo) or `PipelineRun` (Tekton). */
  readonly kind: RunState['kind'];
  /** The run's name (a Workflow's or a PipelineRun's). */
  readonly workflow: string;
  readonly namespace: string;
  readonly phase: string;
  readonly message: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly seconds: number | null;
  readonly stopped: boolean;
  /** The workflow succeeded and every selected VMI's rollback is confirmed. */
  readonly ok: boolean;
  readonly failure: RunFailure | null;
  readonly exitHandler: RunState['exitHandler'];
  readonly vmis: readonly VmiReport[];
}

/** The report of `state`, with the scenario values read from the run's parameters. */
export function runReportOf(state: RunState, run: Pick<EngineRun, 'parameters' | 'scenarioCount'>): RunReport {
  // The generator records how many scenarios the run holds (which decides the parameter names);
  // without it, count those that selected.
  const scenarios = run.scenarioCount ?? new Set(state.selections.map((s) => s.scenario)).size;
  const ok = state.finished && state.phase === 'Succeeded' && state.vmis.length > 0 && state.vmis.every((v) => v.rollbackConfirmed);
  const failure = state.failure ?? (ok ? undefined : state.vmis.length === 0 && state.finished ? { step: 'select', message: 'no VMI was selected' } : undefined);
  return {
    kind: state.kind,
    workflow: state.name,
    namespace: state.namespace,
    phase: state.phase,
    message: state.message ?? null,
    startedAt: state.startedAt ?? null,
    finishedAt: state.finishedAt ?? null,
    seconds: secondsBetween(state.startedAt, state.finishedAt),
    stopped: state.stopping,
    ok,
    failure: failure ?? null,
    exitHandler: state.exitHandler,
    vmis: state.vmis.map((v) => vmiReport(v, (key) => run.parameters[parameterName(key, v.scenario, scenarios)])),
  };
}

function vmiReport(v: VmiState, parameter: (key: string) => string | undefined): VmiReport {
  const inject = v.steps.inject.result;
  const verify = v.steps.verify;
  const by = [...(confirms(v.steps.rollback) ? ['branch' as const] : []), ...(confirms(v.exitRollback) ? ['exit handler' as const] : [])];
  const rollbackMessage = [v.steps.rollback, v.exitRollback].find((s) => s.phase === 'failed')?.message;
  return {
    scenario: v.scenario,
    namespace: v.namespace,
    name: v.name,
    node: v.node ?? null,
    binding: v.binding ?? null,
    stage: v.stage,
    blocked: {
      ingress: bool(parameter('ingress')),
      egress: bool(parameter('egress')),
      ports: list(parameter('ports'))?.map(Number) ?? null,
      protocols: list(parameter('protocols')) ?? null,
      rules: ruleCount(inject) ?? null,
      backend: typeof inject?.backend === 'string' ? inject.backend : null,
    },
    verify: {
      outcome: verify.phase === 'succeeded' ? 'passed' : verify.phase === 'failed' ? 'failed' : 'not run',
      ...(verify.phase === 'failed' && verify.message ? { message: verify.message } : {}),
    },
    rollback: { confirmed: v.rollbackConfirmed, by, ...(!v.rollbackConfirmed && rollbackMessage ? { message: rollbackMessage } : {}) },
    steps: Object.fromEntries([...VMI_STEPS.map((s) => [s, stepReport(v.steps[s])] as const), ['exitRollback', stepReport(v.exitRollback)] as const]) as VmiReport['steps'],
  };
}

function confirms(step: StepState): boolean {
  return step.phase === 'succeeded' && step.result?.ok !== false;
}

function stepReport(step: StepState): StepReport {
  return { phase: step.phase, seconds: secondsBetween(step.startedAt, step.finishedAt), ...(step.phase === 'failed' && step.message ? { message: step.message } : {}) };
}

/** Whole seconds from `from` to `to` (RFC 3339), or null when either is missing. */
export function secondsBetween(from: string | undefined, to: string | undefined): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? null : Math.max(0, Math.round(ms / 1000));
}

function bool(text: string | undefined): boolean | null {
  return text === undefined ? null : text.trim().toLowerCase() === 'true';
}

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** `1h 2m 3s`, `2m 0s`, `45s`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '-';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`;
}

/** What was cut, in words: `4 rules (nftables): ingress+egress, tcp/udp, ports 53`. */
export function describeBlocked(b: BlockedReport): string {
  const directions = [b.ingress ? 'ingress' : '', b.egress ? 'egress' : ''].filter(Boolean).join('+') || 'no direction';
  const ports = b.ports === null ? 'ports ?' : b.ports.length === 0 ? 'all ports' : `port${b.ports.length > 1 ? 's' : ''} ${b.ports.join(',')}`;
  const how = b.rules === null ? 'nothing applied' : `${b.rules} rules (${b.backend ?? 'backend ?'})`;
  return `${how}: ${b.ingress === null ? 'directions ?' : directions}, ${b.protocols?.join('/') ?? 'protocols ?'}, ${ports}`;
}

/** The failure in one line: `verify of demo/vm-1 failed: …`. */
export function describeFailure(failure: RunFailure): string {
  if (failure.step === 'workflow') return `workflow did not succeed: ${failure.message}`;
  return `${failure.step}${failure.vmi ? ` of ${failure.vmi}` : ''} failed: ${failure.message}`;
}

/** The report as text for a terminal or a CI log. */
export function formatReport(report: RunReport): string {
  const lines = [`report: ${report.kind} ${report.workflow} (namespace ${report.namespace}) ${report.phase || 'unknown'} after ${formatDuration(report.seconds)}${report.stopped ? ', stopped on request' : ''}`];
  for (const v of report.vmis) {
    lines.push(`  ${v.namespace}/${v.name} on ${v.node ?? '?'} (${v.binding ?? '?'}), scenario ${v.scenario}`);
    lines.push(`    blocked:   ${describeBlocked(v.blocked)}`);
    lines.push(`    verify:    ${v.verify.outcome}${v.verify.message ? `: ${v.verify.message}` : ''}`);
    const by = v.rollback.by.length > 0 ? ` (by ${v.rollback.by.join(' and ')})` : '';
    lines.push(`    rollback:  ${v.rollback.confirmed ? `confirmed${by}` : `NOT confirmed${v.rollback.message ? `: ${v.rollback.message}` : ''}`}`);
    lines.push(`    durations: ${VMI_STEPS.map((s) => `${s} ${formatDuration(v.steps[s].seconds)}`).join(', ')}`);
  }
  if (report.vmis.length === 0) lines.push('  no VMI selected');
  const { phase, rollbacksDone, rollbacks } = report.exitHandler;
  lines.push(`  ${exitHandlerName(report.kind)}: ${phase} (${rollbacksDone} of ${rollbacks} rollbacks succeeded)`);
  lines.push(
    report.ok
      ? `verdict: PASS: the ${report.kind} succeeded and every rollback is confirmed`
      : `verdict: FAIL: ${report.failure ? describeFailure(report.failure) : `${report.kind} ${report.phase || 'unfinished'}`}`,
  );
  return `${lines.join('\n')}\n`;
}

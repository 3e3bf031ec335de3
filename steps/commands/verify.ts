/**
 * `step verify`: after the hold, check that the fault is still in place: this run's rules are
 * present and intact in the launcher namespace and their counters readable. Other checks (the
 * VMI still Running on the same node and pod, from the Kubernetes API) plug in as extra
 * {@link VerifyCheck}s without touching this file.
 */
import { Command, Option } from 'commander';
import type { Io } from '../../core/io.js';
import type { Scenario } from '../../scenario/index.js';
import { stepScenario } from '../scenario.js';
import type { Target } from '../../kube/target.js';
import type { LedgerRecord } from '../../kube/ledger.js';
import { detect, expiryFor, filterableBinding, inspectRun, isoSeconds, unixNow, type Inspection } from '../netfilter/index.js';
import { runNodeStep, type VmiRecords } from './node-run.js';
import { addNodeStepOptions, checkRunId, detectionProc, LauncherGoneError, locateLauncher, planForScenario, type NodeStepFlags } from './node-step.js';

/** The outcome of one check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Facts beside the verdict, one line each (logged after the detail), shown pass or fail. */
  readonly notes?: readonly string[];
  /** Anything the check wants in the result JSON. */
  readonly data?: Record<string, unknown>;
}

/** What a check gets to work with. */
export interface VerifyContext {
  readonly target: Target;
  readonly runId: string;
  readonly scenario: Scenario;
  readonly flags: NodeStepFlags;
  /** The VMI's records of the earlier steps (inject's), when it runs from the run ledger. */
  readonly earlier: VmiRecords;
}

/** An extra verify check (e.g. the Kubernetes-side one). */
export type VerifyCheck = (context: VerifyContext) => Promise<CheckResult>;

/** What verify says of when packets were dropped: nftables records it, iptables cannot. */
export function dropsText({ backend, firstDropAtMs, lastDropAtMs, counters }: Pick<Inspection, 'backend' | 'firstDropAtMs' | 'lastDropAtMs' | 'counters'>): string {
  if (backend === 'iptables') return 'iptables counts dropped packets but cannot tell when';
  const at = (ms: number | undefined): string => (ms === undefined ? 'unknown' : new Date(ms).toISOString());
  if (firstDropAtMs !== undefined || lastDropAtMs !== undefined) return `first dropped packet at ${at(firstDropAtMs)}, last at ${at(lastDropAtMs)}`;
  // Counted but not dated: a table injected before the drop sets existed.
  return counters.some((c) => c.packets > 0) ? 'when packets were dropped is not recorded' : 'no packet dropped yet';
}

/**
 * The netns-side check: this run's rules present, intact and counting, and their deadline not
 * passed (after it the kernel no longer applies them: the fault is over). Reports the time left.
 */
export const netfilterCheck: VerifyCheck = async ({ target, runId, scenario, flags }) => {
  const binding = filterableBinding(target.binding);
  const vmi = `${target.namespace}/${target.name}`;
  const located = await locateLauncher(flags, target, binding);
  if (located === undefined) throw new LauncherGoneError(`the launcher of ${vmi} has no network namespace any more`);
  const detection = await detect(located, { binding, proc: detectionProc(flags), interfaces: scenario.interfaces });
  const now = unixNow();
  // The plan inject would make now; which rules it holds does not depend on its deadline (the
  // run's own deadline is read from its tags).
  const plan = planForScenario(binding, detection, scenario, { runId, expiresAt: expiryFor(now, scenario.test_duration, scenario.expiry_grace), vmi });
  const inspection = await inspectRun(located.netns, plan, now);
  const { expiresAt, secondsLeft, kernelSecondsLeft, window, firstDropAtMs, lastDropAtMs } = inspection;
  const ok = inspection.problems.length === 0;
  const faulting = window ? `; they drop traffic from ${isoSeconds(window.start)} to ${isoSeconds(window.end)}` : '';
  const deadline = expiresAt === undefined || secondsLeft === undefined ? '' : `${faulting}; the kernel ends them by itself at ${isoSeconds(expiresAt)}, in ${secondsLeft} s`;
  return {
    name: 'netfilter',
    ok,
    detail: ok ? `${plan.rules.length} rules of run ${runId} intact (${inspection.backend})${deadline}` : inspection.problems.join('; '),
    // What the fault did is worth telling even when the rules are no longer intact.
    ...(inspection.backend === undefined ? {} : { notes: [dropsText(inspection)] }),
    data: {
      netns: located.netns.path,
      backend: inspection.backend ?? null,
      ...(expiresAt === undefined ? {} : { expiresAt, secondsLeft }),
      ...(kernelSecondsLeft === undefined ? {} : { kernelSecondsLeft }),
      ...(window ? { window } : {}),
      ...(firstDropAtMs === undefined ? {} : { firstDropAtMs }),
      ...(lastDropAtMs === undefined ? {} : { lastDropAtMs }),
      counters: inspection.counters,
      warnings: inspection.warnings,
    },
  };
};

/** The ledger's verify record of a passed verification: small facts, the drop times when known. */
export function verifySummary(result: Record<string, unknown>): Pick<LedgerRecord, 'detail' | 'data'> {
  const checks = result.checks as CheckResult[];
  const netfilter = checks.find((c) => c.name === 'netfilter')?.data ?? {};
  const counters = (netfilter.counters ?? []) as { packets: number }[];
  const numbers = (keys: readonly string[]): Record<string, number> => Object.fromEntries(keys.flatMap((k) => (typeof netfilter[k] === 'number' ? [[k, netfilter[k]]] : [])));
  return {
    detail: checks.map((c) => [`${c.name}: ${c.detail}`, ...(c.notes ?? [])].join('; ')).join('; '),
    data: {
      backend: (netfilter.backend ?? null) as string | null,
      packets: counters.reduce((sum, c) => sum + c.packets, 0),
      ...numbers(['secondsLeft', 'firstDropAtMs', 'lastDropAtMs']),
    },
  };
}

/** A failed verification: exit status 1, every failed check named. */
export class VerificationError extends Error {
  /** Written to the result JSON next to the error. */
  readonly result: { readonly checks: readonly CheckResult[] };
  constructor(readonly failed: readonly CheckResult[], checks: readonly CheckResult[]) {
    super(`verification failed: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
    this.result = { checks };
  }
}
VerificationError.prototype.name = 'VerificationError';

/**
 * The `verify` step with the netfilter check plus `extraChecks`. Exit 0 when every check
 * passes, 1 when one fails (the result JSON lists them all), 2 on bad input.
 */
export function verifyCommand(io: Io, extraChecks: readonly VerifyCheck[] = []): Command {
  const command = addNodeStepOptions(new Command('verify').description("check that this run's rules are still in place and counting")).addOption(
    new Option('--cluster-check <mode>', 'the VMI still Running on the same node and launcher pod: auto (when API access is configured), on, off')
      .choices(['auto', 'on', 'off'])
      .default('auto'),
  );
  return command.action((flags: NodeStepFlags) => {
    let scenario: Scenario | undefined; // read once, after the target was checked
    return runNodeStep(io, flags, {
      name: 'verify',
      one: async (target, { log }, earlier) => {
        scenario ??= stepScenario(flags.scenario, io);
        const context: VerifyContext = { target, runId: checkRunId(flags.runId), scenario, flags, earlier };
        const checks: CheckResult[] = [];
        for (const check of [netfilterCheck, ...extraChecks]) {
          const result = await check(context);
          log(result.ok ? 'info' : 'error', `${result.name}: ${result.detail}`, result.data ?? {});
          for (const note of result.notes ?? []) log('info', `${result.name}: ${note}`);
          checks.push(result);
        }
        const failed = checks.filter((c) => !c.ok);
        if (failed.length > 0) throw new VerificationError(failed, checks);
        return { ok: true, runId: context.runId, vmi: `${target.namespace}/${target.name}`, checks };
      },
      summarize: verifySummary,
    });
  });
}

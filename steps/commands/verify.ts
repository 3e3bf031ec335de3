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
import { detect, expiryFor, filterableBinding, inspectRun, isoSeconds, unixNow } from '../netfilter/index.js';
import { runNodeStep } from './node-run.js';
import { addNodeStepOptions, checkRunId, LauncherGoneError, locateLauncher, planForScenario, type NodeStepFlags } from './node-step.js';

/** The outcome of one check. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Anything the check wants in the result JSON. */
  readonly data?: Record<string, unknown>;
}

/** What a check gets to work with. */
export interface VerifyContext {
  readonly target: Target;
  readonly runId: string;
  readonly scenario: Scenario;
  readonly flags: NodeStepFlags;
}

/** An extra verify check (e.g. the Kubernetes-side one). */
export type VerifyCheck = (context: VerifyContext) => Promise<CheckResult>;

/**
 * The netns-side check: this run's rules present, intact and counting, and their deadline not
 * passed (after it the kernel no longer applies them: the fault is over). Reports the time left.
 */
export const netfilterCheck: VerifyCheck = async ({ target, runId, scenario, flags }) => {
  const binding = filterableBinding(target.binding);
  const vmi = `${target.namespace}/${target.name}`;
  const located = await locateLauncher(flags, target, binding);
  if (located === undefined) throw new LauncherGoneError(`the launcher of ${vmi} has no network namespace any more`);
  const detection = await detect(located, { binding, proc: flags.proc, interfaces: scenario.interfaces });
  const now = unixNow();
  // The plan inject would make now; which rules it holds does not depend on its deadline (the
  // run's own deadline is read from its tags).
  const plan = planForScenario(binding, detection, scenario, { runId, expiresAt: expiryFor(now, scenario.test_duration, scenario.expiry_grace), vmi });
  const inspection = await inspectRun(located.netns, plan, now);
  const { expiresAt, secondsLeft, kernelSecondsLeft, window } = inspection;
  const ok = inspection.problems.length === 0;
  const faulting = window ? `; they drop traffic from ${isoSeconds(window.start)} to ${isoSeconds(window.end)}` : '';
  const deadline = expiresAt === undefined || secondsLeft === undefined ? '' : `${faulting}; the kernel ends them by itself at ${isoSeconds(expiresAt)}, in ${secondsLeft} s`;
  return {
    name: 'netfilter',
    ok,
    detail: ok ? `${plan.rules.length} rules of run ${runId} intact (${inspection.backend})${deadline}` : inspection.problems.join('; '),
    data: {
      netns: located.netns.path,
      backend: inspection.backend ?? null,
      ...(expiresAt === undefined ? {} : { expiresAt, secondsLeft }),
      ...(kernelSecondsLeft === undefined ? {} : { kernelSecondsLeft }),
      ...(window ? { window } : {}),
      counters: inspection.counters,
      warnings: inspection.warnings,
    },
  };
};

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
      one: async (target, { log }) => {
        scenario ??= stepScenario(flags.scenario, io);
        const context: VerifyContext = { target, runId: checkRunId(flags.runId), scenario, flags };
        const checks: CheckResult[] = [];
        for (const check of [netfilterCheck, ...extraChecks]) {
          const result = await check(context);
          log(result.ok ? 'info' : 'error', `${result.name}: ${result.detail}`, result.data ?? {});
          checks.push(result);
        }
        const failed = checks.filter((c) => !c.ok);
        if (failed.length > 0) throw new VerificationError(failed, checks);
        return { ok: true, runId: context.runId, vmi: `${target.namespace}/${target.name}`, checks };
      },
      summarize: (r) => {
        const checks = r.checks as CheckResult[];
        const netfilter = checks.find((c) => c.name === 'netfilter')?.data ?? {};
        const counters = (netfilter.counters ?? []) as { packets: number }[];
        return {
          detail: checks.map((c) => `${c.name}: ${c.detail}`).join('; '),
          data: {
            backend: (netfilter.backend ?? null) as string | null,
            packets: counters.reduce((sum, c) => sum + c.packets, 0),
            ...(typeof netfilter.secondsLeft === 'number' ? { secondsLeft: netfilter.secondsLeft } : {}),
          },
        };
      },
    });
  });
}

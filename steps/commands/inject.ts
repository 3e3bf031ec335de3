/**
 * `step inject`: find the launcher namespace, detect the VM's interfaces, plan the rules and
 * apply them in one transaction. Re-running with the same run id replaces the run's rules.
 * SIGTERM meanwhile: the transaction in flight completes, then everything of the run is removed.
 * Every rule set ends by itself at inject time + test_duration + expiry_grace (the deadline,
 * enforced by the kernel); a deadline already past is refused, and a node clock that disagrees
 * with the API server's is warned about.
 */
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { stepLogger, type StepLogger } from '../../core/log.js';
import { skewWarning } from '../clock-skew.js';
import { stepScenario } from '../scenario.js';
import {
  applyPlan,
  chooseBackend,
  detect,
  expiryFor,
  filterableBinding,
  guardTermination,
  installedTools,
  InterruptedError,
  isoSeconds,
  presentObjects,
  refusePassedDeadline,
  removeRun,
  UndoFailedError,
  unixNow,
  type Netns,
  type RunNames,
  type TerminationGuard,
} from '../netfilter/index.js';
import { measureNodeClock } from './node-clock.js';
import { kubeconfigChoice } from '../kube-options.js';
import type { Target } from '../../kube/target.js';
import { runNodeStep } from './node-run.js';
import { addNodeStepOptions, checkRunId, detectionProc, LauncherGoneError, locateLauncher, lookedIn, planForScenario, type NodeStepFlags } from './node-step.js';
import { NOW_FLAG, parseNow } from './now-option.js';

/** inject's flags: the node-step flags, --now and --window-start. */
interface InjectFlags extends NodeStepFlags {
  readonly now?: string;
  readonly windowStart?: string;
}

/**
 * `--window-start EPOCH`: the rules arm now and drop traffic from that second to test_duration
 * later, by the kernel's clock (a synchronized onset).
 * @throws UsageError (exit 2) when it is not a Unix time in whole seconds.
 */
function parseWindowStart(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,12}$/.test(value)) throw new UsageError(`--window-start must be a Unix time in whole seconds, not "${value}"`);
  return Number(value);
}

/**
 * After a stop request during the apply: removes the run's objects, then reads the namespace, so
 * the exit status says what is in the kernel: 143/130 when nothing of the run is left there.
 * @throws InterruptedError (nothing left), UndoFailedError (objects left, exit 1).
 */
async function undoAfterStop(netns: Netns, names: RunNames, signal: NodeJS.Signals): Promise<never> {
  let failure: unknown;
  try {
    await removeRun(netns, names);
  } catch (e) {
    failure = e;
  }
  let left: string[] = [];
  try {
    left = await presentObjects(netns, names);
  } catch (e) {
    failure ??= e;
  }
  if (failure === undefined && left.length === 0) throw new InterruptedError(signal, 'the rules applied meanwhile were removed again');
  throw new UndoFailedError(signal, left, failure);
}

/** Whether this process left rules in a kernel: a late stop request then changes nothing. */
interface Installed {
  any: boolean;
}

async function inject(target: Target, flags: InjectFlags, io: Io, { log }: StepLogger, guard: TerminationGuard, installed: Installed): Promise<Record<string, unknown>> {
  const runId = checkRunId(flags.runId);
  const binding = filterableBinding(target.binding);
  const scenario = stepScenario(flags.scenario, io);
  const vmi = `${target.namespace}/${target.name}`;
  const { test_duration: duration, expiry_grace: grace } = scenario;
  const fixedNow = flags.now === undefined ? undefined : parseNow(flags.now);
  const windowStart = parseWindowStart(flags.windowStart);
  // With a window the fault is [start, start + test_duration) and the deadline counts from its
  // end; without one, from inject.
  const window = windowStart === undefined ? undefined : { start: windowStart, end: windowStart + duration };
  const origin = (now: number): string =>
    window ? `window end ${isoSeconds(window.end)} + expiry_grace ${grace} s` : `inject time ${isoSeconds(now)} + test_duration ${duration} s + expiry_grace ${grace} s`;
  const deadlineOf = (now: number): number => (window ? window.end + grace : expiryFor(now, duration, grace));
  // Known now: refuse a past deadline, or a window already over, before anything is touched.
  if (fixedNow !== undefined) refusePassedDeadline(deadlineOf(fixedNow), unixNow(), origin(fixedNow));
  if (window) refusePassedDeadline(window.end, fixedNow ?? unixNow(), `the end of the fault window ${isoSeconds(window.start)} + test_duration ${duration} s`);
  // Alongside discovery, so that an API's answer costs the fault no time.
  const clock = measureNodeClock({ env: io.env, log, ...kubeconfigChoice(flags) });

  const located = await locateLauncher(flags, target, binding);
  if (located === undefined) throw new LauncherGoneError(`the launcher of ${vmi} has no network namespace (${lookedIn(flags, target)})`);
  log('info', 'launcher namespace', { vmi, netns: located.netns.path, ...(located.pid === undefined ? {} : { pid: located.pid }) });

  const detection = await detect(located, { binding, proc: detectionProc(flags), interfaces: scenario.interfaces });
  const { attachments, reason } = detection.selection;
  log('info', `filtering ${attachments.map((a) => a.podIface).join(', ')} (${reason})`, {
    binding,
    interfaces: attachments,
    available: detection.found,
    ...(target.interfaces ? { vmInterfaces: target.interfaces } : {}),
  });
  const relay = detection.relay;
  if (relay) {
    if (relay.foundBy === 'sockets') log('info', `relay ${relay.comm} runs as uid ${relay.uid} (the owner of ${relay.sockets} sockets in the namespace)`);
    else log('info', `relay ${relay.comm} runs as uid ${relay.uid}`, { pids: relay.pids });
    if (relay.sharingUid.length > 0) {
      log('warn', `processes ${relay.sharingUid.join(', ')} share the relay's uid ${relay.uid}; their traffic through the pod interface is blocked too`);
    }
  }

  const skew = await clock;
  const now = fixedNow ?? unixNow();
  const expiresAt = deadlineOf(now);
  // Again at the last moment: detection and the clock check took time, and clocks jump.
  refusePassedDeadline(expiresAt, unixNow(), origin(now));
  if (skew) {
    const warning = skewWarning(skew, expiresAt);
    const fields = { skewSeconds: skew.skewSeconds, uncertaintySeconds: skew.uncertaintySeconds };
    log(warning ? 'warn' : 'debug', warning ?? `the node's clock agrees with the Kubernetes API server's (${skew.skewSeconds} s ±${skew.uncertaintySeconds} s)`, fields);
  }
  const plan = planForScenario(binding, detection, scenario, { runId, expiresAt, vmi, ...(window ? { window } : {}) });
  const choice = chooseBackend(flags.backend, plan, detection.facts, installedTools());
  log('info', `backend ${choice.backend} (${choice.reason})`);

  const early = guard.signal();
  if (early) throw new InterruptedError(early, 'nothing was applied');
  const started = performance.now();
  let applied;
  try {
    // nft timeouts count from this moment, to the millisecond, so they end at the deadline.
    applied = await applyPlan(located.netns, plan, choice.backend, Date.now() / 1000);
  } finally {
    const signal = guard.signal();
    // The stop request outranks the apply's own outcome; what is claimed is read from the kernel.
    if (signal) await undoAfterStop(located.netns, plan.names, signal);
  }
  installed.any = true;
  const applyMs = Math.round((performance.now() - started) * 10) / 10;
  // When the rules were in the kernel: a window that started before is late by the difference.
  const armedAtMs = Date.now();
  const lateMs = window ? Math.max(0, armedAtMs - window.start * 1000) : 0;
  log('info', `applied ${plan.rules.length} rules${applied.replaced ? " (replacing this run's earlier set)" : ''}`, { objects: applied.objects, applyMs, expiresAt });
  if (window) {
    log(lateMs > 0 ? 'warn' : 'info', lateMs > 0 ? `armed ${lateMs} ms after the fault window's start ${isoSeconds(window.start)}: this VMI's fault started late` : `armed; the kernel drops the traffic from ${isoSeconds(window.start)} to ${isoSeconds(window.end)}`, {
      window,
      armedAtMs,
      lateMs,
    });
  }
  log('info', `the kernel ends this fault by itself at ${isoSeconds(expiresAt)} (test_duration ${duration} s + expiry_grace ${grace} s), whatever runs or not`, { expiresAt, expiryGrace: grace });
  return {
    ok: true,
    runId,
    vmi,
    netns: located.netns.path,
    binding,
    backend: choice.backend,
    interfaces: attachments,
    ...(relay ? { relayUid: relay.uid } : {}),
    expiresAt,
    expiryGrace: grace,
    ...(window ? { window, armedAtMs, lateMs } : {}),
    ...(skew ? { clockSkew: { seconds: skew.skewSeconds, uncertaintySeconds: skew.uncertaintySeconds, verdict: skew.verdict } } : {}),
    replaced: applied.replaced,
    objects: applied.objects,
    rules: plan.rules.map((r) => r.id),
    texts: applied.texts,
    applyMs,
  };
}

/**
 * The `inject` step. Exit 0 applied (also when a stop request came after the apply), 1 runtime
 * failure (also: stopped, but the undo failed; the log names what is left), 2 bad input, 143
 * stopped (130 for SIGINT): nothing of the run is in the namespace, read back after the undo.
 */
export function injectCommand(io: Io): Command {
  return addNodeStepOptions(new Command('inject').description("block the scenario's traffic of one VMI (--target), or of a node's VMIs in the run ledger (--node), in their virt-launcher network namespaces"))
    .option(NOW_FLAG, 'Unix time taken as the inject time the deadline counts from (default: now; for tests)')
    .option('--window-start <epoch>', 'Unix time (whole seconds) from which the armed rules drop traffic, for test_duration: a synchronized onset, timed by the kernel (default: from now until the deadline)')
    .action(async (flags: InjectFlags) => {
      // Guarded until the result is written, so a stop request is acted on (undo) where that is
      // safe, and the result file always matches what is left in the namespace.
      const guard = guardTermination();
      const installed: Installed = { any: false };
      try {
        await runNodeStep(io, flags, {
          name: 'inject',
          one: (target, logger) => inject(target, flags, io, logger, guard, installed),
          summarize: (r) => ({
            detail: `applied ${(r.rules as unknown[]).length} rules (${String(r.backend)}); the kernel ends them at ${isoSeconds(r.expiresAt as number)}`,
            data: {
              backend: r.backend as string,
              rules: (r.rules as unknown[]).length,
              expiresAt: r.expiresAt as number,
              applyMs: r.applyMs as number,
              // A synchronized onset: the window and how late this VMI's rules were armed for it.
              ...(r.window ? { windowStart: (r.window as { start: number }).start, windowEnd: (r.window as { end: number }).end, armedAtMs: r.armedAtMs as number, lateMs: r.lateMs as number } : {}),
            },
          }),
          stopRequested: guard.signal,
        });
        const late = guard.signal();
        if (late) stepLogger(io, 'inject').log('info', `${late} arrived after the rules were installed: they stay in place, and the kernel ends them at their deadline`, { signal: late });
      } finally {
        // Rules left in a kernel: keep intercepting until the process exits, or a stop request
        // in its last milliseconds would end it by the signal (143, "stopped and undone") with
        // the rules installed. Signal listeners do not keep the process alive.
        if (!installed.any) guard.dispose();
      }
    });
}

/**
 * `step inject`: find the launcher namespace, detect the VM's interfaces, plan the rules and
 * apply them in one transaction. Re-running with the same run id replaces the run's rules.
 * SIGTERM meanwhile: the transaction in flight completes, then everything of the run is removed.
 */
import { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import type { Io } from '../../generator/io.js';
import type { StepLogger } from '../log.js';
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
  removeRun,
  unixNow,
  type TerminationGuard,
} from '../netfilter/index.js';
import { addNodeStepOptions, checkRunId, LauncherGoneError, locateLauncher, parseTarget, planForScenario, runStep, type NodeStepFlags } from './node-step.js';

async function inject(flags: NodeStepFlags, io: Io, { log }: StepLogger, guard: TerminationGuard): Promise<Record<string, unknown>> {
  const target = parseTarget(flags.target, flags.netns);
  const runId = checkRunId(flags.runId);
  const binding = filterableBinding(target.binding);
  const scenario = stepScenario(flags.scenario, io);
  const vmi = `${target.namespace}/${target.name}`;

  const located = await locateLauncher(flags, target, binding);
  if (located === undefined) throw new LauncherGoneError(`the launcher of ${vmi} has no network namespace (${flags.netns ?? `pod ${target.launcherPodUid} has no process in ${flags.proc}`})`);
  log('info', 'launcher namespace', { vmi, netns: located.netns.path, ...(located.pid === undefined ? {} : { pid: located.pid }) });

  const detection = await detect(located, { binding, proc: flags.proc, interfaces: scenario.interfaces });
  const { attachments, reason } = detection.selection;
  log('info', `filtering ${attachments.map((a) => a.podIface).join(', ')} (${reason})`, {
    binding,
    interfaces: attachments,
    available: detection.found,
    ...(target.interfaces ? { vmInterfaces: target.interfaces } : {}),
  });
  const relay = detection.relay;
  if (relay) {
    log('info', `relay ${relay.comm} runs as uid ${relay.uid}`, { pids: relay.pids });
    if (relay.sharingUid.length > 0) {
      log('warn', `processes ${relay.sharingUid.join(', ')} share the relay's uid ${relay.uid}; their traffic through the pod interface is blocked too`);
    }
  }

  const now = unixNow();
  const plan = planForScenario(binding, detection, scenario, { runId, expiresAt: expiryFor(now, scenario.test_duration), vmi });
  const choice = chooseBackend(flags.backend, plan, detection.facts, installedTools());
  log('info', `backend ${choice.backend} (${choice.reason})`);

  const interrupted = (detail: string): InterruptedError | undefined => {
    const signal = guard.signal();
    return signal === undefined ? undefined : new InterruptedError(signal, detail);
  };
  const early = interrupted('nothing was applied');
  if (early) throw early;
  const started = performance.now();
  let applied;
  try {
    applied = await applyPlan(located.netns, plan, choice.backend, now);
  } finally {
    const late = interrupted('the rules applied meanwhile were removed again');
    if (late) {
      await removeRun(located.netns, plan.names);
      throw late; // the stop request outranks the apply's own outcome
    }
  }
  const applyMs = Math.round((performance.now() - started) * 10) / 10;
  log('info', `applied ${plan.rules.length} rules${applied.replaced ? " (replacing this run's earlier set)" : ''}`, { objects: applied.objects, applyMs, expiresAt: plan.tag.expiresAt });
  return {
    ok: true,
    runId,
    vmi,
    netns: located.netns.path,
    binding,
    backend: choice.backend,
    interfaces: attachments,
    ...(relay ? { relayUid: relay.uid } : {}),
    expiresAt: plan.tag.expiresAt,
    replaced: applied.replaced,
    objects: applied.objects,
    rules: plan.rules.map((r) => r.id),
    texts: applied.texts,
    applyMs,
  };
}

/** The `inject` step. Exit 0 applied, 1 runtime failure, 2 bad input, 143 stopped (undone). */
export function injectCommand(io: Io): Command {
  return addNodeStepOptions(new Command('inject').description("block the scenario's traffic of one VMI in its virt-launcher network namespace")).action(async (flags: NodeStepFlags) => {
    // Guarded until the result is written, so a stop request is acted on (undo) where that is
    // safe, and the result file always matches what is left in the namespace.
    const guard = guardTermination();
    try {
      await runStep(io, 'inject', flags.out, (logger) => inject(flags, io, logger, guard));
    } finally {
      guard.dispose();
    }
  });
}

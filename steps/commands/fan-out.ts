/**
 * `step fan-out inject|verify|rollback`: runs a node step on every node of the run ledger (or on
 * one node's VMI at --index, a serial round) as pods this step creates, pinned to their nodes.
 * The engine sees this one pod whatever the number of nodes: its Workflow status and PipelineRun
 * stay small. Each node pod writes its VMIs' records; for a pod that ended without writing them
 * (never scheduled, timed out, deleted) this step records why, so the ledger says what happened
 * to every VMI. Exit 0 when every node pod succeeded, 1 otherwise (the verdict reads the ledger).
 *
 * The node pods are built from this step's scenario (image, taints, expiry_grace) and get all of
 * it as krkn-hub variables, whether it came from variables or from --scenario.
 */
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Argument, Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { stepLogger, type StepLogger } from '../../core/log.js';
import type { LedgerRecord, LedgerWindow, RecordName } from '../../kube/index.js';
import { SCENARIO_KEYS, toParameterValues } from '../../scenario/index.js';
import { tolerationsFor } from '../../scenario/tolerations.js';
import { eachLimited } from '../../core/each-limited.js';
import { fanOut, type NodePodOutcome } from '../fan-out/fan-out.js';
import { nodePod, nodePodSelector, type NodePodPlace, type NodePodTemplate } from '../fan-out/node-pod.js';
import { ledgerAddress, ledgerOwner, recordOf } from '../ledger-options.js';
import { addKubeconfigOptions, kubeconfigChoice, type KubeconfigFlags } from '../kube-options.js';
import { InterruptedError, isoSeconds } from '../netfilter/index.js';
import { notBeforeMs, releaseAtMs, VERIFY_LEAD_SECONDS } from '../onset.js';
import { writeResult } from '../result.js';
import { stepScenario } from '../scenario.js';

const STEPS = ['inject', 'verify', 'rollback'] as const;
/** Node pods named in a failure message; the log and the ledger have them all. */
const NAMED_FAILURES = 10;
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

interface FanOutFlags extends KubeconfigFlags {
  readonly runId: string;
  readonly owner?: string;
  readonly scenarioNumber: string;
  readonly ledgerNamespace?: string;
  readonly recordAs?: string;
  readonly node?: string;
  readonly index?: string;
  readonly serviceAccount?: string;
  readonly privileged?: boolean;
  readonly procDiscovery?: boolean;
  readonly scenario?: string;
  readonly pollSeconds: string;
  readonly startSeconds: string;
  readonly out?: string;
}

/** Some node pods did not succeed (each VMI's outcome is in the ledger). */
export class FanOutError extends Error {
  readonly exitCode = 1;
}
FanOutError.prototype.name = 'FanOutError';

export function fanOutCommand(io: Io): Command {
  return addKubeconfigOptions(
    new Command('fan-out')
    .description("run a node step on every node of the run ledger as pods pinned to those nodes (one per node), and wait for them")
    .addArgument(new Argument('<step>', 'the node step').choices(STEPS))
    .requiredOption('--run-id <id>', "the run id (the owner's uid): which ledger, which rules")
    .requiredOption('--owner <kind/name>', 'the run owning the node pods, Workflow/NAME or PipelineRun/NAME (they are deleted with it)')
    .option('--scenario-number <n>', "the scenario's number in its file (its part of the ledger)", '1')
    .option('--ledger-namespace <ns>', "the namespace of the ledger and of the node pods (default: $POD_NAMESPACE, the run's)")
    .option('--record-as <record>', 'the ledger record the node pods write: the step\'s name (default), or exit-rollback')
    .option('--node <name>', 'only this node (a serial round), instead of every node of the ledger; empty: every node')
    .option('--index <i>', "with --node: only the VMI at this index of the node's ledger; empty: all of them")
    .option('--service-account <name>', 'service account of the node pods (default: $POD_SERVICE_ACCOUNT, this pod\'s own)')
    .option('--privileged', 'node pods privileged instead of with NET_ADMIN and SYS_ADMIN only', false)
    .option('--proc-discovery', "node pods find launchers through the host's /proc (mounted, plus SYS_PTRACE) instead of among the namespaces pinned in /var/run/netns", false)
    .option('--start-seconds <s>', "seconds a node pod may take on top of expiry_grace, which bounds it from its create (pending included, as the engines' timeouts do); one that has not ended by then is deleted", '0')
    .option('--poll-seconds <s>', 'seconds between two reads of the node pods', '2')
    .option('--scenario <file|json>', 'scenario file or inline JSON (krkn-hub environment variables apply on top)')
    .option('--out <file>', 'write the outcome JSON (one entry per node pod) to FILE'),
  )
    .addHelpText('after', '\nExample (what the generated workflows run):\n  vmi-network-filter step fan-out inject --run-id "$UID" --owner Workflow/chaos-x7k2p --scenario-number 1')
    .action(async (step: (typeof STEPS)[number], flags: FanOutFlags) => runFanOut(io, step, flags));
}

async function runFanOut(io: Io, step: (typeof STEPS)[number], given: FanOutFlags): Promise<void> {
  // An empty --node or --index is an absent one: the engines pass every param, set or not.
  const flags: FanOutFlags = { ...given, node: given.node || undefined, index: given.index || undefined };
  const { namespace, runId, scenario: number } = ledgerAddress(flags, io.env);
  const owner = ledgerOwner(flags.owner, runId);
  const record = recordOf(step, flags.recordAs);
  const serviceAccount = flags.serviceAccount ?? io.env.POD_SERVICE_ACCOUNT;
  if (!serviceAccount) throw new UsageError("the node pods' service account is unknown: give --service-account, or $POD_SERVICE_ACCOUNT (the downward API)");
  if (flags.index !== undefined && flags.node === undefined) throw new UsageError('--index needs --node');
  const index = flags.index === undefined ? undefined : /^\d{1,4}$/.test(flags.index) ? Number(flags.index) : NaN;
  if (Number.isNaN(index)) throw new UsageError(`--index must be an integer >= 0, not "${flags.index}"`);
  const pollSeconds = Number(flags.pollSeconds);
  if (!(pollSeconds >= 0.1 && pollSeconds <= 60)) throw new UsageError(`--poll-seconds must be between 0.1 and 60, not "${flags.pollSeconds}"`);
  const startSeconds = Number(flags.startSeconds);
  if (!(Number.isInteger(startSeconds) && startSeconds >= 0 && startSeconds <= 3600)) throw new UsageError(`--start-seconds must be an integer from 0 to 3600, not "${flags.startSeconds}"`);
  if (flags.node !== undefined && !NODE_NAME.test(flags.node)) throw new UsageError(`--node must be a node name (a DNS subdomain), not "${flags.node}"`);
  const scenario = stepScenario(flags.scenario, io);
  const { log } = stepLogger(io, `fan-out-${step}`);

  const values = toParameterValues(scenario);
  const template: NodePodTemplate = {
    namespace,
    owner,
    scenario: number,
    step,
    record,
    image: scenario.image,
    serviceAccount,
    tolerations: tolerationsFor(scenario.taints),
    privileged: flags.privileged === true,
    procDiscovery: flags.procDiscovery === true,
    // The scenario as this step resolved it (file and variables alike), as krkn-hub variables.
    env: SCENARIO_KEYS.map((k) => ({ name: k.env, value: values[k.key] })),
    deadlineSeconds: scenario.expiry_grace,
  };

  // Loaded here: the client library costs ~0.6 s that --help should not pay.
  const kube = await import('../../kube/index.js');
  const client = new kube.KubeClient({ env: io.env, log, ...kubeconfigChoice(flags) });
  const place = { namespace, runId };
  let places: NodePodPlace[];
  let window: LedgerWindow | undefined;
  if (flags.node !== undefined) {
    places = [{ node: flags.node, ...(index === undefined ? {} : { index }) }];
  } else {
    try {
      const ledgerIndex = await kube.readLedgerIndex(client, place, number);
      places = ledgerIndex.nodes.map((n) => ({ node: n.node }));
      window = ledgerIndex.window;
    } catch (e) {
      // No ledger: select did not get as far as writing one, so nothing was faulted.
      if (!(e instanceof kube.KubeNotFoundError) || step === 'inject') throw e;
      log('info', `no run ledger for scenario ${number} (select did not write one): nothing to ${step}`, { runId, scenario: number });
      writeResult(flags.out, { ok: true, step, record, pods: [] });
      return;
    }
  }
  if (window) await waitForWindow(window, record, log);
  log('info', `${record}: one pod on each of ${places.length} node${places.length === 1 ? '' : 's'}`, { record, nodes: places.length, namespace });

  const stop = new AbortController();
  let signal: NodeJS.Signals | undefined;
  const onSignal = (received: NodeJS.Signals): void => {
    signal ??= received;
    log('warn', `${received}: deleting the node pods still running (each records what it did)`, { signal: received });
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let outcomes: NodePodOutcome[];
  try {
    outcomes = await fanOut(client, {
      namespace,
      pods: places.map((p) => nodePod(step === 'inject' && window ? { ...template, windowStart: window.start } : template, p)),
      selector: nodePodSelector(runId, number, record),
      deadlineMs: (scenario.expiry_grace + startSeconds) * 1000,
      pollMs: pollSeconds * 1000,
      signal: stop.signal,
      log,
    });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }

  // A pod that did not succeed may have written no record: the ledger says why for its VMIs.
  const failed = outcomes.filter((o) => o.end !== 'Succeeded');
  for (const outcome of failed) log('error', `node ${outcome.node}: pod ${outcome.pod} ${outcome.end}${outcome.detail ? `: ${outcome.detail}` : ''}`, { node: outcome.node, pod: outcome.pod, end: outcome.end });
  // Two requests per node (read its part, patch the records), 16 nodes at a time, as the creates.
  await eachLimited(failed, 16, (outcome) =>
    recordMissing(kube, client, place, number, record, outcome, index).catch((e: unknown) =>
      log('warn', `could not record the outcome of node ${outcome.node} in the ledger: ${(e as Error).message}`, { node: outcome.node }),
    ),
  );
  const summary = { ok: failed.length === 0, step, record, pods: outcomes.length, failed: failed.length };
  writeResult(flags.out, { ...summary, outcomes });
  log(failed.length === 0 ? 'info' : 'error', `${record}: ${outcomes.length - failed.length} of ${outcomes.length} node pods succeeded`, summary);
  if (signal) throw new InterruptedError(signal, `${failed.length} of ${outcomes.length} node pods did not finish`);
  // Armed ahead of a synchronized start: the engine's hold (test_duration) begins just before
  // it, so that verify runs while the window is open.
  if (step === 'inject' && window) await waitForRelease(window, log);
  if (failed.length > 0) {
    const named = failed.slice(0, NAMED_FAILURES).map((o) => `${o.node} (${o.end})`).join(', ');
    throw new FanOutError(`${record} failed on ${failed.length} of ${outcomes.length} nodes: ${named}${failed.length > NAMED_FAILURES ? ', …' : ''}; each VMI's outcome is in the run ledger`);
  }
}

/**
 * Waits until {@link releaseAtMs} of `window` (at once when past). No handler: a stop request
 * ends this pod as it ends any (the rules are armed; rollback removes them).
 */
async function waitForRelease(window: LedgerWindow, log: StepLogger['log']): Promise<void> {
  const waitMs = releaseAtMs(window) - Date.now();
  log('info', `every node pod ended; the fault starts on every node at ${isoSeconds(window.start)} and ends at ${isoSeconds(window.end)}${waitMs > 0 ? `: the hold starts in ${(waitMs / 1000).toFixed(1)} s` : ''}`, { window, waitMs: Math.max(0, waitMs) });
  if (waitMs > 0) await sleep(waitMs);
}

/**
 * In a synchronized run, waits until the step may act ({@link notBeforeMs}: verify once the
 * fault is live, the main path's rollback once it is over), and says when verify comes after
 * the end. No handler: a stop ends this pod at once, and the exit handler's rollback does not wait.
 */
async function waitForWindow(window: LedgerWindow, record: RecordName, log: StepLogger['log']): Promise<void> {
  const now = Date.now();
  if (record === 'verify' && now >= window.end * 1000) {
    log('warn', `verify comes ${((now - window.end * 1000) / 1000).toFixed(1)} s after the fault window ended at ${isoSeconds(window.end)}: the nodes armed less than ${VERIFY_LEAD_SECONDS} s before the start (raise arm_budget); it checks the rules and their counters, not a live fault`, { window });
    return;
  }
  const notBefore = notBeforeMs(window, record);
  if (notBefore === undefined || notBefore <= now) return;
  log('info', `${record} waits ${((notBefore - now) / 1000).toFixed(1)} s, until ${isoSeconds(notBefore / 1000)}: the fault window is [${isoSeconds(window.start)}, ${isoSeconds(window.end)})`, { window, waitMs: notBefore - now });
  await sleep(notBefore - now);
}

/** Records, for the VMIs of a node whose pod did not succeed, why, where the pod wrote nothing. */
async function recordMissing(
  kube: typeof import('../../kube/index.js'),
  client: InstanceType<typeof import('../../kube/index.js').KubeClient>,
  place: { namespace: string; runId: string },
  scenario: number,
  record: RecordName,
  outcome: NodePodOutcome,
  index: number | undefined,
): Promise<void> {
  const ledger = await kube.readNodeLedger(client, place, scenario, outcome.node);
  const indexes = index === undefined ? ledger.targets.map((_, i) => i) : [index];
  const at = new Date().toISOString();
  const missing = new Map<number, LedgerRecord>(
    indexes.filter((i) => i < ledger.targets.length && ledger.records[i]?.[record] === undefined).map((i) => [i, { ok: false, at, detail: `node pod ${outcome.end}: ${outcome.detail}` }]),
  );
  await kube.writeRecords(client, place, scenario, outcome.node, record, missing);
}

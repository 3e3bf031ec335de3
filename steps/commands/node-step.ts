/**
 * What the node steps (inject, verify, rollback) share: their flags, the target and run id
 * checks, finding the launcher namespace, and the result/log discipline of a step.
 */
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { stepLogger, type StepLogger } from '../../core/log.js';
import { writeResult } from '../result.js';
import type { ZodIssue } from 'zod';
import { targetSchema, type Target } from '../../kube/target.js';
import { addKubeconfigOptions, type KubeconfigFlags } from '../kube-options.js';
import type { Scenario } from '../../scenario/index.js';
import {
  BACKEND_REQUESTS,
  discoverLauncher,
  discoverPinned,
  locateAt,
  namespacesWithIps,
  podNamespaces,
  planRules,
  runIdProblem,
  type BackendRequest,
  type Detection,
  type FilterableBinding,
  type Located,
  type RulePlan,
  type RunTag,
} from '../netfilter/index.js';

/** Parsed flags of inject, verify and rollback. */
export interface NodeStepFlags extends KubeconfigFlags {
  /** One VMI, inline (no ledger). */
  readonly target?: string;
  /** Every VMI of this node in the run's ledger (or the one at --index). */
  readonly node?: string;
  readonly index?: string;
  readonly scenarioNumber: string;
  readonly ledgerNamespace?: string;
  readonly recordAs?: string;
  readonly simulate?: boolean;
  readonly runId: string;
  readonly scenario?: string;
  readonly netns?: string;
  /** Find the launcher among the namespaces the runtime pins here (default: through --proc). */
  readonly netnsDir?: string;
  readonly proc: string;
  readonly backend: BackendRequest;
  readonly out?: string;
}

/** Adds the node-step flags (the contract the generated workflows call) to `command`. */
export function addNodeStepOptions(command: Command): Command {
  return addKubeconfigOptions(command)
    .option('--target <json>', "one VMI: an element of select's --out list, inline JSON (instead of --node)")
    .option('--node <name>', "act on this node's VMIs in the run's ledger, each on its own (instead of --target)")
    .option('--index <i>', "with --node: only the VMI at this index of the node's ledger (a serial step); empty: all")
    .option('--scenario-number <n>', "with --node: the scenario's number in its file (its part of the ledger)", '1')
    .option('--record-as <record>', 'with --node: the ledger record written: the step\'s name (default), or exit-rollback for a rollback in the exit handler')
    .option('--simulate', 'with --node: do everything but touch a network namespace (read the ledger, record a simulated outcome per VMI): fleet benchmarks of the engines')
    .option('--ledger-namespace <ns>', 'with --node: the namespace of the ledger (default: $POD_NAMESPACE, the run\'s)')
    .requiredOption('--run-id <id>', 'run id (workflow uid); scopes every rule')
    .option('--scenario <file|json>', 'scenario file or inline JSON (krkn-hub environment variables apply on top)')
    .option('--netns <path>', "the launcher's network namespace (skips discovery), e.g. /run/netns/NAME")
    .option('--netns-dir <dir>', "find the launcher among the network namespaces the runtime pins in DIR (the node's /var/run/netns), by its pod IP: no host /proc and no SYS_PTRACE needed")
    .option('--proc <dir>', "without --netns-dir: find the launcher through this proc tree (the host's /proc, a hostPath mount in a pod; needs SYS_PTRACE)", '/proc')
    .addOption(new Option('--backend <backend>', 'netfilter backend').choices(BACKEND_REQUESTS).default('auto'))
    .option('--out <file>', 'write the result JSON to FILE');
}

/**
 * The target from `--target`, checked.
 * @throws UsageError (exit 2) listing every problem.
 */
export function parseTarget(json: string, lookup: LauncherLookup): Target {
  return checkTarget(parseJson(json), lookup);
}

function parseJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new UsageError(`--target is not JSON: ${(e as Error).message}`);
  }
}

/** A target that is not one of select's (exit 2 for --target; one VMI's failure with --node). */
export class TargetError extends UsageError {}
TargetError.prototype.name = 'TargetError';

/** The words of one schema issue: ours, not the schema library's. */
function targetIssue(issue: ZodIssue): string {
  const path = issue.path.join('.');
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}; a target has ${Object.keys(targetSchema.shape).join(', ')}`;
    case 'invalid_type':
      if (path === '') return `must be a JSON object (one element of select's output), not ${input === null ? 'null' : Array.isArray(input) ? 'a list' : `a ${typeof input}`}`;
      return input === undefined ? `${path}: is required` : `${path}: must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    case 'invalid_value':
      if (input === undefined) return `${path}: is required`;
      return `${path}: must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      return `${path}: must be at most ${String(issue.maximum)} characters`;
    default:
      // Our own messages: DNS-1123 name, Kubernetes UID, interface name.
      return `${path || '(root)'}: ${issue.message}`;
  }
}

/** How a node step finds the launcher: the flags that decide it. */
export type LauncherLookup = Pick<NodeStepFlags, 'netns' | 'netnsDir'>;

/** A target checked against the schema. @throws TargetError listing every problem. */
export function checkTarget(value: unknown, lookup: LauncherLookup): Target {
  const parsed = targetSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw new TargetError(`--target: ${parsed.error.issues.map(targetIssue).join('; ')}`);
  if (lookup.netns === undefined && lookup.netnsDir !== undefined && parsed.data.launcherPodIPs === undefined) {
    throw new TargetError('--target has no launcherPodIPs, so the launcher cannot be found among the pinned namespaces of --netns-dir; give them, or --netns');
  }
  if (lookup.netns === undefined && lookup.netnsDir === undefined && parsed.data.launcherPodUid === undefined) {
    throw new TargetError('--target has no launcherPodUid, so the launcher cannot be found; give it, or --netns');
  }
  return parsed.data;
}

/** @throws UsageError (exit 2) when the run id is unusable. */
export function checkRunId(runId: string): string {
  const problem = runIdProblem(runId);
  if (problem) throw new UsageError(`--run-id: ${problem}`);
  return runId;
}

/**
 * The namespace given by --netns, or the launcher's found among the pinned namespaces
 * (--netns-dir) or through the proc tree; undefined when it is gone.
 * @throws PinDirError, ProcTreeError, LauncherNotFoundError.
 */
export async function locateLauncher(flags: NodeStepFlags, target: Target, binding: FilterableBinding): Promise<Located | undefined> {
  if (flags.netns !== undefined) return locateAt(flags.netns);
  if (flags.netnsDir !== undefined) return discoverPinned({ dir: flags.netnsDir, podIps: target.launcherPodIPs!, binding });
  return discoverLauncher({ proc: flags.proc, podUid: target.launcherPodUid!, binding });
}

/** The proc tree detection may read (the relay's process), or none: with --netns-dir it reads no process. */
export function detectionProc(flags: NodeStepFlags): string | undefined {
  return flags.netnsDir === undefined ? flags.proc : undefined;
}

/** Where the launcher was looked for, for "has no network namespace" messages. */
export function lookedIn(flags: NodeStepFlags, target: Target): string {
  if (flags.netns !== undefined) return flags.netns;
  if (flags.netnsDir !== undefined) return `no namespace pinned in ${flags.netnsDir} carries pod IP ${target.launcherPodIPs!.join(', ')}`;
  return `pod ${target.launcherPodUid} has no process in ${flags.proc}`;
}

/**
 * Every namespace of the launcher pod, not only one that still looks like a launcher: a VM
 * that stopped leaves its namespace without a tap, but possibly with our rules (rollback).
 * @throws PinDirError, ProcTreeError.
 */
export async function launcherNamespacePaths(flags: NodeStepFlags, target: Target): Promise<string[]> {
  if (flags.netns !== undefined) return locateAt(flags.netns) === undefined ? [] : [flags.netns];
  if (flags.netnsDir !== undefined) return (await namespacesWithIps(flags.netnsDir, target.launcherPodIPs!)).map((n) => n.path);
  return [...podNamespaces(flags.proc, target.launcherPodUid!).values()].map((pids) => `${flags.proc}/${pids[0]}/ns/net`);
}

/**
 * The plan of `scenario` for what `detection` found: what inject applies and verify expects.
 * @throws PlanError.
 */
export function planForScenario(binding: FilterableBinding, detection: Detection, scenario: Scenario, tag: RunTag): RulePlan {
  return planRules({
    binding,
    attachments: detection.selection.attachments,
    ...(detection.relay ? { relayUid: detection.relay.uid } : {}),
    ingress: scenario.ingress,
    egress: scenario.egress,
    ports: scenario.ports,
    protocols: scenario.protocols,
    tag,
  });
}

/** The launcher namespace does not exist (inject and verify need it). */
export class LauncherGoneError extends Error {}
LauncherGoneError.prototype.name = 'LauncherGoneError';

/**
 * Runs step `name`: `body` returns the result JSON, written to --out; a failure is logged and
 * recorded as `{ok: false, error, …its result}` (an error may carry a `result` object) before
 * it propagates to the exit-code handler.
 */
export async function runStep(io: Io, name: string, out: string | undefined, body: (logger: StepLogger) => Promise<Record<string, unknown>>): Promise<void> {
  const logger = stepLogger(io, name);
  try {
    const result = await body(logger);
    writeResult(out, { step: name, ...result });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    logger.log('error', error.message, { error: error.name });
    const extra = (error as { result?: unknown }).result;
    writeResult(out, { step: name, ok: false, error: error.message, ...(typeof extra === 'object' && extra !== null ? extra : {}) });
    throw e;
  }
}

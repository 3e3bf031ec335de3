/**
 * `step select`: lists the scenario's VMIs through the Kubernetes API and writes the targets
 * (the JSON list Argo's withParam and Tekton's matrix fan out over) and the tolerations of the
 * scenario's taints (for the node steps' pods).
 *
 * Exit codes: 0 targets selected (or none, with --allow-empty); 1 nothing selected, or the API
 * failed (RBAC, connection, server errors after retries); 2 bad scenario or flags.
 */
import { randomInt } from 'node:crypto';
import { Command, Option } from 'commander';
import { UsageError } from '../../generator/errors.js';
import type { Io } from '../../generator/io.js';
import { tolerationsFor, type Scenario } from '../../scenario/index.js';
import { stepLogger, type StepLogger } from '../log.js';
import { writeResult } from '../result.js';
import { stepScenario } from '../scenario.js';
import type { ClusterSelection, KubeClient, SelectionCriteria } from '../kube/index.js';
import { argoExecutorProblem, executorImage, type PodContainers } from '../argo-preflight.js';
import { coscheduleProblem, tektonVersionProblem, type PodPlacement } from '../tekton-preflight.js';
import { MAX_SEED } from '../kube/sample.js';

interface SelectOptions {
  readonly scenario?: string;
  readonly seed?: string;
  readonly out?: string;
  readonly tolerationsOut?: string;
  readonly allowEmpty?: boolean;
  readonly engine?: 'argo' | 'tekton';
}

// Log lines for individual VMIs are capped: a 50,000-VMI cluster must not flood the step log.
const MAX_VMI_LINES = 50;

/** The `step select` command. */
export function selectCommand(io: Io): Command {
  return new Command('select')
    .description("list the scenario's VMIs through the Kubernetes API; write the targets (JSON list) for the fan-out")
    .option('--scenario <file|json>', 'krkn scenario file or inline JSON (krkn-hub environment variables apply on top)')
    .option('--seed <n>', 'seed of the instance_count sample, 0-4294967295 (default: random, logged)')
    .option('--out <file>', 'write the JSON list of targets to FILE')
    .option('--tolerations-out <file>', "write the JSON list of tolerations for the scenario's taints to FILE")
    .option('--allow-empty', 'an empty selection is a warning and an empty list, not a failure')
    .addOption(
      new Option('--engine <engine>', 'the workflow engine running this step (reads this pod: POD_NAME, POD_NAMESPACE): refuse, before any fault, an engine version or setting known to break the run').choices(['argo', 'tekton']),
    )
    .action(async (options: SelectOptions) => run(options, io));
}

async function run(options: SelectOptions, io: Io): Promise<void> {
  const scenario = stepScenario(options.scenario, io);
  const seed = parseSeed(options.seed) ?? randomInt(MAX_SEED + 1);
  const log = stepLogger(io, 'select').log;
  // Loaded here, not at the top: @kubernetes/client-node takes ~0.6 s and ~70 MB to load, which
  // every other command (generate, validate, the node steps) would pay for nothing.
  const kube = await import('../kube/index.js');
  const criteria = criteriaOf(scenario);
  const client = new kube.KubeClient({ env: io.env, log });
  log('info', 'selecting VMIs', { server: client.server, ...criteria, seed });

  const selection = await kube.selectVmis(client, { criteria, seed, log });
  logSelection(selection, criteria, seed, log);
  if (selection.targets.length === 0) {
    if (!options.allowEmpty) throw new kube.NoTargetsError(criteria, selection.counts, selection.scope);
    log('warn', `${kube.describeEmptySelection(criteria, selection.counts, selection.scope)}; --allow-empty: continuing with no target`, { counts: selection.counts });
  }
  if (options.engine === 'tekton') await checkTekton(client, io, selection.targets.map((t) => t.node), log);
  if (options.engine === 'argo') await checkArgo(client, io, log);
  writeResult(options.tolerationsOut, tolerationsFor(scenario.taints));
  writeResult(options.out, selection.targets);
}

/** Namespaces Tekton Pipelines is installed in: upstream's, OpenShift Pipelines'. */
const TEKTON_NAMESPACES = ['tekton-pipelines', 'openshift-pipelines'];

/**
 * Refuses (exit 1, before any fault) what would leave the node steps Pending: a Tekton older
 * than 1.3 (from pipelines-info, which Tekton lets every authenticated user read) and an
 * affinity assistant tying the run to select's node while VMIs run elsewhere (select's own pod).
 * What cannot be read is logged and let be: the check must not stop a run that would work.
 */
async function checkTekton(client: KubeClient, io: Io, targetNodes: readonly string[], log: StepLogger['log']): Promise<void> {
  let version: string | undefined;
  for (const ns of TEKTON_NAMESPACES) {
    version = await client.getConfigMapData(ns, 'pipelines-info').then((d) => d.version, () => undefined);
    if (version !== undefined) break;
  }
  if (version === undefined) log('warn', `cannot read Tekton's version (ConfigMap pipelines-info in ${TEKTON_NAMESPACES.join(' or ')}); not checked`);
  const versionProblem = version === undefined ? undefined : tektonVersionProblem(version);
  if (versionProblem) throw new Error(versionProblem);
  const pod = await ownPod(client, io, 'the affinity assistant', log);
  const placement = pod ? coscheduleProblem(pod as PodPlacement, targetNodes) : undefined;
  if (placement) throw new Error(placement);
  log('info', `Tekton ${version ?? '(version unknown)'}: no setting known to break the run`, { tektonVersion: version ?? null });
}

/** Refuses (exit 1, before any fault) an Argo older than 3.6, known by the executor image in this pod. */
async function checkArgo(client: KubeClient, io: Io, log: StepLogger['log']): Promise<void> {
  const pod = await ownPod(client, io, "Argo's version", log);
  if (!pod) return;
  const problem = argoExecutorProblem(pod as PodContainers);
  if (problem) throw new Error(problem);
  log('info', `Argo executor ${executorImage(pod as PodContainers) ?? '(not found)'}: no version known to break the run`);
}

/** This step's own pod (POD_NAME, POD_NAMESPACE), or undefined with a warning that `what` is not checked. */
async function ownPod(client: KubeClient, io: Io, what: string, log: StepLogger['log']): Promise<unknown> {
  const { POD_NAME: name, POD_NAMESPACE: namespace } = io.env;
  if (!name || !namespace) return log('warn', `POD_NAME or POD_NAMESPACE unset: ${what} is not checked`);
  return client.getPod(namespace, name).catch((e: Error) => log('warn', `cannot read this pod (${e.message}): ${what} is not checked`));
}

function criteriaOf(scenario: Scenario): SelectionCriteria {
  return {
    namespace: scenario.namespace,
    target: scenario.target,
    labelSelector: scenario.label_selector,
    instanceCount: scenario.instance_count,
    interfaces: scenario.interfaces,
  };
}

/** @throws UsageError (exit 2) for a seed that is not an integer in 0..max. */
function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) > MAX_SEED) throw new UsageError(`--seed must be an integer from 0 to ${MAX_SEED}, not "${value}"`);
  return Number(value);
}

function logSelection(selection: ClusterSelection, criteria: SelectionCriteria, seed: number, log: StepLogger['log']): void {
  selection.exclusions.slice(0, MAX_VMI_LINES).forEach((e) => {
    log(e.reason === 'unsupported-binding' ? 'warn' : 'info', `left out ${e.namespace}/${e.name}: ${e.detail}`, { vmi: `${e.namespace}/${e.name}`, reason: e.reason });
  });
  if (selection.exclusions.length > MAX_VMI_LINES) {
    log('info', `left out ${selection.exclusions.length - MAX_VMI_LINES} more VMIs (see counts)`, { counts: selection.counts });
  }
  const name = (t: { namespace: string; name: string }): string => `${t.namespace}/${t.name}`;
  if (selection.notChosen.length > 0) {
    const among = selection.counts.eligible === null ? `${selection.counts.candidates} candidate` : `${selection.counts.eligible} eligible`;
    log('info', `instance_count ${criteria.instanceCount}: chose ${selection.targets.length} of ${among} VMIs uniformly at random (seed ${seed}; rerun with --seed ${seed} for the same choice)`, {
      seed,
      chosen: selection.targets.map(name),
      notChosen: selection.notChosen.slice(0, MAX_VMI_LINES).map(name),
      notChosenCount: selection.notChosen.length,
    });
  }
  selection.targets.slice(0, MAX_VMI_LINES).forEach((t) => {
    log('info', `selected ${name(t)} on node ${t.node} (virt-launcher pod ${t.launcherPod}, ${t.binding} binding)`, { target: t });
  });
  selection.notes.slice(0, MAX_VMI_LINES).forEach((n) => log('warn', `${n.namespace}/${n.name}: ${n.note}`, { vmi: `${n.namespace}/${n.name}` }));
  log('info', `selected ${selection.targets.length} VMI${selection.targets.length === 1 ? '' : 's'}`, { counts: selection.counts, seed });
}

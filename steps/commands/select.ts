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
import type { ClusterSelection, SelectionCriteria } from '../kube/index.js';
import { checkEngine, ENGINES, type Engine } from '../preflight/index.js';
import { MAX_SEED } from '../kube/sample.js';

interface SelectOptions {
  readonly scenario?: string;
  readonly seed?: string;
  readonly out?: string;
  readonly tolerationsOut?: string;
  readonly allowEmpty?: boolean;
  readonly engine?: Engine;
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
      new Option('--engine <engine>', 'the workflow engine running this step (reads this pod: POD_NAME, POD_NAMESPACE): refuse, before any fault, an engine version or setting known to break the run').choices(ENGINES),
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
  if (options.engine) await checkEngine(options.engine, client, io, selection.targets.map((t) => t.node), log);
  writeResult(options.tolerationsOut, tolerationsFor(scenario.taints));
  writeResult(options.out, selection.targets);
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

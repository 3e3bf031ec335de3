/**
 * `step select`: lists the scenario's VMIs through the Kubernetes API. With --run-id and --owner
 * it writes the selection to the run ledger (ConfigMaps in the run's namespace, owned by the
 * Workflow or PipelineRun), with the fault window of a synchronized onset, and gives the engine
 * only the serial keys of a serial run (--serial-out: node and index per VMI; the fan-outs read
 * the rest from the ledger). --out writes the whole target list (for a run by hand).
 *
 * Exit codes: 0 targets selected (or none, with --allow-empty); 1 nothing selected, or the API
 * failed (RBAC, connection, server errors after retries), or its answer could not be used (a list
 * that does not end, an answer over 32 MiB or not JSON, a selected VMI carrying a value no API
 * server accepts: kube/ checks every target before anything here is written); 2 bad scenario or
 * flags, or a selection larger than a limit of the ledger.
 */
import { randomInt } from 'node:crypto';
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import type { Scenario } from '../../scenario/index.js';
import { stepLogger, type StepLogger } from '../../core/log.js';
import { writeResult } from '../result.js';
import { stepScenario } from '../scenario.js';
import type { ClusterSelection, SelectionCriteria } from '../../kube/index.js';
import { checkEngine, ENGINES, type Engine } from '../preflight/index.js';
import { MAX_SEED } from '../../kube/sample.js';
import { LEDGER_OBJECT_BUDGET, type LedgerOverflow, type LedgerOwner } from '../../kube/ledger.js';
import { ledgerAddress, ledgerOwner } from '../ledger-options.js';
import type { Target } from '../../kube/target.js';
import { isoSeconds } from '../netfilter/index.js';
import { synchronizedWindow } from '../onset.js';
import { addKubeconfigOptions, kubeconfigChoice, type KubeconfigFlags } from '../kube-options.js';

interface SelectOptions extends KubeconfigFlags {
  readonly scenario?: string;
  readonly seed?: string;
  readonly out?: string;
  readonly allowEmpty?: boolean;
  readonly engine?: Engine;
  readonly runId?: string;
  readonly owner?: string;
  readonly scenarioNumber: string;
  readonly ledgerNamespace?: string;
  readonly serialOut?: string;
}

// Log lines for individual VMIs are capped: a 50,000-VMI cluster must not flood the step log.
const MAX_VMI_LINES = 50;

/** The `step select` command. */
export function selectCommand(io: Io): Command {
  const command = new Command('select')
    .description("list the scenario's VMIs through the Kubernetes API; write the targets (JSON list) for the fan-out")
    .option('--scenario <file|json>', 'krkn scenario file or inline JSON (krkn-hub environment variables apply on top)')
    .option('--seed <n>', 'seed of the instance_count sample, 0-4294967295 (default: random, logged)')
    .option('--out <file>', 'write the JSON list of targets to FILE')
    .option('--allow-empty', 'an empty selection is a warning and an empty list, not a failure')
    .option('--run-id <id>', 'write the selection to the run ledger of this run (the owner\'s uid)')
    .option('--owner <kind/name>', 'with --run-id: the run owning the ledger, Workflow/NAME or PipelineRun/NAME (the ledger is deleted with it)')
    .option('--scenario-number <n>', "with --run-id: the scenario's number in its file", '1')
    .option('--ledger-namespace <ns>', "with --run-id: the ledger's namespace (default: $POD_NAMESPACE, the run's)")
    .option('--serial-out <file>', 'write the JSON list of serial keys, {node, index, uid, vmi} per target in order (index: in its node\'s ledger); [] when execution is parallel')
    .addOption(
      new Option('--engine <engine>', 'the workflow engine running this step: refuse, before any fault, an engine version known to break the run (argo: the executor image in this pod, POD_NAME and POD_NAMESPACE; tekton: the pipelines-info ConfigMap)').choices(ENGINES),
    );
  return addKubeconfigOptions(command).action(async (options: SelectOptions) => run(options, io));
}

async function run(options: SelectOptions, io: Io): Promise<void> {
  const scenario = stepScenario(options.scenario, io);
  const seed = parseSeed(options.seed) ?? randomInt(MAX_SEED + 1);
  const log = stepLogger(io, 'select').log;
  // Loaded here, not at the top: @kubernetes/client-node takes ~0.6 s and ~70 MB to load, which
  // every other command (generate, validate, the node steps) would pay for nothing.
  const kube = await import('../../kube/index.js');
  const criteria = criteriaOf(scenario);
  const client = new kube.KubeClient({ env: io.env, log, ...kubeconfigChoice(options) });
  log('info', 'selecting VMIs', { server: client.server, ...criteria, seed });

  const selection = await kube.selectVmis(client, { criteria, seed, log });
  logSelection(selection, criteria, seed, log);
  if (selection.targets.length === 0) {
    if (!options.allowEmpty) throw new kube.NoTargetsError(criteria, selection.counts, selection.scope);
    log('warn', `${kube.describeEmptySelection(criteria, selection.counts, selection.scope)}; --allow-empty: continuing with no target`, { counts: selection.counts });
  }
  if (options.engine) await checkEngine(options.engine, client, io, log);
  const ledger = ledgerOf(options, io);
  // Fixed last, just before it is written: the arming budget counts from here.
  const window = synchronizedWindow(scenario, new Set(selection.targets.map((t) => t.node)).size, Date.now());
  if (window) {
    log('info', `synchronized onset: every VMI's rules drop traffic from ${isoSeconds(window.start)} to ${isoSeconds(window.end)}, by each node's kernel clock`, {
      window,
      armBudgetSeconds: window.start - Math.ceil(Date.now() / 1000),
      ...(ledger ? {} : { hint: `inject each target with --window-start ${window.start}` }),
    });
  }
  if (ledger) {
    const objects = kube.ledgerObjects(ledger.owner, ledger.scenario, selection.targets, window);
    const overflows = kube.ledgerOverflows(objects);
    if (overflows.length > 0) throw new LedgerLimitError(overflows);
    await kube.writeLedger(client, ledger.namespace, objects);
    log('info', `wrote the run ledger: ${objects.length} ConfigMaps in namespace ${ledger.namespace}`, { objects: objects.length, namespace: ledger.namespace, selector: kube.ledgerSelector(ledger.owner.uid, ledger.scenario) });
  }
  writeResult(options.out, selection.targets);
  // Only a serial run fans out per VMI: a parallel run's engine carries nothing per VMI.
  writeResult(options.serialOut, scenario.execution === 'serial' ? serialKeys(selection.targets) : []);
}

/** Where the ledger goes and whose it is; undefined without --run-id. @throws UsageError. */
function ledgerOf(options: SelectOptions, io: Io): { owner: LedgerOwner; scenario: number; namespace: string } | undefined {
  if (options.runId === undefined) {
    if (options.owner !== undefined) throw new UsageError('--owner needs --run-id');
    return undefined;
  }
  const { namespace, scenario } = ledgerAddress({ ...options, runId: options.runId }, io.env);
  return { owner: ledgerOwner(options.owner, options.runId), scenario, namespace };
}

/** Per target in selection order: its node, its index in that node's ledger, uid and name. */
export function serialKeys(targets: readonly Target[]): { node: string; index: number; uid: string; vmi: string }[] {
  const seen = new Map<string, number>();
  return targets.map((t) => {
    const index = seen.get(t.node) ?? 0;
    seen.set(t.node, index + 1);
    return { node: t.node, index, uid: t.uid, vmi: `${t.namespace}/${t.name}` };
  });
}

/** Some node holds more targets than its ledger object has room for. Exit 2: nothing was faulted. */
export class LedgerLimitError extends Error {
  readonly exitCode = 2;
  constructor(readonly overflows: readonly LedgerOverflow[]) {
    const first = overflows[0]!;
    super(
      `${overflows.length} node(s) hold more selected VMIs than one run ledger object has room for (node ${first.node}: ${first.targets}, at most ${first.max} ` +
        `within ${LEDGER_OBJECT_BUDGET / 1024} KiB, half the API server's ConfigMap limit); select fewer VMIs per run (instance_count, label_selector, target) ` +
        'or split the run by namespace or label',
    );
  }
}
LedgerLimitError.prototype.name = 'LedgerLimitError';

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

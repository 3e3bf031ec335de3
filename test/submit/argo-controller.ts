/**
 * Argo's workflow controller and our step pods, played by a script: builds the `status` Argo
 * writes for the workflows `generate argo` emits (one scenario, serial), node by node: a Retry
 * node per fan-out step with its attempt pod, the hold Suspend node, the vmi-N DAG per target,
 * the `onExit` exit handler (a Steps node: a step group with rollback-1, an exit-rollback-1 Steps
 * node around one fan-out pod for every node, then the report; as the real controller wrote it
 * in test/engines), and the run ledger the steps (the fan-outs' node pods) write
 * (select's parts, then one record per VMI and step). Node names, types, boundaryIDs, children,
 * phases, timestamps and input/output parameters follow what the controller records. A unit
 * fixture of the watcher's pure state model: the real controller and steps run in test/engines.
 */
import { createHash } from 'node:crypto';
import type { ArgoNode, ArgoWorkflow, ArgoWorkflowPhase } from '../../kube/argo-workflow.js';
import type { LedgerView } from '../../submit/run-state.js';
import { ledgerObjects, parseLedgerIndex, parseNodeLedger, recordKey, type RecordName } from '../../kube/ledger.js';
import type { ConfigMapObject } from '../kube/fake-ledger.js';

/** A target as select writes it. */
export interface TestTarget {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly node: string;
  readonly launcherPod: string;
  readonly launcherPodUid: string;
  readonly binding: string;
}

/** A target for VMI `name` in namespace `demo` on `node`. */
export function testTarget(name: string, node: string, binding = 'masquerade'): TestTarget {
  const hex = (salt: string): string => createHash('sha256').update(salt + name).digest('hex').slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  return { namespace: 'demo', name, uid: hex('vmi'), node, launcherPod: `virt-launcher-${name}-abcde`, launcherPodUid: hex('pod'), binding };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type Node = Mutable<ArgoNode>;

/** The controller's view of one run; every method advances the clock by `stepSeconds`. */
export class ArgoController {
  private readonly nodes = new Map<string, Node>();
  private phase: ArgoWorkflowPhase = 'Running';
  private message: string | undefined;
  private finishedAt: string | undefined;
  private clock: number;
  private nextId = 1;
  private readonly started: string;
  /** The run ledger's objects, data written as the steps would. */
  private ledgerParts: { metadata: ConfigMapObject['metadata']; data: Record<string, string> }[] = [];
  /** Target i's node and its index in that node's part. */
  private keys: { node: string; index: number }[] = [];
  /** Targets the exit handler's fan-out has not recorded yet, and whether one failed. */
  private exitPending = new Set<string>();
  private exitFailed = false;

  constructor(
    readonly workflow: ArgoWorkflow,
    private readonly options: { readonly start?: string; readonly stepSeconds?: number; readonly testDuration?: number } = {},
  ) {
    this.clock = Date.parse(options.start ?? '2025-01-01T10:00:00Z');
    this.started = this.now();
    const root = this.add(undefined, this.name, 'DAG', 'main');
    this.add(root, 'scenario-1', 'DAG', 'scenario-1', 'Running');
  }

  private get name(): string {
    return this.workflow.metadata.name!;
  }

  /** The workflow with the status as it is now. */
  snapshot(): ArgoWorkflow {
    const nodes = Object.fromEntries([...this.nodes.values()].map((n) => [n.id, structuredClone(n)]));
    return {
      ...this.workflow,
      status: { phase: this.phase, startedAt: this.started, ...(this.finishedAt ? { finishedAt: this.finishedAt } : {}), ...(this.message ? { message: this.message } : {}), nodes },
    };
  }

  /** The run ledger as the watcher reads it. */
  ledger(): LedgerView {
    return {
      indexes: this.ledgerParts.filter((o) => o.metadata.labels['vmi-network-filter.io/ledger'] === 'index').map((o) => parseLedgerIndex(o.metadata.name, o.data)),
      nodes: this.ledgerParts.filter((o) => o.metadata.labels['vmi-network-filter.io/ledger'] === 'node').map((o) => parseNodeLedger(o.metadata.name, o.data)),
    };
  }

  /** The run ledger as the API server serves it. */
  configMaps(): ConfigMapObject[] {
    return this.ledgerParts.map((o) => structuredClone({ metadata: { ...o.metadata, namespace: this.workflow.metadata.namespace }, data: o.data }));
  }

  /** select ran, chose `targets` and wrote them to the ledger (serial fan-out). */
  select(targets: readonly TestTarget[]): this {
    const scenario = this.byName(`${this.name}.scenario-1`);
    const owner = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: this.name, uid: this.workflow.metadata.uid ?? 'uid-test-run' };
    this.ledgerParts = ledgerObjects(owner, 1, targets as Parameters<typeof ledgerObjects>[2]).map((o) => ({ metadata: o.metadata, data: { ...o.data } }));
    const perNode = new Map<string, number>();
    this.keys = targets.map((t) => {
      const index = perNode.get(t.node) ?? 0;
      perNode.set(t.node, index + 1);
      return { node: t.node, index };
    });
    const keys = targets.map((t, i) => ({ node: t.node, index: this.keys[i]!.index, uid: t.uid, vmi: `${t.namespace}/${t.name}` }));
    this.podStep(scenario, 'select', 'select-1', [], 'Succeeded', [{ name: 'serial', value: JSON.stringify(keys) }]);
    this.add(scenario, 'parallel', 'Skipped', 'nodes-parallel-1', 'Skipped', { message: "when 'serial' == 'parallel' evaluated false" });
    const serial = this.add(scenario, 'serial', 'DAG', 'vmis-serial-1', 'Running');
    const group = this.add(serial, 'vmi', 'TaskGroup', undefined, 'Running', { boundaryID: serial.id });
    keys.forEach((k, i) => {
      this.add(group, `vmi(${i}:${JSON.stringify(k)})`, 'DAG', 'vmi-1', 'Running', {
        boundaryID: serial.id,
        inputs: {
          parameters: [
            { name: 'vmi', value: k.vmi },
            { name: 'node', value: k.node },
            { name: 'index', value: String(k.index) },
            { name: 'uid', value: k.uid },
          ],
        },
      });
    });
    return this;
  }

  /** The step pod of target `i` writes its `record` for `result` (failed when result.ok is false). */
  private writeRecord(i: number, record: RecordName, result: Record<string, unknown>): void {
    const { node, index } = this.keys[i]!;
    const part = this.ledgerParts.find((o) => o.metadata.labels['vmi-network-filter.io/ledger'] === 'node' && o.data.node === node)!;
    const ok = result.ok !== false;
    const data = {
      ...(typeof result.backend === 'string' ? { backend: result.backend } : {}),
      ...(Array.isArray(result.rules) ? { rules: result.rules.length } : {}),
    };
    part.data[recordKey(record, index)] = JSON.stringify({ ok, at: this.now(), detail: typeof result.error === 'string' ? result.error : `${record} done`, data });
  }

  /** Node step `step` of target `i` starts. */
  startStep(i: number, step: 'inject' | 'verify' | 'rollback'): this {
    const branch = this.branch(i);
    this.podStep(branch, step, 'fan-out-1', this.stepInputs(step, branch), 'Running');
    return this;
  }

  /**
   * Node step `step` of target `i` ends with `result` (failed when result.ok is false), recorded
   * in the ledger unless `recorded` is false (a pod that died before writing).
   */
  endStep(i: number, step: 'inject' | 'verify' | 'rollback', result: Record<string, unknown>, recorded = true): this {
    if (recorded) this.writeRecord(i, step, result);
    this.finishPod(`${this.branch(i).name}.${step}`, result);
    return this;
  }

  /** The hold of target `i` starts (a Suspend node with the duration as input). */
  startHold(i: number): this {
    const branch = this.branch(i);
    this.add(branch, 'hold', 'Suspend', 'hold', 'Running', { boundaryID: branch.id, inputs: { parameters: [{ name: 'seconds', value: String(this.options.testDuration ?? 120) }] } });
    return this;
  }

  /** The hold of target `i` ends after test_duration. */
  endHold(i: number): this {
    this.clock += (this.options.testDuration ?? 120) * 1000;
    this.finish(this.byName(`${this.branch(i).name}.hold`), 'Succeeded');
    return this;
  }

  /** Target `i`'s branch DAG completes. */
  endBranch(i: number, phase: 'Succeeded' | 'Failed'): this {
    this.finish(this.branch(i), phase);
    return this;
  }

  /** The main DAG ends and the exit handler starts: one fan-out rolls back every target's node again. */
  startExitHandler(targets: readonly TestTarget[], phase: 'Succeeded' | 'Failed', message?: string): this {
    for (const name of [`${this.name}.scenario-1.serial`, `${this.name}.scenario-1`, this.name]) {
      const node = this.byName(name);
      if (node.phase === 'Running') this.finish(node, phase, message);
    }
    const exit = this.add(undefined, `${this.name}.onExit`, 'Steps', 'cleanup', 'Running');
    const group = this.add(exit, '[0]', 'StepGroup', undefined, 'Running', { boundaryID: exit.id });
    // As the real controller writes it: the rollback inside its exit-rollback-1 Steps node,
    // created in the same reconcile as its pod (the scripted clock does not move for them).
    const clock = this.clock;
    const wrapper = this.add(group, 'rollback-1', 'Steps', 'exit-rollback-1', 'Running', { boundaryID: exit.id });
    const inner = this.add(wrapper, '[0]', 'StepGroup', undefined, 'Running', { boundaryID: wrapper.id });
    this.clock = clock;
    const inputs = [{ name: 'step', value: 'rollback' }, { name: 'record', value: 'exit-rollback' }, { name: 'node', value: '' }, { name: 'index', value: '' }];
    this.podStep(inner, 'rollback', 'fan-out-1', inputs, 'Running', undefined, wrapper.id);
    this.exitPending = new Set(targets.map((t) => `${t.namespace}/${t.name}`));
    this.exitFailed = false;
    return this;
  }

  /**
   * The node pod of `target`'s node records its exit rollback (every target of that node); the
   * fan-out pod ends once every target has a record, failed when any of them failed.
   */
  endExitRollback(target: TestTarget, result: Record<string, unknown>): this {
    this.keys.forEach((k, j) => {
      if (k.node === target.node) this.writeRecord(j, 'exit-rollback', result);
    });
    this.exitPending.delete(`${target.namespace}/${target.name}`);
    this.exitFailed ||= result.ok === false;
    const wrapper = `${this.name}.onExit.[0].rollback-1`;
    if (this.exitPending.size > 0 || this.byName(wrapper).phase !== 'Running') return this;
    const ok = !this.exitFailed;
    this.finishPod(`${wrapper}.[0].rollback`, ok ? {} : { ok: false });
    const clock = this.clock;
    const phase = ok ? 'Succeeded' : 'Failed';
    this.finish(this.byName(`${wrapper}.[0]`), phase);
    this.finish(this.byName(wrapper), phase);
    this.clock = clock;
    return this;
  }

  /** The exit handler's report runs, and the workflow takes its final phase. */
  finishWorkflow(phase: 'Succeeded' | 'Failed', message?: string): this {
    const exit = this.byName(`${this.name}.onExit`);
    this.finish(this.byName(`${this.name}.onExit.[0]`), 'Succeeded');
    const reportGroup = this.add(exit, '[1]', 'StepGroup', undefined, 'Running', { boundaryID: exit.id });
    this.finish(this.add(reportGroup, 'report', 'Pod', 'report', 'Running', { boundaryID: exit.id }), 'Succeeded');
    this.finish(reportGroup, 'Succeeded');
    this.finish(exit, 'Succeeded');
    this.phase = phase;
    this.finishedAt = this.now();
    if (message) this.message = message;
    return this;
  }

  /** Argo's reaction to `spec.shutdown: Stop`: running pods and the hold fail with its message. */
  stop(): this {
    for (const node of this.nodes.values()) {
      if (node.phase === 'Running' && (node.type === 'Pod' || node.type === 'Suspend' || node.type === 'Retry')) this.finish(node, 'Failed', "Stopped with strategy 'Stop'");
    }
    for (const node of this.nodes.values()) if (node.phase === 'Running' && node.type !== 'DAG') this.finish(node, 'Failed');
    return this;
  }

  private branch(i: number): Node {
    const found = [...this.nodes.values()].find((n) => n.templateName === 'vmi-1' && n.displayName?.startsWith(`vmi(${i}:`));
    if (!found) throw new Error(`no branch ${i}: call select() first`);
    return found;
  }

  private stepInputs(step: string, branch: Node): { name: string; value: string }[] {
    const input = (name: string): string => branch.inputs!.parameters!.find((p) => p.name === name)!.value!;
    return [{ name: 'step', value: step }, { name: 'record', value: step }, { name: 'node', value: input('node') }, { name: 'index', value: input('index') }];
  }

  /** A retried step: a Retry node with one attempt pod. */
  private podStep(parent: Node, display: string, template: string, inputs: { name: string; value: string }[], phase: 'Running' | 'Succeeded', outputs?: { name: string; value: string }[], boundaryID = parent.type === 'DAG' ? parent.id : parent.boundaryID): void {
    const retry = this.add(parent, display, 'Retry', template, 'Running', { ...(boundaryID ? { boundaryID } : {}), inputs: { parameters: inputs } });
    const pod = this.add(retry, `${display}(0)`, 'Pod', template, 'Running', { ...(boundaryID ? { boundaryID } : {}), inputs: { parameters: inputs } });
    if (phase === 'Succeeded') {
      pod.outputs = { parameters: outputs ?? [] };
      retry.outputs = { parameters: outputs ?? [] };
      this.finish(pod, 'Succeeded');
      this.finish(retry, 'Succeeded');
    }
  }

  private finishPod(retryName: string, result: Record<string, unknown>): void {
    const retry = this.byName(retryName);
    const pod = this.nodes.get(retry.children![0]!)!;
    const ok = result.ok !== false;
    // Node steps write their outcome to the ledger, not to an output parameter.
    pod.outputs = { exitCode: ok ? '0' : '1' };
    this.finish(pod, ok ? 'Succeeded' : 'Failed', ok ? undefined : 'Error (exit code 1)');
    // On success the controller copies the last attempt's outputs to the Retry node.
    if (ok) retry.outputs = pod.outputs;
    this.finish(retry, ok ? 'Succeeded' : 'Failed', ok ? undefined : 'Error (exit code 1)');
  }

  private add(parent: Node | undefined, display: string, type: string, template: string | undefined, phase: ArgoNode['phase'] = 'Running', extra: Partial<Node> = {}): Node {
    this.clock += (this.options.stepSeconds ?? 2) * 1000;
    const name = parent ? `${parent.type === 'Retry' || parent.type === 'TaskGroup' ? parent.name.replace(/\.[^.(]*(\(.*\))?$/, '') : parent.name}.${display}` : display;
    const node: Node = {
      id: `${this.name}-${1000000 + this.nextId++}`,
      name,
      displayName: parent ? display : this.name,
      type,
      ...(template ? { templateName: template } : {}),
      phase,
      startedAt: this.now(),
      ...extra,
    } as Node;
    // The boundary is the DAG the node's task runs in: the parent when that is a DAG, else the parent's.
    const boundaryID = extra.boundaryID ?? (parent?.type === 'DAG' ? parent.id : parent?.boundaryID);
    if (boundaryID) node.boundaryID = boundaryID;
    if (phase !== 'Running') node.finishedAt = node.startedAt;
    this.nodes.set(node.id, node);
    if (parent) parent.children = [...(parent.children ?? []), node.id];
    return node;
  }

  private finish(node: Node, phase: NonNullable<ArgoNode['phase']>, message?: string): Node {
    this.clock += (this.options.stepSeconds ?? 2) * 1000;
    node.phase = phase;
    node.finishedAt = this.now();
    if (message) node.message = message;
    return node;
  }

  private byName(name: string): Node {
    const node = [...this.nodes.values()].find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  private now(): string {
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

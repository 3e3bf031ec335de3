/**
 * A small Argo Workflows executor for the end-to-end tests: runs a generated Workflow the way the
 * controller would (DAG order, `depends`, `when`, `withParam` fan-out under `parallelism`,
 * `synchronization` mutexes, `suspend`, output parameters and global outputs, `onExit`, `argo
 * stop`), with every container run as a local process by pod-runner.ts exactly as rendered.
 * It implements only what the generator emits and throws on anything else: an unknown template
 * field or type, an unresolved variable, an expression it cannot read.
 */
import { randomUUID } from 'node:crypto';
import { ArgoPods, type ArgoPodHooks } from './argo-pods.js';
import { UnresolvedVariableError, dependsTasks, evaluateDepends, evaluateWhen, substitute, type Phase } from './argo-expressions.js';
import { assessDagPhase, durationSeconds, itemScope } from './argo-values.js';
import type { EmulatedNode, PodEnvironment } from './pod-runner.js';

/** What happened to one node of the run. */
export interface NodeRecord {
  readonly path: string;
  readonly template: string;
  readonly type: 'Pod' | 'DAG' | 'Suspend' | 'TaskGroup' | 'Skipped';
  phase?: Phase;
  readonly startedAt: number;
  finishedAt?: number;
  readonly inputs: Readonly<Record<string, string>>;
  outputs?: Record<string, string>;
  message?: string;
  /** Pods: the argv that ran, exit code, output. */
  pod?: { readonly argv: readonly string[]; readonly code: number | null; readonly stdout: string; readonly stderr: string };
}

/** A hold or wait about to run. */
export interface SuspendInfo {
  readonly template: string;
  readonly path: string;
  readonly seconds: number;
  /** Inputs of the DAG template that called the suspend (the VMI for a hold). */
  readonly callerInputs: Readonly<Record<string, string>>;
}

/** Options of an Argo run. */
export interface ArgoRunOptions extends ArgoPodHooks {
  readonly nodes: readonly EmulatedNode[];
  readonly environment: PodEnvironment;
  /** `argo submit -p name=value` overrides. @default none */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Called when a suspend starts; the suspend lasts until both its duration and this end. */
  readonly onSuspend?: (info: SuspendInfo) => Promise<void>;
}

/** The finished run. */
export interface WorkflowRun {
  readonly uid: string;
  readonly name: string;
  readonly phase: Phase;
  readonly mainPhase: Phase;
  readonly nodes: readonly NodeRecord[];
  readonly globalOutputs: ReadonlyMap<string, string>;
}

type Template = Record<string, any>;
const TEMPLATE_KEYS = new Set(['name', 'inputs', 'outputs', 'dag', 'container', 'suspend', 'parallelism', 'synchronization', 'affinity', 'podSpecPatch', 'retryStrategy', 'serviceAccountName']);
const TASK_KEYS = new Set(['name', 'template', 'arguments', 'depends', 'when', 'withParam']);
const SPEC_KEYS = new Set(['arguments', 'entrypoint', 'onExit', 'podGC', 'serviceAccountName', 'templates', 'ttlStrategy', 'volumes']);

/** Runs one Workflow object; create one executor per run. */
export class ArgoExecutor {
  readonly uid = randomUUID();
  readonly name: string;
  readonly nodes: NodeRecord[] = [];
  private readonly globals = new Map<string, string>();
  private readonly templates = new Map<string, Template>();
  private readonly declaredGlobals = new Set<string>();
  private readonly mutexes = new Map<string, Promise<void>>();
  private readonly pods: ArgoPods;
  private readonly stopListeners = new Set<() => void>();
  private stopping = false;

  constructor(private readonly workflow: Record<string, any>, private readonly options: ArgoRunOptions) {
    if (workflow.kind !== 'Workflow') throw new Error(`only kind Workflow is executed, not ${workflow.kind}`);
    for (const key of Object.keys(workflow.spec)) if (!SPEC_KEYS.has(key)) throw new Error(`spec.${key} is not emulated`);
    this.name = `${workflow.metadata.generateName ?? workflow.metadata.name}${this.uid.slice(0, 5)}`;
    for (const t of workflow.spec.templates as Template[]) {
      for (const key of Object.keys(t)) if (!TEMPLATE_KEYS.has(key)) throw new Error(`template ${t.name}: field ${key} is not emulated`);
      this.templates.set(t.name, t);
      for (const p of t.outputs?.parameters ?? []) if (p.globalName) this.declaredGlobals.add(`workflow.outputs.parameters.${p.globalName}`);
    }
    const overrides = { ...options.parameters };
    for (const p of workflow.spec.arguments?.parameters ?? []) {
      this.globals.set(`workflow.parameters.${p.name}`, overrides[p.name] ?? p.value);
      delete overrides[p.name];
    }
    const unknown = Object.keys(overrides);
    if (unknown.length > 0) throw new Error(`-p ${unknown.join(', ')}: not a workflow parameter`);
    this.globals.set('workflow.uid', this.uid);
    this.globals.set('workflow.name', this.name);
    this.pods = new ArgoPods(workflow.spec.volumes ?? [], options, (k, v) => this.globals.set(k, v));
  }

  /** Runs the entrypoint, then the exit handler. */
  async run(): Promise<WorkflowRun> {
    let mainPhase = await this.runTemplate(this.workflow.spec.entrypoint, {}, this.name, {}, false);
    if (this.stopping) mainPhase = 'Failed';
    this.globals.set('workflow.status', mainPhase === 'Succeeded' ? 'Succeeded' : mainPhase === 'Error' ? 'Error' : 'Failed');
    let phase = mainPhase;
    if (this.workflow.spec.onExit) {
      const exit = await this.runTemplate(this.workflow.spec.onExit, {}, `${this.name}.onExit`, {}, true);
      if (exit !== 'Succeeded' && phase === 'Succeeded') phase = exit;
    }
    return { uid: this.uid, name: this.name, phase, mainPhase, nodes: this.nodes, globalOutputs: new Map([...this.globals].filter(([k]) => k.startsWith('workflow.outputs.'))) };
  }

  /** `argo stop`: no new nodes outside the exit handler, running suspends fail, running pods get SIGTERM. */
  stop(): void {
    this.stopping = true;
    this.pods.terminateAll();
    for (const listener of this.stopListeners) listener();
  }

  private scope(locals: Iterable<[string, string]>): Map<string, string> {
    return new Map([...this.globals, ...locals]);
  }

  private async runTemplate(name: string, inputs: Record<string, string>, path: string, caller: Record<string, string>, inExit: boolean): Promise<Phase> {
    const tmpl = this.templates.get(name);
    if (!tmpl) throw new Error(`${path}: no template ${name}`);
    const declared: string[] = (tmpl.inputs?.parameters ?? []).map((p: { name: string }) => p.name);
    const missing = declared.filter((p) => inputs[p] === undefined);
    const extra = Object.keys(inputs).filter((p) => !declared.includes(p));
    if (missing.length || extra.length) throw new Error(`${path}: inputs missing [${missing}] or undeclared [${extra}]`);
    const type = tmpl.dag ? 'DAG' : tmpl.container ? 'Pod' : tmpl.suspend ? 'Suspend' : undefined;
    if (!type) throw new Error(`template ${name}: no dag, container or suspend`);
    const record: NodeRecord = { path, template: name, type, startedAt: Date.now(), inputs };
    this.nodes.push(record);
    const local = this.scope(Object.entries(inputs).map(([k, v]) => [`inputs.parameters.${k}`, v]));
    const release = await this.lock((tmpl.synchronization?.mutexes ?? []).map((m: { name: string }) => substitute(m.name, local, `${path}.synchronization`)));
    try {
      if (type === 'Suspend') record.phase = await this.suspend(tmpl, local, path, caller, inExit);
      else if (type === 'DAG') record.phase = await this.runDag(tmpl, inputs, local, path, inExit);
      else Object.assign(record, await this.pods.run(tmpl, local, path, inExit));
    } finally {
      release();
    }
    record.finishedAt = Date.now();
    return record.phase!;
  }

  private async lock(names: readonly string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const n of names) {
      const previous = this.mutexes.get(n) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      this.mutexes.set(n, previous.then(() => mine));
      await previous;
      releases.push(release);
    }
    return () => releases.forEach((r) => r());
  }

  private async suspend(tmpl: Template, local: Map<string, string>, path: string, caller: Record<string, string>, inExit: boolean): Promise<Phase> {
    for (const key of Object.keys(tmpl.suspend)) if (key !== 'duration') throw new Error(`${path}: suspend.${key} is not emulated`);
    const seconds = durationSeconds(substitute(String(tmpl.suspend.duration), local, `${path}.suspend.duration`));
    if (this.stopping && !inExit) return 'Failed';
    let onStop!: () => void;
    const stopped = new Promise<'stopped'>((r) => (onStop = () => r('stopped')));
    this.stopListeners.add(onStop);
    const observed = this.options.onSuspend?.({ template: tmpl.name, path, seconds, callerInputs: caller }) ?? Promise.resolve();
    const timed = Promise.all([new Promise((r) => setTimeout(r, seconds * 1000)), observed]);
    const outcome = await Promise.race([timed, stopped]);
    this.stopListeners.delete(onStop);
    // A stop ends a suspended node as Failed; the observer is still awaited so no probe outlives the run.
    if (outcome === 'stopped') await observed;
    return outcome === 'stopped' ? 'Failed' : 'Succeeded';
  }

  private async runDag(tmpl: Template, inputs: Record<string, string>, local: Map<string, string>, path: string, inExit: boolean): Promise<Phase> {
    const tasks: Template[] = tmpl.dag.tasks;
    for (const key of Object.keys(tmpl.dag)) if (key !== 'tasks') throw new Error(`${path}: dag.${key} is not emulated`);
    for (const t of tasks) for (const key of Object.keys(t)) if (!TASK_KEYS.has(key)) throw new Error(`${path}.${t.name}: task field ${key} is not emulated`);
    const deps = new Map(tasks.map((t) => [t.name as string, t.depends ? dependsTasks(t.depends) : []]));
    const phases = new Map<string, Phase>();
    const outputs = new Map<string, string>();
    // A settled task's phase is also the variable {{tasks.<name>.status}} of the later tasks.
    const settle = (name: string, phase: Phase): void => {
      phases.set(name, phase);
      outputs.set(`tasks.${name}.status`, phase);
    };
    const running = new Map<string, Promise<void>>();
    const slots = { free: tmpl.parallelism === undefined ? Infinity : Number(tmpl.parallelism), waiters: [] as (() => void)[], failed: false };
    const acquire = async (): Promise<void> => {
      while (slots.free <= 0) await new Promise<void>((r) => slots.waiters.push(r));
      slots.free--;
    };
    const releaseSlot = (): void => {
      slots.free++;
      slots.waiters.shift()?.();
    };
    const child = async (task: Template, extra: [string, string][], childPath: string): Promise<Phase> => {
      await acquire();
      try {
        // failFast of a DAG with parallelism: once a child failed, no new child starts.
        if ((slots.failed && tmpl.parallelism !== undefined) || (this.stopping && !inExit)) return 'Failed';
        const scope = new Map([...local, ...this.scope([]), ...outputs, ...extra]);
        const args: Record<string, string> = {};
        for (const a of task.arguments?.parameters ?? []) args[a.name] = substitute(String(a.value), scope, `${childPath}.arguments.${a.name}`);
        const phase = await this.runTemplate(task.template, args, childPath, inputs, inExit);
        if (phase === 'Failed' || phase === 'Error') slots.failed = true;
        const produced = this.nodes.find((n) => n.path === childPath)?.outputs ?? {};
        for (const [k, v] of Object.entries(produced)) outputs.set(`tasks.${task.name}.outputs.parameters.${k}`, v);
        return phase;
      } catch (e) {
        if (e instanceof UnresolvedVariableError && this.declaredGlobals.has(e.variable)) {
          // Argo cannot resolve a global that was never set (its step never ran): it errors the node.
          this.nodes.push({ path: childPath, template: task.template, type: 'Skipped', phase: 'Error', startedAt: Date.now(), finishedAt: Date.now(), inputs: {}, message: e.message });
          return 'Error';
        }
        throw e;
      } finally {
        releaseSlot();
      }
    };
    const start = (task: Template): Promise<void> =>
      (async () => {
        const taskPath = `${path}.${task.name}`;
        const scope = new Map([...local, ...this.scope([]), ...outputs]);
        if (task.when !== undefined && !evaluateWhen(substitute(task.when, scope, `${taskPath}.when`))) {
          this.nodes.push({ path: taskPath, template: task.template, type: 'Skipped', phase: 'Skipped', startedAt: Date.now(), finishedAt: Date.now(), inputs: {} });
          settle(task.name, 'Skipped');
          return;
        }
        if (task.withParam === undefined) return void settle(task.name, await child(task, [], taskPath));
        const items = JSON.parse(substitute(task.withParam, scope, `${taskPath}.withParam`)) as unknown[];
        if (!Array.isArray(items)) throw new Error(`${taskPath}: withParam is not a JSON list`);
        const group: NodeRecord = { path: taskPath, template: task.template, type: 'TaskGroup', startedAt: Date.now(), inputs: {} };
        this.nodes.push(group);
        const results = await Promise.all(items.map((item, i) => child(task, itemScope(item), `${taskPath}(${i})`)));
        group.phase = items.length === 0 ? 'Skipped' : results.find((p) => p === 'Error') ?? results.find((p) => p === 'Failed') ?? 'Succeeded';
        group.finishedAt = Date.now();
        settle(task.name, group.phase);
      })();
    for (;;) {
      // Omitting a task can make others ready at once: pass over the tasks until nothing changes.
      for (let changed = true; changed; ) {
        changed = false;
        for (const task of tasks) {
          if (phases.has(task.name) || running.has(task.name)) continue;
          if (!deps.get(task.name)!.every((d) => phases.has(d))) continue;
          if (this.stopping && !inExit) continue; // a stopped workflow schedules nothing new
          if (task.depends && !evaluateDepends(task.depends, (t) => phases.get(t))) {
            this.nodes.push({ path: `${path}.${task.name}`, template: task.template, type: 'Skipped', phase: 'Omitted', startedAt: Date.now(), finishedAt: Date.now(), inputs: {} });
            settle(task.name, 'Omitted');
            changed = true;
            continue;
          }
          running.set(task.name, start(task).finally(() => running.delete(task.name)));
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    if (this.stopping && !inExit) return 'Failed';
    return assessDagPhase(tasks.map((t) => ({ name: t.name, deps: deps.get(t.name)! })), (t) => phases.get(t));
  }
}

/**
 * A small Tekton Pipelines executor for the end-to-end tests: runs a generated PipelineRun of a
 * generated Pipeline as the controller would: tasks once their `runAfter` tasks and the tasks
 * whose results they use are done, `when` expressions (in/notin), `matrix` fan-out over an array
 * result (one TaskRun per value, side by side), `finally` tasks side by side after everything
 * else, `retries`, `$(tasks.status)`, and node pinning from the run's `taskRunSpecs`. TaskRuns
 * run through tekton-taskrun.ts. Anything else is refused.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatedNode, PodEnvironment } from './pod-runner.js';
import { runTaskRun, tektonSubstitute, type StepRun } from './tekton-taskrun.js';

/** A TaskRun (or a pipeline task that did not run). */
export interface TaskRunRecord {
  readonly pipelineTask: string;
  readonly params: Readonly<Record<string, string>>;
  readonly phase: 'Succeeded' | 'Failed' | 'Skipped';
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly node?: string;
  readonly steps: readonly StepRun[];
  readonly reason?: string;
}

/** Options of a PipelineRun. */
export interface TektonRunOptions {
  readonly nodes: readonly EmulatedNode[];
  readonly environment: PodEnvironment;
  /** Called as a TaskRun starts; the TaskRun counts as running until both it and this end. */
  readonly onTaskRun?: (pipelineTask: string, results: (task: string, name: string) => string | string[] | undefined) => Promise<void> | undefined;
}

/** The finished PipelineRun. */
export interface PipelineRunResult {
  readonly uid: string;
  readonly name: string;
  /** Succeeded, Completed (some tasks skipped) or Failed. */
  readonly status: 'Succeeded' | 'Completed' | 'Failed';
  readonly taskRuns: readonly TaskRunRecord[];
}

type Obj = Record<string, any>;
const PIPELINE_TASK_KEYS = new Set(['name', 'taskRef', 'params', 'runAfter', 'when', 'matrix', 'retries', 'timeout']);

/** Runs one PipelineRun; create one executor per run. */
export class TektonExecutor {
  readonly uid = randomUUID();
  readonly name: string;
  readonly taskRuns: TaskRunRecord[] = [];
  private readonly scope = new Map<string, string>();
  private readonly results = new Map<string, Readonly<Record<string, string | string[]>>>();
  private readonly phases = new Map<string, 'Succeeded' | 'Failed' | 'Skipped'>();

  constructor(private readonly tasks: readonly Obj[], private readonly pipeline: Obj, private readonly run: Obj, private readonly options: TektonRunOptions) {
    if (run.spec.pipelineRef?.name !== pipeline.metadata.name) throw new Error(`the PipelineRun references ${run.spec.pipelineRef?.name}, not ${pipeline.metadata.name}`);
    this.name = `${run.metadata.generateName}${this.uid.slice(0, 5)}`;
    const given = new Map<string, string>((run.spec.params ?? []).map((p: Obj) => [p.name, String(p.value)]));
    for (const p of pipeline.spec.params) {
      const value = given.get(p.name) ?? p.default;
      if (value === undefined) throw new Error(`pipeline param ${p.name} has no value`);
      this.scope.set(`params.${p.name}`, value);
      given.delete(p.name);
    }
    if (given.size) throw new Error(`PipelineRun params not declared by the Pipeline: ${[...given.keys()].join(', ')}`);
    this.scope.set('context.pipelineRun.uid', this.uid);
    this.scope.set('context.pipelineRun.name', this.name);
  }

  /** Runs the tasks, then the finally tasks. */
  async execute(): Promise<PipelineRunResult> {
    const tasks: Obj[] = this.pipeline.spec.tasks;
    const running = new Map<string, Promise<void>>();
    for (;;) {
      for (const t of tasks) {
        if (this.phases.has(t.name) || running.has(t.name)) continue;
        const deps = this.dependencies(t);
        if (!deps.every((d) => this.phases.has(d))) continue;
        running.set(t.name, this.runPipelineTask(t, deps).finally(() => running.delete(t.name)));
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    const phases = [...this.phases.values()];
    const failed = phases.includes('Failed');
    this.scope.set('tasks.status', failed ? 'Failed' : phases.includes('Skipped') ? 'Completed' : 'Succeeded');
    await Promise.all((this.pipeline.spec.finally ?? []).map((t: Obj) => this.runPipelineTask(t, [])));
    const finallyFailed = (this.pipeline.spec.finally ?? []).some((t: Obj) => this.phases.get(t.name) === 'Failed');
    const status = failed || finallyFailed ? 'Failed' : phases.includes('Skipped') ? 'Completed' : 'Succeeded';
    return { uid: this.uid, name: this.name, status, taskRuns: this.taskRuns };
  }

  /** runAfter plus every task whose results the task uses (Tekton's implicit ordering). */
  private dependencies(t: Obj): string[] {
    const refs = [...JSON.stringify([t.params, t.when, t.matrix]).matchAll(/\$\(tasks\.([a-z0-9-]+)\.results\./g)].map((m) => m[1]!);
    return [...new Set([...(t.runAfter ?? []), ...refs])];
  }

  private skip(t: Obj, reason: string): void {
    this.phases.set(t.name, 'Skipped');
    this.taskRuns.push({ pipelineTask: t.name, params: {}, phase: 'Skipped', startedAt: Date.now(), finishedAt: Date.now(), steps: [], reason });
  }

  private async runPipelineTask(t: Obj, deps: readonly string[]): Promise<void> {
    for (const key of Object.keys(t)) if (!PIPELINE_TASK_KEYS.has(key)) throw new Error(`pipeline task ${t.name}: ${key} is not emulated`);
    if (deps.some((d) => this.phases.get(d) === 'Failed')) return this.skip(t, 'a parent failed');
    const scope = this.scopeFor(t);
    if (scope === undefined) return this.skip(t, 'a result it uses was never produced');
    for (const w of t.when ?? []) {
      const input = tektonSubstitute(w.input, scope, `${t.name}.when`);
      const values = w.values.map((v: string) => tektonSubstitute(v, scope, `${t.name}.when`));
      if (w.operator !== 'in' && w.operator !== 'notin') throw new Error(`${t.name}: when operator ${w.operator} is not emulated`);
      if (values.includes(input) !== (w.operator === 'in')) return this.skip(t, 'when expressions');
    }
    const task = this.tasks.find((x) => x.metadata.name === t.taskRef.name);
    if (!task) throw new Error(`${t.name}: no Task ${t.taskRef.name}`);
    const base: Record<string, string> = {};
    for (const p of t.params ?? []) base[p.name] = tektonSubstitute(String(p.value), scope, `${t.name}.params.${p.name}`);
    const combos: Record<string, string>[] = [base];
    for (const m of t.matrix?.params ?? []) {
      const ref = /^\$\(tasks\.([a-z0-9-]+)\.results\.([a-z0-9-]+)\[\*\]\)$/.exec(m.value);
      if (!ref) throw new Error(`${t.name}: matrix value ${m.value} is not emulated`);
      const values = this.results.get(ref[1]!)?.[ref[2]!];
      if (!Array.isArray(values)) return this.skip(t, 'a result it uses was never produced');
      combos.splice(0, combos.length, ...combos.flatMap((c) => values.map((v) => ({ ...c, [m.name]: v }))));
    }
    if (t.matrix && combos.length === 0) return this.skip(t, 'matrix over an empty array');
    const outcomes = await Promise.all(combos.map((params) => this.taskRun(t, task, params)));
    this.phases.set(t.name, outcomes.every((o) => o === 'Succeeded') ? 'Succeeded' : 'Failed');
  }

  private async taskRun(t: Obj, task: Obj, params: Record<string, string>): Promise<'Succeeded' | 'Failed'> {
    const node = this.pinnedNode(t.name, params);
    const startedAt = Date.now();
    const observed = this.options.onTaskRun?.(t.name, (task, name) => this.results.get(task)?.[name]) ?? Promise.resolve();
    let outcome!: Awaited<ReturnType<typeof runTaskRun>>;
    for (let attempt = 0; attempt <= Number(t.retries ?? 0); attempt++) {
      outcome = await runTaskRun(task, params, node, this.options.environment, `${t.name}${node ? `[${node.name}]` : ''}`);
      if (outcome.phase === 'Succeeded') break;
    }
    await observed;
    if (outcome.phase === 'Succeeded') this.results.set(t.name, outcome.results);
    this.taskRuns.push({ pipelineTask: t.name, params, phase: outcome.phase, startedAt, finishedAt: Date.now(), ...(node ? { node: node.name } : {}), steps: outcome.steps });
    return outcome.phase;
  }

  private pinnedNode(pipelineTask: string, params: Record<string, string>): EmulatedNode | undefined {
    const spec = (this.run.spec.taskRunSpecs ?? []).find((s: Obj) => s.pipelineTaskName === pipelineTask);
    if (!spec) return undefined;
    const scope = new Map(Object.entries(params).map(([k, v]) => [`params.${k}`, v]));
    const affinity = JSON.parse(tektonSubstitute(JSON.stringify(spec.podTemplate?.affinity ?? {}), scope, `taskRunSpecs.${pipelineTask}`));
    const field = affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0];
    if (field?.key !== 'metadata.name' || field.operator !== 'In' || field.values.length !== 1) throw new Error(`taskRunSpecs.${pipelineTask}: only a node affinity on metadata.name In [one node] is emulated`);
    const node = this.options.nodes.find((n) => n.name === field.values[0]);
    if (!node) throw new Error(`${pipelineTask}: pinned to node "${field.values[0]}", which the emulated cluster does not have`);
    return node;
  }

  /** The scope of a pipeline task: params, context, and the results it references (undefined if one is missing). */
  private scopeFor(t: Obj): Map<string, string> | undefined {
    const scope = new Map(this.scope);
    for (const [task, results] of this.results) {
      for (const [name, value] of Object.entries(results)) {
        if (typeof value === 'string') scope.set(`tasks.${task}.results.${name}`, value);
        else value.forEach((v, i) => scope.set(`tasks.${task}.results.${name}[${i}]`, v));
      }
    }
    const refs = [...JSON.stringify([t.params, t.when]).matchAll(/\$\((tasks\.[a-z0-9-]+\.results\.[^)]+)\)/g)].map((m) => m[1]!);
    return refs.every((r) => scope.has(r)) ? scope : undefined;
  }
}

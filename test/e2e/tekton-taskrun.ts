/**
 * One Tekton TaskRun on the emulated cluster: params checked against the Task's declarations,
 * `$(params…)` and `$(results.<name>.path)` substituted, each step run in order as a pod
 * container (a `script` is written to a file and executed, as Tekton does), results read back
 * from their files. Anything the generated Tasks do not use is refused.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backVolume, startPod, type EmulatedNode, type Mount, type PodEnvironment } from './pod-runner.js';

/** A step that ran. */
export interface StepRun {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The outcome of a TaskRun. */
export interface TaskRunOutcome {
  readonly phase: 'Succeeded' | 'Failed';
  readonly steps: readonly StepRun[];
  /** Results: strings as written, arrays parsed. */
  readonly results: Readonly<Record<string, string | string[]>>;
}

// Tekton's own paths (/tekton/results, /tekton/scripts) live outside any volume's mount path, so
// they are kept apart from /tmp, which the node Tasks mount as an emptyDir.
const TEKTON_DIR = '/run/vnfe-tekton-';
const TASK_KEYS = new Set(['description', 'params', 'results', 'steps', 'volumes']);
const STEP_KEYS = new Set(['name', 'image', 'command', 'args', 'env', 'script', 'securityContext', 'computeResources', 'volumeMounts']);

/**
 * Replaces `$(name)` by `scope[name]`.
 * @throws Error naming the first reference not in scope
 */
export function tektonSubstitute(text: string, scope: ReadonlyMap<string, string>, where: string): string {
  return text.replace(/\$\(([^()]+)\)/g, (_all, name: string) => {
    const value = scope.get(name);
    if (value === undefined) throw new Error(`${where}: unresolved $(${name})`);
    return value;
  });
}

/** Runs `task` with `params` on `node` (undefined: a pod not pinned). */
export async function runTaskRun(task: Record<string, any>, params: Readonly<Record<string, string>>, node: EmulatedNode | undefined, environment: PodEnvironment, where: string): Promise<TaskRunOutcome> {
  const spec = task.spec;
  for (const key of Object.keys(spec)) if (!TASK_KEYS.has(key)) throw new Error(`${where}: Task spec.${key} is not emulated`);
  const declared = new Map<string, { default?: string }>((spec.params ?? []).map((p: { name: string }) => [p.name, p]));
  const undeclared = Object.keys(params).filter((p) => !declared.has(p));
  if (undeclared.length) throw new Error(`${where}: params not declared by ${task.metadata.name}: ${undeclared.join(', ')}`);
  const scope = new Map<string, string>();
  for (const [name, p] of declared) {
    const value = params[name] ?? p.default;
    if (value === undefined) throw new Error(`${where}: param ${name} has no value and no default`);
    scope.set(`params.${name}`, value);
  }
  // Tekton's /tekton/results/<name>, here a directory of this TaskRun.
  const resultsDir = mkdtempSync(`${TEKTON_DIR}results-`);
  chmodSync(resultsDir, 0o777);
  for (const r of spec.results ?? []) scope.set(`results.${r.name}.path`, join(resultsDir, r.name));
  const steps: StepRun[] = [];
  const ephemeral: string[] = [resultsDir];
  try {
    for (const [i, step] of (spec.steps as Record<string, any>[]).entries()) {
      for (const key of Object.keys(step)) if (!STEP_KEYS.has(key)) throw new Error(`${where}: step ${step.name}: ${key} is not emulated`);
      const sub = (t: string, f: string): string => tektonSubstitute(t, scope, `${where}.steps[${i}].${f}`);
      sub(step.image, 'image');
      const uid = Number(step.securityContext?.runAsUser ?? 0);
      const mounts: Mount[] = (step.volumeMounts ?? []).map((m: { name: string; mountPath: string }) => {
        const volume = (spec.volumes ?? []).find((v: { name: string }) => v.name === m.name);
        if (!volume) throw new Error(`${where}: volumeMount ${m.name} names no volume`);
        const backed = { mountPath: m.mountPath, ...backVolume(volume, node, uid) };
        if (backed.ephemeral) ephemeral.push(backed.hostDir);
        return backed;
      });
      const env: Record<string, string> = {};
      for (const e of step.env ?? []) env[e.name] = sub(String(e.value), `env.${e.name}`);
      let command: string[];
      if (step.script !== undefined) {
        if (step.command !== undefined || step.args !== undefined) throw new Error(`${where}: script with command/args is not emulated`);
        const dir = mkdtempSync(`${TEKTON_DIR}script-`);
        ephemeral.push(dir);
        chmodSync(dir, 0o755);
        writeFileSync(join(dir, 'script'), sub(step.script, 'script'), { mode: 0o755 });
        command = [join(dir, 'script')];
      } else command = [...(step.command ?? []), ...(step.args ?? [])].map((a: string, j: number) => sub(a, `argv[${j}]`));
      const run = await startPod({ command, args: [], env, mounts, runAsUser: uid }, environment).done;
      steps.push({ name: step.name, argv: run.argv, env, code: run.code, stdout: run.stdout, stderr: run.stderr });
      if (run.code !== 0) return { phase: 'Failed', steps, results: {} };
    }
    const results: Record<string, string | string[]> = {};
    for (const r of spec.results ?? []) {
      let text: string;
      try {
        text = readFileSync(join(resultsDir, r.name), 'utf8');
      } catch {
        continue; // a result never written: references to it fail where they are used
      }
      results[r.name] = r.type === 'array' ? (JSON.parse(text) as string[]) : text;
    }
    return { phase: 'Succeeded', steps, results };
  } finally {
    for (const d of ephemeral) rmSync(d, { recursive: true, force: true });
  }
}

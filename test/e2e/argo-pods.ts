/**
 * The container templates of a Workflow as pods of the emulated cluster: variables substituted,
 * the node chosen from the template's node affinity, volumes backed, `podSpecPatch` checked to be
 * the JSON Argo would merge, output parameters read from their `valueFrom.path` (and exported
 * when they have a `globalName`), `retryStrategy` applied to Errored pods.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import process from 'node:process';
import { substitute, type Phase } from './argo-expressions.js';
import { backVolume, startPod, translatePath, type EmulatedNode, type Mount, type PodEnvironment } from './pod-runner.js';

/** A pod that just started (a test can kill it). */
export interface PodStart {
  readonly path: string;
  readonly template: string;
  readonly inputs: Readonly<Map<string, string>>;
  readonly child: ChildProcess;
}

/** Hooks into pods. */
export interface ArgoPodHooks {
  readonly onPodStart?: (pod: PodStart) => void;
}

type Template = Record<string, any>;
const CONTAINER_KEYS = new Set(['args', 'command', 'env', 'image', 'resources', 'securityContext', 'volumeMounts']);

/** The pods of one run. */
export class ArgoPods {
  private readonly running = new Set<ChildProcess>();
  private terminated = false;

  constructor(
    private readonly volumes: readonly Record<string, unknown>[],
    private readonly options: ArgoPodHooks & { readonly nodes: readonly EmulatedNode[]; readonly environment: PodEnvironment },
    private readonly setGlobal: (name: string, value: string) => void,
  ) {}

  /** SIGTERM to every running pod outside the exit handler (what a stop does to them). */
  terminateAll(): void {
    this.terminated = true;
    for (const child of this.running) process.kill(-child.pid!, 'SIGTERM');
  }

  /** Runs `tmpl`'s container (with its retries); the fields of its node record. */
  async run(tmpl: Template, scope: Map<string, string>, path: string, inExit: boolean): Promise<{ phase: Phase; outputs?: Record<string, string>; pod?: { argv: string[]; code: number | null; stdout: string; stderr: string }; message?: string }> {
    const c = tmpl.container;
    for (const key of Object.keys(c)) if (!CONTAINER_KEYS.has(key)) throw new Error(`${path}: container.${key} is not emulated`);
    const sub = (text: unknown, field: string): string => substitute(String(text), scope, `${path}.${field}`);
    sub(c.image, 'image');
    if (tmpl.serviceAccountName !== undefined) sub(tmpl.serviceAccountName, 'serviceAccountName');
    if (tmpl.podSpecPatch !== undefined) {
      const patch = JSON.parse(sub(tmpl.podSpecPatch, 'podSpecPatch')) as { tolerations?: unknown };
      if (!Array.isArray(patch.tolerations)) throw new Error(`${path}: podSpecPatch has no tolerations list`);
    }
    const node = this.pinnedNode(tmpl, sub, path);
    const uid = Number(c.securityContext?.runAsUser ?? 0);
    const policy = tmpl.retryStrategy?.retryPolicy;
    if (tmpl.retryStrategy && policy !== 'OnError') throw new Error(`${path}: retryPolicy ${policy} is not emulated`);
    const attempts = 1 + Number(tmpl.retryStrategy?.limit ?? 0);
    let last: Awaited<ReturnType<ArgoPods['attempt']>> | undefined;
    // OnError retries Errored pods only (a container that exits non-zero is Failed, not retried);
    // the backoff delays are not waited for.
    for (let i = 0; i < attempts && (last === undefined || last.phase === 'Error'); i++) {
      if (this.terminated && !inExit) return { phase: 'Failed', message: 'stopped before the pod started' };
      last = await this.attempt(tmpl, sub, path, node, uid, scope);
    }
    return last!;
  }

  private pinnedNode(tmpl: Template, sub: (t: unknown, f: string) => string, path: string): EmulatedNode | undefined {
    if (tmpl.affinity === undefined) return undefined;
    const terms = JSON.parse(sub(JSON.stringify(tmpl.affinity), 'affinity')).nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    const fields = terms?.length === 1 ? terms[0].matchFields : undefined;
    if (fields?.length !== 1 || fields[0].key !== 'metadata.name' || fields[0].operator !== 'In' || fields[0].values.length !== 1) {
      throw new Error(`${path}: only a required node affinity on metadata.name In [one node] is emulated`);
    }
    const node = this.options.nodes.find((n) => n.name === fields[0].values[0]);
    if (!node) throw new Error(`${path}: pinned to node ${fields[0].values[0]}, which the emulated cluster does not have (the pod would stay Pending)`);
    return node;
  }

  private async attempt(tmpl: Template, sub: (t: unknown, f: string) => string, path: string, node: EmulatedNode | undefined, uid: number, scope: Map<string, string>) {
    const c = tmpl.container;
    const mounts: Mount[] = (c.volumeMounts ?? []).map((m: { name: string; mountPath: string }) => {
      const volume = this.volumes.find((v) => v.name === m.name);
      if (!volume) throw new Error(`${path}: volumeMount ${m.name} names no volume`);
      return { mountPath: m.mountPath, ...backVolume(volume, node, uid) };
    });
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value === undefined) throw new Error(`${path}: env ${e.name} without a plain value is not emulated`);
      env[e.name] = sub(e.value, `env.${e.name}`);
    }
    const spec = { command: (c.command ?? []).map((a: string, i: number) => sub(a, `command[${i}]`)), args: (c.args ?? []).map((a: string, i: number) => sub(a, `args[${i}]`)), env, mounts, runAsUser: uid };
    if (spec.command.length === 0) throw new Error(`${path}: a container without command is not emulated (the image entrypoint is unknown here)`);
    const { child, done } = startPod(spec, this.options.environment);
    this.running.add(child);
    this.options.onPodStart?.({ path, template: tmpl.name, inputs: scope, child });
    const run = await done;
    this.running.delete(child);
    const pod = { argv: [...run.argv], code: run.code, stdout: run.stdout, stderr: run.stderr };
    try {
      return this.collect(tmpl, run.code, mounts, pod);
    } finally {
      for (const m of mounts) if (m.ephemeral) rmSync(m.hostDir, { recursive: true, force: true });
    }
  }

  private collect(tmpl: Template, code: number | null, mounts: readonly Mount[], pod: { argv: string[]; code: number | null; stdout: string; stderr: string }) {
    const outputs: Record<string, string> = {};
    for (const p of tmpl.outputs?.parameters ?? []) {
      const file = translatePath(p.valueFrom.path, mounts);
      try {
        outputs[p.name] = readFileSync(file, 'utf8');
      } catch {
        if (p.valueFrom.default === undefined) return { phase: 'Error' as Phase, pod, message: `output ${p.name}: ${p.valueFrom.path} does not exist` };
        outputs[p.name] = p.valueFrom.default;
      }
      if (p.globalName) this.setGlobal(`workflow.outputs.parameters.${p.globalName}`, outputs[p.name]!);
    }
    return { phase: (code === 0 ? 'Succeeded' : 'Failed') as Phase, outputs, pod };
  }
}

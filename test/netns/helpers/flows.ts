/**
 * The flow matrix: every flow a topology offers, what a filter config should do to it, and real
 * TCP/UDP probes (all in parallel, one process per source namespace and uid, 1 s per flow).
 */
import { spawn } from 'node:child_process';
import process from 'node:process';
import { ADDR, ECHO, RELAY_UID, type Role, type Topology } from './topology.js';

export type Kind = 'egress' | 'ingress' | 'collateral';

export interface Flow {
  readonly id: string;
  readonly from: Role;
  readonly uid?: number;
  readonly proto: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
  /** Name of the server that must answer. */
  readonly expect: string;
  /** egress: initiated by the guest; ingress: initiated towards the guest; collateral: never affected. */
  readonly kind: Kind;
}

/** A scenario's filter, as the flows see it. */
export interface FilterConfig {
  readonly ingress: boolean;
  readonly egress: boolean;
  /** Empty = all ports. */
  readonly ports: readonly number[];
  readonly protocols: readonly ('tcp' | 'udp')[];
}

type P = 'tcp' | 'udp';
const pairs = (spec: string): [P, number][] => spec.split(' ').map((s) => s.split('/') as [P, string]).map(([p, n]) => [p, Number(n)]);

/** Every flow of `t`'s binding. */
export function flowsFor(t: Topology): Flow[] {
  const passt = t.binding === 'passt';
  const guest: Role = passt ? 'launcher' : 'guest';
  const guest2: Role = passt ? 'launcher2' : 'guest2';
  const relay = passt ? { uid: RELAY_UID } : {};
  const f: Flow[] = [];
  const add = (kind: Kind, from: Role, extra: object, spec: string, host: string, expect: string, label: string): void => {
    for (const [proto, port] of pairs(spec)) f.push({ id: `${label} ${proto}/${port}`, kind, from, ...extra, proto, host, port, expect });
  };
  add('egress', guest, relay, 'tcp/53 udp/53 tcp/80 udp/80 tcp/443', ADDR.peer4, 'peer', 'guest->peer');
  add('egress', guest, relay, 'tcp/53 udp/53 tcp/443', ADDR.peer6, 'peer', '[v6] guest->peer');
  add('ingress', 'peer', {}, 'tcp/53 udp/53 tcp/80 udp/80 tcp/443', ADDR.pod4, 'guest', 'peer->vm');
  add('ingress', 'peer', {}, 'tcp/53 udp/53 tcp/443', ADDR.pod6, 'guest', '[v6] peer->vm');
  // Zero collateral: an unrelated pod, another VMI's launcher on the same node.
  add('collateral', 'other', {}, 'tcp/53 udp/53', ADDR.peer4, 'peer', 'other-pod->peer');
  add('collateral', 'peer', {}, 'tcp/80', ADDR.other4, 'other', 'peer->other-pod');
  add('collateral', guest2, relay, 'tcp/53 udp/53 tcp/443', ADDR.peer4, 'peer', 'other-vm->peer');
  add('collateral', guest2, relay, 'tcp/53', ADDR.peer6, 'peer', '[v6] other-vm->peer');
  add('collateral', 'peer', {}, 'tcp/53 udp/53 tcp/80', ADDR.pod2v4, 'guest2', 'peer->other-vm');
  if (t.binding !== 'bridge') {
    // The launcher's own traffic (the bridge binding's launcher has no address on the pod network).
    add('collateral', 'launcher', {}, 'tcp/53 udp/53 tcp/80', ADDR.peer4, 'peer', 'launcher-local->peer');
    add('collateral', 'launcher', {}, 'tcp/53', ADDR.peer6, 'peer', '[v6] launcher-local->peer');
  }
  // Guest <-> launcher (DHCP, DNS proxy) is deliberately left alone.
  if (t.binding === 'masquerade') add('collateral', 'guest', {}, 'tcp/53 udp/53', ADDR.vmGateway4, 'launcher', 'guest->launcher');
  return f;
}

/** What `config` should do to `flow`: a guest-initiated flow dies if its request or its replies are dropped. */
export function expectedVerdict(flow: Flow, config: FilterConfig | undefined): 'PASS' | 'BLOCKED' {
  if (config === undefined || flow.kind === 'collateral' || !config.protocols.includes(flow.proto)) return 'PASS';
  const all = config.ports.length === 0;
  const hit = all || config.ports.includes(flow.port);
  const blocked = flow.kind === 'egress' ? (config.egress && hit) || (config.ingress && all) : (config.ingress && hit) || (config.egress && all);
  return blocked ? 'BLOCKED' : 'PASS';
}

export interface ProbeResult {
  readonly id: string;
  readonly status: string;
  readonly detail: string;
  /** When the flow was started (Unix ms). */
  readonly at: number;
  /** How long until its outcome was known (the answer, or the 1 s timeout). */
  readonly ms: number;
}

/** Which flows a matrix probe sends, and when. */
export interface MatrixOptions {
  /** Only the flows of these kinds. @default every flow */
  readonly kinds?: readonly Kind[];
  /** Send no flow before this Unix time (ms); the probe processes start at once and wait. */
  readonly startAt?: number;
  /** Every flow's outcome must be known before this Unix time (ms), else it is reported LATE. */
  readonly observedBy?: number;
}

/**
 * Runs `echo.mjs ARGS` inside the network namespace at `netns` (as `uid` when given) and parses
 * the JSON it prints.
 */
export function echoFrom<T>(netns: string, uid: number | undefined, args: readonly string[]): Promise<T> {
  const argv = [`--net=${netns}`, '--'];
  if (uid !== undefined) argv.push('setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups');
  argv.push(process.execPath, ECHO, ...args);
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`echo.mjs ${args[0]} in ${netns} failed (${code}): ${err || out}`));
      }
    });
  });
}

/**
 * Sends `flows` from inside the network namespace at `netns` (as `uid` when given), not before
 * `startAt` (Unix ms); one probe process, every flow in parallel.
 */
export function probeFrom(netns: string, uid: number | undefined, flows: readonly { id: string; proto: string; host: string; port: number; expect: string }[], startAt?: number): Promise<ProbeResult[]> {
  const args = ['probe', JSON.stringify(flows.map(({ id, proto, host, port, expect }) => ({ id, proto, host, port, expect })))];
  if (startAt !== undefined) args.push(String(Math.round(startAt)));
  return echoFrom<ProbeResult[]>(netns, uid, args);
}

/** Sends every flow for real (not before `startAt`, Unix ms, when given); the observed status by flow id. */
export async function probe(t: Topology, flows: readonly Flow[], startAt?: number): Promise<Map<string, ProbeResult>> {
  const groups = new Map<string, Flow[]>();
  for (const flow of flows) {
    const key = `${flow.from}:${flow.uid ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), flow]);
  }
  const results = await Promise.all([...groups.values()].map((g) => probeFrom(t.path(g[0]!.from), g[0]!.uid, g, startAt)));
  return new Map(results.flat().map((r) => [r.id, r]));
}

/**
 * Probes every flow of `t` (of `options.kinds`) and lists each one whose outcome differs from
 * what `config` asks (undefined: no filter, everything must pass): LEAK, COLLATERAL, or a
 * topology ANOMALY; with `options.observedBy`, also each one whose outcome came later (LATE).
 */
export async function matrixMismatches(t: Topology, config: FilterConfig | undefined, options: MatrixOptions = {}): Promise<string[]> {
  const flows = flowsFor(t).filter((f) => options.kinds?.includes(f.kind) ?? true);
  const observed = await probe(t, flows, options.startAt);
  const out: string[] = [];
  for (const flow of flows) {
    const want = expectedVerdict(flow, config);
    const got = observed.get(flow.id);
    const status = got?.status ?? 'MISSING';
    if (got !== undefined && options.observedBy !== undefined && got.at + got.ms >= options.observedBy) {
      out.push(`LATE: ${flow.id} [${flow.kind}] ${status} known ${got.at + got.ms - options.observedBy} ms after ${new Date(options.observedBy).toISOString()}`);
    }
    if (status === want) continue;
    const what = status === 'PASS' ? 'LEAK' : status === 'BLOCKED' ? 'COLLATERAL' : 'ANOMALY';
    out.push(`${what}: ${flow.id} [${flow.kind}] expected ${want}, got ${status} (${got?.detail ?? ''})`);
  }
  return out;
}

/**
 * The flow matrix of the whole emulated cluster: every VMI's ingress and egress flows (IPv4 and
 * IPv6, TCP and UDP, several ports) and the traffic that must never be touched (an unrelated pod,
 * each launcher's own traffic, a masquerade guest's DHCP/DNS to its launcher). Which flows should
 * be blocked depends on which VMIs are held right now and with which filter.
 */
import { expectedVerdict, probe, type FilterConfig, type Flow } from '../netns/helpers/flows.js';
import { ADDR, RELAY_UID, type Role } from '../netns/helpers/topology.js';
import { vmiKey, type EmulatedCluster, type EmulatedVmi } from './emulated-cluster.js';

type P = 'tcp' | 'udp';
const pairs = (spec: string): [P, number][] => spec.split(' ').map((s) => s.split('/') as [P, string]).map(([p, n]) => [p, Number(n)]);
const V4 = 'tcp/53 udp/53 tcp/80 udp/80 tcp/443';
const V6 = 'tcp/53 udp/53 tcp/443';

/** A flow and the VMI it belongs to (none: collateral). */
export interface ClusterFlow extends Flow {
  readonly vmi?: string;
}

/** The ingress and egress flows of one VMI. */
export function vmiFlows(v: EmulatedVmi): ClusterFlow[] {
  const passt = v.binding === 'passt';
  const launcher: Role = v.slot === 1 ? 'launcher' : 'launcher2';
  // passt: the guest's traffic is the relay's (uid RELAY_UID in the launcher); else the guest namespace.
  const from: Role = passt ? launcher : v.slot === 1 ? 'guest' : 'guest2';
  const extra = passt ? { uid: RELAY_UID } : {};
  const pod4 = v.slot === 1 ? ADDR.pod4 : ADDR.pod2v4;
  const pod6 = v.slot === 1 ? ADDR.pod6 : ADDR.pod2v6;
  const server = v.slot === 1 ? 'guest' : 'guest2';
  const key = vmiKey(v);
  const flows: ClusterFlow[] = [];
  const add = (kind: 'egress' | 'ingress', src: Role, x: object, spec: string, host: string, expect: string, label: string): void => {
    for (const [proto, port] of pairs(spec)) flows.push({ id: `${key} ${label} ${proto}/${port}`, vmi: key, kind, from: src, ...x, proto, host, port, expect });
  };
  add('egress', from, extra, V4, ADDR.peer4, 'peer', 'vm->peer');
  add('egress', from, extra, V6, ADDR.peer6, 'peer', '[v6] vm->peer');
  add('ingress', 'peer', {}, V4, pod4, server, 'peer->vm');
  add('ingress', 'peer', {}, V6, pod6, server, '[v6] peer->vm');
  return flows;
}

/** Flows of a node that no filter may touch. */
export function collateralFlows(t: EmulatedVmi['topology']): ClusterFlow[] {
  const flows: ClusterFlow[] = [];
  const add = (from: Role, spec: string, host: string, expect: string, label: string): void => {
    for (const [proto, port] of pairs(spec)) flows.push({ id: `${t.binding}: ${label} ${proto}/${port}`, kind: 'collateral', from, proto, host, port, expect });
  };
  add('other', 'tcp/53 udp/53', ADDR.peer4, 'peer', 'other-pod->peer');
  add('peer', 'tcp/80', ADDR.other4, 'other', 'peer->other-pod');
  if (t.binding !== 'bridge') {
    // The launchers' own traffic (a bridge launcher has no address on the pod network).
    for (const launcher of ['launcher', 'launcher2'] as const) {
      add(launcher, 'tcp/53 udp/53 tcp/80', ADDR.peer4, 'peer', `${launcher}-local->peer`);
      add(launcher, 'tcp/53', ADDR.peer6, 'peer', `[v6] ${launcher}-local->peer`);
    }
  }
  if (t.binding === 'masquerade') add('guest', 'tcp/53 udp/53', ADDR.vmGateway4, 'launcher', 'guest->launcher');
  return flows;
}

/**
 * Probes every flow of the cluster at once and lists each whose outcome differs from what the
 * `held` filters ask (VMI key → filter; absent: nothing may be blocked): LEAK, COLLATERAL, ANOMALY.
 */
export async function clusterMismatches(cluster: EmulatedCluster, held: ReadonlyMap<string, FilterConfig>): Promise<string[]> {
  const perTopology = cluster.topologies.map((t) => [...cluster.vmis.filter((v) => v.topology === t).flatMap(vmiFlows), ...collateralFlows(t)] as const);
  const observed = await Promise.all(cluster.topologies.map((t, i) => probe(t, perTopology[i]!)));
  const out: string[] = [];
  perTopology.forEach((flows, i) => {
    for (const flow of flows) {
      const want = expectedVerdict(flow, flow.vmi === undefined ? undefined : held.get(flow.vmi));
      const got = observed[i]!.get(flow.id);
      const status = got?.status ?? 'MISSING';
      if (status === want) continue;
      const what = status === 'PASS' ? 'LEAK' : status === 'BLOCKED' ? 'COLLATERAL' : 'ANOMALY';
      out.push(`${what}: ${flow.id} [${flow.kind}] expected ${want}, got ${status} (${got?.detail ?? ''})`);
    }
  });
  return out;
}

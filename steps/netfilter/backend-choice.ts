/**
 * Which backend a run uses. Both see routed traffic (masquerade, passt, slirp); bridged frames
 * reach iptables only through br_netfilter (bridge-nf-call-ip(6)tables=1 in the namespace),
 * while the nftables bridge family always sees them (lab: results/bridge_facts.txt).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import process from 'node:process';
import type { NetnsFacts } from './facts.js';
import type { RulePlan } from './plan.js';

/** What --backend accepts. */
export const BACKEND_REQUESTS = ['auto', 'iptables', 'nftables'] as const;
/** A --backend value. */
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
/** A backend that applies rules. */
export type BackendName = 'iptables' | 'nftables';

/** The requested backend cannot see the traffic, or no usable backend is installed. */
export class BackendUnsuitableError extends Error {}
BackendUnsuitableError.prototype.name = 'BackendUnsuitableError';

/** Which backend tools are installed. */
export interface Tools {
  readonly nft: boolean;
  readonly iptables: boolean;
}

function onPath(command: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The backend tools found on PATH (and in /usr/sbin, /sbin). */
export function installedTools(): Tools {
  return { nft: onPath('nft'), iptables: ['iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save'].every(onPath) };
}

/** The choice, and why. */
export interface BackendChoice {
  readonly backend: BackendName;
  readonly reason: string;
}

/**
 * The backend for `plan` in a namespace with `facts`.
 * `auto` prefers nftables (one transaction for both IP families, sees bridged frames without
 * br_netfilter) and falls back to iptables where that sees the traffic.
 * @throws BackendUnsuitableError instead of choosing a backend that would leak.
 */
export function chooseBackend(request: BackendRequest, plan: Pick<RulePlan, 'layer' | 'binding'>, facts: Pick<NetnsFacts, 'bridgeNfCall'>, tools: Tools): BackendChoice {
  const blind: string[] = [];
  if (plan.layer === 'bridged') {
    if (!facts.bridgeNfCall.ipv4) blind.push('net.bridge.bridge-nf-call-iptables is 0 (or br_netfilter is absent)');
    if (!facts.bridgeNfCall.ipv6) blind.push('net.bridge.bridge-nf-call-ip6tables is 0 (or br_netfilter is absent)');
  }
  const iptablesBlindness = blind.length === 0 ? undefined : `iptables cannot see the ${plan.binding} guest's bridged frames here: ${blind.join('; ')}`;
  if (request === 'nftables' || (request === 'auto' && tools.nft)) {
    if (!tools.nft) throw new BackendUnsuitableError('--backend nftables: nft is not installed');
    return { backend: 'nftables', reason: request === 'auto' ? 'auto: nft is installed and sees every binding\'s traffic' : 'requested' };
  }
  if (!tools.iptables) throw new BackendUnsuitableError(`--backend ${request}: neither nft nor iptables-restore/ip6tables-restore are installed`);
  if (iptablesBlindness !== undefined) {
    throw new BackendUnsuitableError(`${iptablesBlindness}; rules there would leak everything. Use --backend nftables (the bridge family needs no br_netfilter)${request === 'auto' ? ', which is not installed' : ''}`);
  }
  return { backend: 'iptables', reason: request === 'auto' ? 'auto: nft is not installed; iptables sees this traffic' : 'requested' };
}

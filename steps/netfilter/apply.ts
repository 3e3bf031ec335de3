/**
 * Installing a run's plan with the chosen backend: one transaction (nftables: both IP families
 * at once; iptables: one per family, the other undone if one fails).
 */
import type { BackendName } from './backend-choice.js';
import { iptablesApply } from './backend-iptables.js';
import { nftApply } from './backend-nft.js';
import type { Netns } from './netns.js';
import type { RulePlan } from './plan.js';

/** What was applied: for the step's result and log. */
export interface Applied {
  readonly backend: BackendName;
  /** The objects created ("inet vnf_…", "ipv4 VNF-…-FWD"). */
  readonly objects: readonly string[];
  /** The exact texts applied, by transaction. */
  readonly texts: Readonly<Record<string, string>>;
  /** True when this run's objects existed and were replaced (inject re-run). */
  readonly replaced: boolean;
}

/**
 * Applies `plan` in `netns` with `backend`.
 * @throws SpawnError (nothing of the failed transaction is applied), NetnsGoneError.
 */
export async function applyPlan(netns: Netns, plan: RulePlan, backend: BackendName, now: number): Promise<Applied> {
  if (backend === 'nftables') {
    const { rendering, replaced } = await nftApply(netns, plan, now);
    return { backend, objects: [`${rendering.family} ${rendering.table}`], texts: { nft: replaced ? rendering.replace : rendering.create }, replaced };
  }
  const { renderings, replaced } = await iptablesApply(netns, plan);
  return {
    backend,
    objects: renderings.flatMap((r) => r.chains.map((c) => `${r.family} ${c}`)),
    texts: Object.fromEntries(renderings.map((r) => [r.family, [...r.rules.map((x) => `-A ${x.chain} ${x.spec}`), ...r.jumps.map((j) => `-I ${j.builtin} 1 ${j.spec}`)].join('\n')])),
    replaced,
  };
}

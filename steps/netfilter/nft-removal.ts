/**
 * Removing runs from a full `nft -j list ruleset` listing, pure: one `nft -f` text that deletes
 * their nftables tables and, in iptables-nft's `ip filter` / `ip6 filter` tables, the jump rules
 * into their chains (by handle, never by position) and the chains. One kernel transaction for
 * both backends and both IP families: a rollback is never half done, and costs one listing and
 * one commit instead of a save and a restore per family.
 */
import type { NftListing } from './nft-json.js';
import type { RunNames } from './naming.js';

/** The removal of some runs. */
export interface RemovalScript {
  /** Text for `nft -f`; empty when there is nothing to remove. */
  readonly text: string;
  /** What it removes ("inet vnf_…", "ipv4 VNF-…-FWD"). */
  readonly objects: readonly string[];
}

const IPTABLES_FAMILY: Record<string, string> = { ip: 'ipv4', ip6: 'ipv6' };

/** The script removing every object of `runs` found in `listing`, and nothing else. */
export function removalScript(listing: NftListing, runs: readonly RunNames[]): RemovalScript {
  const tables = new Set(runs.map((r) => r.table));
  const chains = new Set(runs.flatMap((r) => r.chains));
  const ours = listing.tables.filter((t) => tables.has(t.name));
  const iptablesChains = listing.chains.filter((c) => c.table === 'filter' && c.family in IPTABLES_FAMILY && chains.has(c.name));
  const jumps = listing.rules.filter(
    (r) => r.table === 'filter' && r.family in IPTABLES_FAMILY && r.handle !== undefined && r.jumpTarget !== undefined && chains.has(r.jumpTarget) && !chains.has(r.chain),
  );
  const lines = [
    // References first: a chain still jumped to cannot be deleted.
    ...jumps.map((r) => `delete rule ${r.family} filter ${r.chain} handle ${r.handle}`),
    ...iptablesChains.flatMap((c) => [`flush chain ${c.family} filter ${c.name}`, `delete chain ${c.family} filter ${c.name}`]),
    ...ours.map((t) => `delete table ${t.family} ${t.name}`),
  ];
  return {
    text: lines.length === 0 ? '' : `${lines.join('\n')}\n`,
    objects: [...ours.map((t) => `${t.family} ${t.name}`), ...iptablesChains.map((c) => `${IPTABLES_FAMILY[c.family]} ${c.name}`)],
  };
}

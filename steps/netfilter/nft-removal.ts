/**
 * Removing runs from a full `nft -j list ruleset` listing, pure: one `nft -f` text that deletes
 * their nftables tables and, in iptables-nft's `ip filter` / `ip6 filter` tables, the jump rules
 * into their chains (by handle, never by position) and the chains. One kernel transaction for
 * both backends and both IP families: a rollback is never half done, and costs one listing and
 * one commit instead of a save and a restore per family.
 */
import type { NftChain, NftListing, NftRule } from './nft-json.js';
import type { BaseMade, RunNames } from './naming.js';

/** The removal of some runs. */
export interface RemovalScript {
  /** Text for `nft -f`; empty when there is nothing to remove. */
  readonly text: string;
  /** What it removes ("inet vnf_…", "ipv4 VNF-…-FWD"). */
  readonly objects: readonly string[];
}

const IPTABLES_FAMILY: Record<string, string> = { ip: 'ipv4', ip6: 'ipv6' };

/** A built-in chain iptables-nft created for a jump of a run being removed (its tag says so). */
export interface MadeBase {
  /** ip or ip6. */
  readonly family: string;
  /** FORWARD, INPUT, OUTPUT. */
  readonly chain: string;
  readonly made: BaseMade;
}

/**
 * The built-in chains and `filter` tables to delete with the runs: those created for their
 * jumps (`made`), and only when nothing else is in them once the runs' objects are gone (no
 * rule, policy still accept; the table: no other chain, no set).
 */
function createdBases(listing: NftListing, made: readonly MadeBase[], jumps: readonly NftRule[], ourChains: readonly NftChain[]): { chains: NftChain[]; tables: string[] } {
  const chains: NftChain[] = [];
  const tables = new Set<string>();
  for (const m of made) {
    const base = listing.chains.find((c) => c.family === m.family && c.table === 'filter' && c.name === m.chain && c.hook !== undefined);
    if (base === undefined || base.policy !== 'accept' || chains.includes(base)) continue;
    if (listing.rules.some((r) => r.family === m.family && r.table === 'filter' && r.chain === m.chain && !jumps.includes(r))) continue;
    chains.push(base);
    if (m.made === 'table') tables.add(m.family);
  }
  const emptied = [...tables].filter(
    (family) =>
      listing.chains.every((c) => c.family !== family || c.table !== 'filter' || chains.includes(c) || ourChains.includes(c)) &&
      !listing.sets.some((x) => x.family === family && x.table === 'filter'),
  );
  return { chains, tables: emptied };
}

/**
 * The script removing every object of `runs` found in `listing`, and nothing else but the
 * built-in chains and tables iptables-nft created for their jumps (`made`, read from the jumps'
 * tags), when those hold nothing else.
 */
export function removalScript(listing: NftListing, runs: readonly RunNames[], made: readonly MadeBase[] = []): RemovalScript {
  const tables = new Set(runs.map((r) => r.table));
  const chains = new Set(runs.flatMap((r) => r.chains));
  const ours = listing.tables.filter((t) => tables.has(t.name));
  const iptablesChains = listing.chains.filter((c) => c.table === 'filter' && c.family in IPTABLES_FAMILY && chains.has(c.name));
  const jumps = listing.rules.filter(
    (r) => r.table === 'filter' && r.family in IPTABLES_FAMILY && r.handle !== undefined && r.jumpTarget !== undefined && chains.has(r.jumpTarget) && !chains.has(r.chain),
  );
  const bases = createdBases(listing, made, jumps, iptablesChains);
  const lines = [
    // References first: a chain still jumped to cannot be deleted.
    ...jumps.map((r) => `delete rule ${r.family} filter ${r.chain} handle ${r.handle}`),
    ...iptablesChains.flatMap((c) => [`flush chain ${c.family} filter ${c.name}`, `delete chain ${c.family} filter ${c.name}`]),
    ...bases.chains.filter((c) => !bases.tables.includes(c.family)).map((c) => `delete chain ${c.family} filter ${c.name}`),
    ...bases.tables.map((family) => `delete table ${family} filter`),
    ...ours.map((t) => `delete table ${t.family} ${t.name}`),
  ];
  return {
    text: lines.length === 0 ? '' : `${lines.join('\n')}\n`,
    objects: [...ours.map((t) => `${t.family} ${t.name}`), ...iptablesChains.map((c) => `${IPTABLES_FAMILY[c.family]} ${c.name}`)],
  };
}

/**
 * Removing runs' rules: their nftables tables and their iptables chains and jumps, in both IP
 * families and with both backends (rollback knows no plan and trusts no record of which backend
 * inject used). Only objects named from the runs' ids are touched.
 */
import { installedTools } from './backend-choice.js';
import { iptablesRemove, iptablesSave, IP_FAMILIES, NFT_FAMILY, objectsIn, runObjects } from './backend-iptables.js';
import { nftOurTables } from './backend-nft.js';
import { NetnsGoneError, type Netns } from './netns.js';
import { parseTag, type RunNames } from './naming.js';
import { parseNftJson, type NftListing } from './nft-json.js';
import { removalScript, type MadeBase } from './nft-removal.js';

/** What a removal found. */
export interface Removal {
  /** Objects removed; empty when none were there (already rolled back, or never injected). */
  readonly removed: readonly string[];
  /** The namespace no longer exists (its rules went with it). */
  readonly gone: boolean;
}

/**
 * Removes every object of `runs` from `netns` in one transaction (one listing, one `nft -f`).
 * Without nft installed, the iptables objects are removed with iptables-restore, one
 * transaction per family. A missing namespace, table or chain is success.
 * @throws SpawnError when a removal the kernel should accept fails.
 */
export async function removeRuns(netns: Netns, runs: readonly RunNames[]): Promise<Removal> {
  try {
    if (!installedTools().nft) {
      const removed = await Promise.all(runs.map((r) => iptablesRemove(netns, r)));
      return { removed: removed.flat(), gone: false };
    }
    const { stdout } = await netns.run(['nft', '-j', 'list', 'ruleset']);
    const listing = parseNftJson(stdout);
    const script = removalScript(listing, runs, await madeBases(netns, listing, runs));
    if (script.text !== '') await netns.run(['nft', '-f', '-'], { input: script.text });
    return { removed: script.objects, gone: false };
  } catch (e) {
    if (e instanceof NetnsGoneError) return { removed: [], gone: true };
    throw e;
  }
}

/**
 * What the tags of the runs' iptables jumps record as created for them. Read with iptables-save
 * (nft 1.0.6 lists xt comments blank), only in families holding a chain of the runs.
 */
async function madeBases(netns: Netns, listing: NftListing, runs: readonly RunNames[]): Promise<MadeBase[]> {
  const chains = new Set(runs.flatMap((r) => r.chains));
  const families = IP_FAMILIES.filter((f) => listing.chains.some((c) => c.family === NFT_FAMILY[f] && c.table === 'filter' && chains.has(c.name)));
  const found = await Promise.all(
    families.map(async (family) =>
      objectsIn(await iptablesSave(netns, family), (c) => chains.has(c)).jumps.flatMap((j) => {
        const made = j.comment === undefined ? undefined : parseTag(j.comment)?.made;
        return made ? [{ family: NFT_FAMILY[family], chain: j.chain, made }] : [];
      }),
    ),
  );
  return found.flat();
}

/** Removes run `names` from `netns`; see {@link removeRuns}. */
export function removeRun(netns: Netns, names: RunNames): Promise<Removal> {
  return removeRuns(netns, [names]);
}

/**
 * The objects of run `names` present in `netns` ("inet vnf_…", "ipv4 VNF-…-FWD"), read from
 * the kernel: what a step may claim is (not) installed. Empty when the namespace is gone.
 * @throws SpawnError when the listing fails.
 */
export async function presentObjects(netns: Netns, names: RunNames): Promise<string[]> {
  try {
    const tables = installedTools().nft ? (await nftOurTables(netns)).filter((t) => t.name === names.table).map((t) => `${t.family} ${t.name}`) : [];
    const chains = await Promise.all(IP_FAMILIES.map(async (family) => runObjects(await iptablesSave(netns, family), names).chains.map((c) => `${family} ${c}`)));
    return [...tables, ...chains.flat()];
  } catch (e) {
    if (e instanceof NetnsGoneError) return [];
    throw e;
  }
}

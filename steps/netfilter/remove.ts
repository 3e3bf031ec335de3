/**
 * Removing runs' rules: their nftables tables and their iptables chains and jumps, in both IP
 * families and with both backends (rollback knows no plan and trusts no record of which backend
 * inject used). Only objects named from the runs' ids are touched.
 */
import { installedTools } from './backend-choice.js';
import { iptablesRemove, iptablesSave, IP_FAMILIES, runObjects } from './backend-iptables.js';
import { nftOurTables } from './backend-nft.js';
import { NetnsGoneError, type Netns } from './netns.js';
import type { RunNames } from './naming.js';
import { parseNftJson } from './nft-json.js';
import { removalScript } from './nft-removal.js';

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
    const script = removalScript(parseNftJson(stdout), runs);
    if (script.text !== '') await netns.run(['nft', '-f', '-'], { input: script.text });
    return { removed: script.objects, gone: false };
  } catch (e) {
    if (e instanceof NetnsGoneError) return { removed: [], gone: true };
    throw e;
  }
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

/**
 * Removing one run's rules: its nftables tables and its iptables chains and jumps, in both IP
 * families and with both backends (rollback knows no plan and trusts no record of which backend
 * inject used). Only objects named from this run id are touched.
 */
import { iptablesRemove } from './backend-iptables.js';
import { nftRemove } from './backend-nft.js';
import { NetnsGoneError, type Netns } from './netns.js';
import type { RunNames } from './naming.js';

/** What a removal found. */
export interface Removal {
  /** Objects removed; empty when none were there (already rolled back, or never injected). */
  readonly removed: readonly string[];
  /** The namespace no longer exists (its rules went with it). */
  readonly gone: boolean;
}

/**
 * Removes run `names` from `netns`. A missing namespace, table or chain is success.
 * @throws SpawnError when a removal the kernel should accept fails.
 */
export async function removeRun(netns: Netns, names: RunNames): Promise<Removal> {
  try {
    const [nft, ipt] = await Promise.all([nftRemove(netns, names), iptablesRemove(netns, names)]);
    return { removed: [...nft, ...ipt], gone: false };
  } catch (e) {
    if (e instanceof NetnsGoneError) return { removed: [], gone: true };
    throw e;
  }
}

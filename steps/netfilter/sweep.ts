/**
 * Sweeping a namespace: removing the rule sets of every run (ours, by name and tag) whose expiry
 * has passed: the leftovers of runs whose rollback never happened. Nothing else is touched; an
 * object of ours without a readable tag is kept and reported.
 */
import { iptablesRemoveObjects, iptablesSave, IP_FAMILIES, isOurChain, objectsIn } from './backend-iptables.js';
import { nftDeleteTables, nftOurTables, nftTableTag } from './backend-nft.js';
import { NetnsGoneError, type Netns } from './netns.js';
import { parseTag } from './naming.js';

/** One run's objects found by a sweep. */
export interface SweptRun {
  readonly runId: string;
  readonly expiresAt: number;
  readonly objects: readonly string[];
}

/** What a sweep of one namespace did. */
export interface SweepReport {
  readonly removed: readonly SweptRun[];
  readonly kept: readonly SweptRun[];
  /** Objects of ours whose tag could not be read (kept). */
  readonly untagged: readonly string[];
  readonly gone: boolean;
}

function record(runs: Map<string, SweptRun>, runId: string, expiresAt: number, object: string): void {
  const run = runs.get(runId);
  runs.set(runId, { runId, expiresAt: Math.max(expiresAt, run?.expiresAt ?? 0), objects: [...(run?.objects ?? []), object] });
}

/**
 * Removes from `netns` every run of ours whose expiry is at or before `now` (Unix seconds).
 * @throws SpawnError when a removal fails.
 */
export async function sweepNetns(netns: Netns, now: number): Promise<SweepReport> {
  const removed = new Map<string, SweptRun>();
  const kept = new Map<string, SweptRun>();
  const untagged: string[] = [];
  try {
    const tables = await nftOurTables(netns);
    const expired = [];
    for (const table of tables) {
      const tag = await nftTableTag(netns, table);
      const name = `${table.family} ${table.name}`;
      if (tag === undefined) untagged.push(name);
      else if (tag.expiresAt <= now) {
        expired.push(table);
        record(removed, tag.runId, tag.expiresAt, name);
      } else record(kept, tag.runId, tag.expiresAt, name);
    }
    await nftDeleteTables(netns, expired);

    for (const family of IP_FAMILIES) {
      const saved = await iptablesSave(netns, family);
      const ours = objectsIn(saved, isOurChain);
      // A chain expires when every jump into it carries an expired tag of ours.
      const expiredChains = ours.chains.filter((chain) => {
        const tags = ours.jumps.filter((j) => j.target === chain).map((j) => (j.comment === undefined ? undefined : parseTag(j.comment)));
        const name = `${family} ${chain}`;
        if (tags.length === 0 || tags.some((t) => t === undefined)) {
          untagged.push(name);
          return false;
        }
        const latest = Math.max(...tags.map((t) => t!.expiresAt));
        record(latest <= now ? removed : kept, tags[0]!.runId, latest, name);
        return latest <= now;
      });
      await iptablesRemoveObjects(netns, family, objectsIn(saved, (c) => expiredChains.includes(c)));
    }
  } catch (e) {
    if (e instanceof NetnsGoneError) return { removed: [], kept: [], untagged: [], gone: true };
    throw e;
  }
  return { removed: [...removed.values()], kept: [...kept.values()], untagged, gone: false };
}

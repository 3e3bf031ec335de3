/**
 * Sweeping a namespace: removing the rule sets of every run (ours, by name and tag) whose expiry
 * has passed: the leftovers of runs whose rollback never happened. Nothing else is touched; an
 * object of ours without a readable tag is kept and reported.
 */
import { iptablesSave, IP_FAMILIES, isOurChain, objectsIn } from './backend-iptables.js';
import { nftOurTables, nftTableTag } from './backend-nft.js';
import { NetnsGoneError, type Netns } from './netns.js';
import { parseTag, runNames, type RunTag } from './naming.js';
import { removeRuns } from './remove.js';

/** One run's objects found by a sweep. */
export interface SweptRun {
  readonly runId: string;
  /** The latest expiry among the run's tags. */
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

/** Every tagged object of ours in `netns`, by run id; untagged ones apart. */
async function collect(netns: Netns): Promise<{ runs: Map<string, SweptRun>; untagged: string[] }> {
  const runs = new Map<string, SweptRun>();
  const untagged: string[] = [];
  const add = (tag: RunTag | undefined, object: string): void => {
    if (tag === undefined) return void untagged.push(object);
    const run = runs.get(tag.runId);
    runs.set(tag.runId, { runId: tag.runId, expiresAt: Math.max(tag.expiresAt, run?.expiresAt ?? 0), objects: [...(run?.objects ?? []), object] });
  };
  for (const table of await nftOurTables(netns)) add(await nftTableTag(netns, table), `${table.family} ${table.name}`);
  for (const family of IP_FAMILIES) {
    // Tags live in the jumps' comments, which only iptables-save shows (nft prints xt comments blank).
    const ours = objectsIn(await iptablesSave(netns, family), isOurChain);
    for (const chain of ours.chains) {
      const tags = ours.jumps.filter((j) => j.target === chain).map((j) => (j.comment === undefined ? undefined : parseTag(j.comment)));
      const runIds = new Set(tags.map((t) => t?.runId));
      // A chain no tagged jump (or jumps of several runs) leads to cannot be dated: keep it.
      add(runIds.size === 1 && tags[0] !== undefined && tags.every(Boolean) ? { ...tags[0], expiresAt: Math.max(...tags.map((t) => t!.expiresAt)) } : undefined, `${family} ${chain}`);
    }
  }
  return { runs, untagged };
}

/**
 * Removes from `netns` every run of ours whose expiry is at or before `now` (Unix seconds), in
 * one transaction.
 * @throws SpawnError when a removal fails.
 */
export async function sweepNetns(netns: Netns, now: number): Promise<SweepReport> {
  try {
    const { runs, untagged } = await collect(netns);
    const expired = [...runs.values()].filter((r) => r.expiresAt <= now);
    if (expired.length > 0) await removeRuns(netns, expired.map((r) => runNames(r.runId)));
    return { removed: expired, kept: [...runs.values()].filter((r) => r.expiresAt > now), untagged, gone: false };
  } catch (e) {
    if (e instanceof NetnsGoneError) return { removed: [], kept: [], untagged: [], gone: true };
    throw e;
  }
}

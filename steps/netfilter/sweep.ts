/**
 * Sweeping a namespace: removing the rule sets of every run (ours, by name, tag and layout)
 * whose expiry has passed: the leftovers of runs whose rollback never happened. Nothing else is
 * touched; an object of ours without a readable tag is kept and reported, and so is an object
 * whose tag is not borne out by its name or its layout (a forged or foreign tag): a tag is text
 * anyone can write, the name a run's objects get from the hash of its id is what we create.
 */
import { iptablesSave, IP_FAMILIES, isOurChain, objectsIn } from './backend-iptables.js';
import { nftOurTables, nftTableTag } from './backend-nft.js';
import { NetnsGoneError, type Netns } from './netns.js';
import { parseNftJson, type NftTable } from './nft-json.js';
import { parseTag, runNames, type RunTag } from './naming.js';
import { removeRuns } from './remove.js';
import { FIRST_DROP_SET, LAST_DROP_SET, PROTOCOL_SET } from './render-nft.js';

/** One run's objects found by a sweep. */
export interface SweptRun {
  readonly runId: string;
  /** The latest expiry among the run's tags. */
  readonly expiresAt: number;
  readonly objects: readonly string[];
}

/** An object named like ours whose tag its name or layout belies: never touched. */
export interface ForeignObject {
  readonly object: string;
  /** Why it is not taken for ours. */
  readonly reason: string;
}

/** What a sweep of one namespace did. */
export interface SweepReport {
  /** Runs whose objects were removed, each with exactly the objects the transaction deleted. */
  readonly removed: readonly SweptRun[];
  readonly kept: readonly SweptRun[];
  /** Objects of ours whose tag could not be read (kept). */
  readonly untagged: readonly string[];
  /** Objects named like ours whose tag does not match what we create (kept, untouched). */
  readonly foreign: readonly ForeignObject[];
  readonly gone: boolean;
}

const OUR_CHAINS = new Set(['forward', 'input', 'output']);
const OUR_SETS = new Set([PROTOCOL_SET, FIRST_DROP_SET, LAST_DROP_SET]);

/**
 * Why the table `table`, tagged `tag`, is not one we created, or undefined when it is: its name
 * is the hash of the tag's run id, and it holds only base chains named after their hooks and our
 * sets.
 */
async function nftTableProblem(netns: Netns, table: NftTable, tag: RunTag): Promise<string | undefined> {
  if (table.name !== runNames(tag.runId).table) return `its tag names run ${tag.runId}, whose table is ${runNames(tag.runId).table}`;
  const { stdout } = await netns.run(['nft', '-j', 'list', 'table', table.family, table.name]);
  const listing = parseNftJson(stdout);
  const chain = listing.chains.find((c) => !OUR_CHAINS.has(c.name) || c.hook !== c.name);
  if (chain !== undefined) return `it holds chain ${chain.name}, which we never create`;
  const set = listing.sets.find((s) => !OUR_SETS.has(s.name));
  if (set !== undefined) return `it holds set ${set.name}, which we never create`;
  return undefined;
}

/** Every tagged object of ours in `netns`, by run id; untagged and foreign ones apart. */
async function collect(netns: Netns): Promise<{ runs: Map<string, SweptRun>; untagged: string[]; foreign: ForeignObject[] }> {
  const runs = new Map<string, SweptRun>();
  const untagged: string[] = [];
  const foreign: ForeignObject[] = [];
  const add = (tag: RunTag | undefined, object: string): void => {
    if (tag === undefined) return void untagged.push(object);
    const run = runs.get(tag.runId);
    runs.set(tag.runId, { runId: tag.runId, expiresAt: Math.max(tag.expiresAt, run?.expiresAt ?? 0), objects: [...(run?.objects ?? []), object] });
  };
  for (const table of await nftOurTables(netns)) {
    const object = `${table.family} ${table.name}`;
    const tag = await nftTableTag(netns, table);
    const problem = tag === undefined ? undefined : await nftTableProblem(netns, table, tag);
    if (problem === undefined) add(tag, object);
    else foreign.push({ object, reason: problem });
  }
  for (const family of IP_FAMILIES) {
    // Tags live in the jumps' comments, which only iptables-save shows (nft prints xt comments blank).
    const ours = objectsIn(await iptablesSave(netns, family), isOurChain);
    for (const chain of ours.chains) {
      const object = `${family} ${chain}`;
      const tags = ours.jumps.filter((j) => j.target === chain).map((j) => (j.comment === undefined ? undefined : parseTag(j.comment)));
      const runIds = new Set(tags.map((t) => t?.runId));
      // A chain no tagged jump (or jumps of several runs) leads to cannot be dated: keep it.
      if (!(runIds.size === 1 && tags[0] !== undefined && tags.every(Boolean))) {
        add(undefined, object);
        continue;
      }
      const tag = tags[0];
      if (!runNames(tag.runId).chains.includes(chain)) {
        foreign.push({ object, reason: `its tag names run ${tag.runId}, whose chains are ${runNames(tag.runId).chains.join(', ')}` });
        continue;
      }
      add({ ...tag, expiresAt: Math.max(...tags.map((t) => t!.expiresAt)) }, object);
    }
  }
  return { runs, untagged, foreign };
}

/**
 * Removes from `netns` every run of ours whose expiry is at or before `now` (Unix seconds), in
 * one transaction. Reports as removed only what the transaction deleted.
 * @throws SpawnError when a removal fails.
 */
export async function sweepNetns(netns: Netns, now: number): Promise<SweepReport> {
  try {
    const { runs, untagged, foreign } = await collect(netns);
    const expired = [...runs.values()].filter((r) => r.expiresAt <= now);
    const deleted = new Set(expired.length === 0 ? [] : (await removeRuns(netns, expired.map((r) => runNames(r.runId)))).removed);
    const removed = expired.map((r) => ({ ...r, objects: r.objects.filter((o) => deleted.has(o)) })).filter((r) => r.objects.length > 0);
    return { removed, kept: [...runs.values()].filter((r) => r.expiresAt > now), untagged, foreign, gone: false };
  } catch (e) {
    if (e instanceof NetnsGoneError) return { removed: [], kept: [], untagged: [], foreign: [], gone: true };
    throw e;
  }
}

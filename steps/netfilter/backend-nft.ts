/**
 * The nftables backend: a run is one table (`inet`, or `bridge` for bridged guests), applied
 * and replaced with `nft -f`, each one kernel transaction: never half installed. (Removal of
 * both backends' objects is remove.ts.)
 */
import type { Netns } from './netns.js';
import { parseNftJson, parseTableComment, parseTableList, type NftListing, type NftTable } from './nft-json.js';
import { parseTag, TABLE_PREFIX, type RunNames, type RunTag } from './naming.js';
import type { RulePlan } from './plan.js';
import { renderNft, type NftRendering } from './render-nft.js';
import { SpawnError } from './spawn.js';

/** What an apply did. */
export interface NftApplied {
  readonly rendering: NftRendering;
  /** True when a table of this run existed and was replaced (inject re-run). */
  readonly replaced: boolean;
}

/**
 * Installs `plan` as one table; replaces this run's table when it exists (idempotent re-run).
 * @throws SpawnError when nft rejects the rules (nothing is applied then).
 */
export async function nftApply(netns: Netns, plan: RulePlan, now: number): Promise<NftApplied> {
  const rendering = renderNft(plan, now);
  try {
    await netns.run(['nft', '-f', '-'], { input: rendering.create });
    return { rendering, replaced: false };
  } catch (e) {
    if (!(e instanceof SpawnError && /File exists/.test(e.stderr))) throw e;
  }
  await netns.run(['nft', '-f', '-'], { input: rendering.replace });
  return { rendering, replaced: true };
}

/** Every table of ours (any run) in the namespace. */
export async function nftOurTables(netns: Netns): Promise<NftTable[]> {
  const { stdout } = await netns.run(['nft', 'list', 'tables']);
  return parseTableList(stdout).filter((t) => t.name.startsWith(TABLE_PREFIX));
}

/** This run's table as listed, or undefined when it has none. */
export async function nftListRun(netns: Netns, names: RunNames): Promise<{ table: NftTable; listing: NftListing } | undefined> {
  const table = (await nftOurTables(netns)).find((t) => t.name === names.table);
  if (table === undefined) return undefined;
  const { stdout } = await netns.run(['nft', '-j', 'list', 'table', table.family, table.name]);
  return { table, listing: parseNftJson(stdout) };
}

/** The tag of one of our tables (its comment), or undefined when it carries none. */
export async function nftTableTag(netns: Netns, table: NftTable): Promise<RunTag | undefined> {
  const { stdout } = await netns.run(['nft', 'list', 'table', table.family, table.name]);
  const comment = parseTableComment(stdout);
  return comment === undefined ? undefined : parseTag(comment);
}

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

/** A text listing of a table and when it was read. */
export interface NftTableText {
  readonly text: string;
  /**
   * Unix ms: the middle of the nft call, so within half its run time (measured: a few ms) of
   * the kernel's dump, which the set elements' timers count from.
   */
  readonly readAtMs: number;
}

/**
 * The text listing of one of our tables: it holds what the JSON lacks in nft 1.0.6, the table's
 * comment and set timers to the millisecond.
 */
export async function nftTableText(netns: Netns, table: NftTable): Promise<NftTableText> {
  const before = Date.now();
  const { stdout } = await netns.run(['nft', 'list', 'table', table.family, table.name]);
  return { text: stdout, readAtMs: (before + Date.now()) / 2 };
}

/** The tag in a table's text listing, or undefined when the table carries none. */
export function tagOfTableText(text: string): RunTag | undefined {
  const comment = parseTableComment(text);
  return comment === undefined ? undefined : parseTag(comment);
}

/** The tag of one of our tables (its comment), or undefined when it carries none. */
export async function nftTableTag(netns: Netns, table: NftTable): Promise<RunTag | undefined> {
  return tagOfTableText((await nftTableText(netns, table)).text);
}

/**
 * The iptables backend: a run is a set of dedicated chains per IP family plus tagged jump rules,
 * applied and removed with `iptables-restore --noflush` / `ip6tables-restore --noflush`, one
 * transaction per family. When one family fails, the other is undone before the error surfaces.
 */
import { installedTools } from './backend-choice.js';
import type { Netns } from './netns.js';
import { CHAIN_PREFIX, parseTag, type BaseMade, type RunNames } from './naming.js';
import { parseNftJson } from './nft-json.js';
import type { RulePlan } from './plan.js';
import { parseIptablesSave, type SavedTable } from './iptables-save.js';
import { createText, removeText, renderIptables, replaceText, type IpFamily, type IptablesObjects, type IptablesRendering, type MadeFor } from './render-iptables.js';
import { SpawnError } from './spawn.js';

/** The families every run covers, each its own transaction (iptables, ip6tables). */
export const IP_FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];
const TOOL: Record<IpFamily, string> = { ipv4: 'iptables', ipv6: 'ip6tables' };
const BUILTINS = ['INPUT', 'FORWARD', 'OUTPUT'];

/** The filter table of `family`, with counters. */
export async function iptablesSave(netns: Netns, family: IpFamily): Promise<SavedTable> {
  const { stdout } = await netns.run([`${TOOL[family]}-save`, '-c', '-t', 'filter']);
  return parseIptablesSave(stdout);
}

async function restore(netns: Netns, family: IpFamily, text: string): Promise<void> {
  await netns.run([`${TOOL[family]}-restore`, '--noflush'], { input: text });
}

/** The objects in `saved` whose chains satisfy `ours`, and the jumps into them. */
export function objectsIn(saved: SavedTable, ours: (chain: string) => boolean): IptablesObjects {
  return {
    chains: saved.chains.filter(ours),
    jumps: saved.rules.filter((r) => BUILTINS.includes(r.chain) && r.target !== undefined && ours(r.target)),
  };
}

/** This run's objects in `saved`. */
export function runObjects(saved: SavedTable, names: RunNames): IptablesObjects {
  return objectsIn(saved, (c) => names.chains.includes(c));
}

/** Whether `chain` is one of ours (any run). */
export const isOurChain = (chain: string): boolean => chain.startsWith(CHAIN_PREFIX);

/** The nftables family of iptables-nft's tables for an IP family. */
export const NFT_FAMILY: Record<IpFamily, string> = { ipv4: 'ip', ipv6: 'ip6' };

/**
 * What iptables-nft will create for our jumps, per family: the built-in chains (and `filter`
 * tables) absent now. iptables-save cannot tell (it prints every built-in chain, existing or
 * not), so nft's listing is read; without nft nothing is recorded (and nothing removed later).
 */
async function baseMade(netns: Netns): Promise<Record<IpFamily, MadeFor>> {
  if (!installedTools().nft) return { ipv4: {}, ipv6: {} };
  const listing = parseNftJson((await netns.run(['nft', '-j', 'list', 'ruleset'])).stdout);
  const made = async (family: IpFamily): Promise<MadeFor> => {
    const nft = NFT_FAMILY[family];
    if (!listing.tables.some((t) => t.family === nft && t.name === 'filter')) return Object.fromEntries(BUILTINS.map((b) => [b, 'table']));
    const absent = BUILTINS.filter((b) => !listing.chains.some((c) => c.family === nft && c.table === 'filter' && c.name === b));
    // A built-in chain holding nothing but jumps of other runs of ours was made for them: this
    // run shares their record, so that whichever run is rolled back last removes it.
    const shared = BUILTINS.filter((b) => {
      const rules = listing.rules.filter((r) => r.family === nft && r.table === 'filter' && r.chain === b);
      return rules.length > 0 && rules.every((r) => r.jumpTarget !== undefined && isOurChain(r.jumpTarget));
    });
    const inherited = shared.length === 0 ? {} : madeOf(objectsIn(await iptablesSave(netns, family), isOurChain));
    return { ...Object.fromEntries(absent.map((b) => [b, 'chain'])), ...Object.fromEntries(shared.flatMap((b) => (inherited[b] ? [[b, inherited[b]]] : []))) };
  };
  const [ipv4, ipv6] = await Promise.all([made('ipv4'), made('ipv6')]);
  return { ipv4, ipv6 };
}

/** What the tags of `existing` jumps record as created for them (a re-run keeps the record). */
function madeOf(existing: IptablesObjects): MadeFor {
  const made: Partial<Record<string, BaseMade>> = {};
  for (const j of existing.jumps) {
    const m = j.comment === undefined ? undefined : parseTag(j.comment)?.made;
    // The widest record wins: a table made for one run's jump is the table of all of them.
    if (m !== undefined && made[j.chain] !== 'table') made[j.chain] = m;
  }
  return made;
}

async function applyFamily(netns: Netns, plan: RulePlan, family: IpFamily, made: MadeFor): Promise<{ rendering: IptablesRendering; replaced: boolean }> {
  const fresh = renderIptables(plan, family, made);
  try {
    await restore(netns, family, createText(fresh));
    return { rendering: fresh, replaced: false };
  } catch (e) {
    if (!(e instanceof SpawnError && /already exists/i.test(e.stderr))) throw e;
  }
  const existing = runObjects(await iptablesSave(netns, family), plan.names);
  // The built-in chains exist now because of our first jumps: their record is in those tags.
  const rendering = renderIptables(plan, family, madeOf(existing));
  await restore(netns, family, replaceText(rendering, existing));
  return { rendering, replaced: true };
}

/** What an apply did, per family. */
export interface IptablesApplied {
  readonly renderings: readonly IptablesRendering[];
  readonly replaced: boolean;
}

/**
 * Installs `plan` in IPv4 and IPv6 (in parallel: one transaction each); replaces this run's
 * objects when they exist. When one family fails, the run's objects are removed from both.
 * The jumps' tags record which built-in chains and tables iptables-nft created for them.
 * @throws SpawnError of the failing family.
 */
export async function iptablesApply(netns: Netns, plan: RulePlan): Promise<IptablesApplied> {
  const made = await baseMade(netns);
  const results = await Promise.allSettled(IP_FAMILIES.map((f) => applyFamily(netns, plan, f, made[f])));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await iptablesRemove(netns, plan.names);
    throw failed.reason;
  }
  const done = results.map((r) => (r as PromiseFulfilledResult<{ rendering: IptablesRendering; replaced: boolean }>).value);
  return { renderings: done.map((d) => d.rendering), replaced: done.some((d) => d.replaced) };
}

/** Removes `existing` from `family`; the chains removed. */
async function iptablesRemoveObjects(netns: Netns, family: IpFamily, existing: IptablesObjects): Promise<string[]> {
  const text = removeText(existing);
  if (text !== undefined) await restore(netns, family, text);
  return existing.chains.map((c) => `${family} ${c}`);
}

/**
 * Removes this run's jumps and chains in both families with iptables-restore, nothing else
 * (undoing a half-failed apply; rollback where nft is not installed).
 * @returns what was removed ("ipv4 VNF-…-FWD"); empty when nothing was there.
 */
export async function iptablesRemove(netns: Netns, names: RunNames): Promise<string[]> {
  const removed = await Promise.all(
    IP_FAMILIES.map(async (family) => iptablesRemoveObjects(netns, family, runObjects(await iptablesSave(netns, family), names))),
  );
  return removed.flat();
}

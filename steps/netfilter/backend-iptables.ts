/**
 * The iptables backend: a run is a set of dedicated chains per IP family plus tagged jump rules,
 * applied and removed with `iptables-restore --noflush` / `ip6tables-restore --noflush`, one
 * transaction per family. When one family fails, the other is undone before the error surfaces.
 */
import type { Netns } from './netns.js';
import { CHAIN_PREFIX, type RunNames } from './naming.js';
import type { RulePlan } from './plan.js';
import { parseIptablesSave, type SavedTable } from './iptables-save.js';
import { createText, removeText, renderIptables, replaceText, type IpFamily, type IptablesObjects, type IptablesRendering } from './render-iptables.js';
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

async function applyFamily(netns: Netns, rendering: IptablesRendering, names: RunNames): Promise<boolean> {
  try {
    await restore(netns, rendering.family, createText(rendering));
    return false;
  } catch (e) {
    if (!(e instanceof SpawnError && /already exists/i.test(e.stderr))) throw e;
  }
  const existing = runObjects(await iptablesSave(netns, rendering.family), names);
  await restore(netns, rendering.family, replaceText(rendering, existing));
  return true;
}

/** What an apply did, per family. */
export interface IptablesApplied {
  readonly renderings: readonly IptablesRendering[];
  readonly replaced: boolean;
}

/**
 * Installs `plan` in IPv4 and IPv6 (in parallel: one transaction each); replaces this run's
 * objects when they exist. When one family fails, the run's objects are removed from both.
 * @throws SpawnError of the failing family.
 */
export async function iptablesApply(netns: Netns, plan: RulePlan): Promise<IptablesApplied> {
  const renderings = IP_FAMILIES.map((f) => renderIptables(plan, f));
  const results = await Promise.allSettled(renderings.map((r) => applyFamily(netns, r, plan.names)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await iptablesRemove(netns, plan.names);
    throw failed.reason;
  }
  return { renderings, replaced: results.some((r) => r.status === 'fulfilled' && r.value) };
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

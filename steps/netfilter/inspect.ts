/**
 * Checking a run's rules in place (verify): the objects exist in one backend, hold exactly the
 * rules the plan renders (found by their comments), their deadline has not passed, and their
 * counters are readable.
 */
import type { BackendName } from './backend-choice.js';
import { iptablesSave, IP_FAMILIES, runObjects } from './backend-iptables.js';
import { nftListRun } from './backend-nft.js';
import type { Netns } from './netns.js';
import { parseTag } from './naming.js';
import type { RulePlan } from './plan.js';
import { renderIptables } from './render-iptables.js';
import { PROTOCOL_SET, renderNft } from './render-nft.js';

/** Counters of one rule (summed over the lines iptables needs for it). */
export interface RuleCounter {
  readonly id: string;
  /** inet, bridge (nftables) or ipv4, ipv6 (iptables). */
  readonly family: string;
  readonly packets: number;
  readonly bytes: number;
}

/** What verify learns about a run's rules. */
export interface Inspection {
  /** The backend holding the run's rules; undefined when none does. */
  readonly backend?: BackendName;
  /** Why the rule set is not intact; empty when it is. */
  readonly problems: readonly string[];
  /** Worth knowing, not a failure. */
  readonly warnings: readonly string[];
  readonly counters: readonly RuleCounter[];
}

const sorted = (xs: readonly string[]): string => [...xs].sort().join(' | ');

async function inspectNft(netns: Netns, plan: RulePlan, now: number): Promise<Inspection | undefined> {
  const run = await nftListRun(netns, plan.names);
  if (run === undefined) return undefined;
  const { table, listing } = run;
  const expected = renderNft(plan, now);
  const problems: string[] = [];
  if (table.family !== expected.family) problems.push(`table ${table.name} is in family ${table.family}, the plan needs ${expected.family}`);
  for (const [chain, ids] of Object.entries(expected.expected)) {
    if (!listing.chains.some((c) => c.name === chain && c.hook === chain)) problems.push(`chain ${chain} (hook ${chain}) is missing`);
    const found = listing.rules.filter((r) => r.chain === chain).map((r) => r.comment ?? '(no comment)');
    if (sorted(found) !== sorted(ids)) problems.push(`chain ${chain} holds [${sorted(found)}], expected [${sorted(ids)}]`);
  }
  const protocols = [...new Set(plan.rules.flatMap((r) => (r.kind === 'drop' ? r.protocols : [])))];
  const live = listing.sets.find((s) => s.name === PROTOCOL_SET)?.elements.map((e) => e.value) ?? [];
  const lost = protocols.filter((p) => !live.includes(p));
  if (lost.length > 0) problems.push(`set ${PROTOCOL_SET} lacks ${lost.join(', ')}: the rules expired (deadline passed) or were altered`);
  const counters = listing.rules
    .filter((r) => r.packets !== undefined && r.comment !== undefined)
    .map((r) => ({ id: r.comment!, family: table.family, packets: r.packets!, bytes: r.bytes! }));
  return { backend: 'nftables', problems, warnings: [], counters };
}

async function inspectIptables(netns: Netns, plan: RulePlan, now: number): Promise<Inspection | undefined> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const counters: RuleCounter[] = [];
  let present = false;
  for (const family of IP_FAMILIES) {
    const saved = await iptablesSave(netns, family);
    const objects = runObjects(saved, plan.names);
    if (objects.chains.length === 0 && objects.jumps.length === 0) {
      problems.push(`${family}: no chain of this run`);
      continue;
    }
    present = true;
    const expected = renderIptables(plan, family);
    for (const jump of expected.jumps) {
      const found = objects.jumps.filter((j) => j.chain === jump.builtin && j.target === jump.chain);
      const tag = found[0]?.comment === undefined ? undefined : parseTag(found[0].comment);
      if (found.length !== 1 || tag?.runId !== plan.tag.runId) problems.push(`${family}: ${jump.builtin} has ${found.length} tagged jumps to ${jump.chain}, expected 1`);
      else if (tag.expiresAt <= now) problems.push(`${family}: the jump to ${jump.chain} expired at ${tag.expiresAt} (the kernel no longer applies it)`);
      const first = saved.rules.find((r) => r.chain === jump.builtin);
      if (found.length === 1 && first !== found[0]) warnings.push(`${family}: a foreign rule precedes our jump in ${jump.builtin}; an ACCEPT there would let traffic bypass the fault`);
    }
    for (const chain of expected.chains) {
      if (!objects.chains.includes(chain)) problems.push(`${family}: chain ${chain} is missing`);
      const rules = saved.rules.filter((r) => r.chain === chain);
      const want = expected.rules.filter((r) => r.chain === chain).map((r) => r.id);
      const have = rules.map((r) => r.comment ?? '(no comment)');
      if (sorted(have) !== sorted(want)) problems.push(`${family}: chain ${chain} holds [${sorted(have)}], expected [${sorted(want)}]`);
      for (const id of new Set(have)) {
        const mine = rules.filter((r) => r.comment === id);
        counters.push({ id, family, packets: mine.reduce((s, r) => s + r.packets, 0), bytes: mine.reduce((s, r) => s + r.bytes, 0) });
      }
    }
  }
  return present ? { backend: 'iptables', problems, warnings, counters } : undefined;
}

/**
 * Inspects the rules of `plan`'s run in `netns` at time `now` (Unix seconds).
 * @throws NetnsGoneError, SpawnError.
 */
export async function inspectRun(netns: Netns, plan: RulePlan, now: number): Promise<Inspection> {
  const [nft, ipt] = await Promise.all([inspectNft(netns, plan, now), inspectIptables(netns, plan, now)]);
  if (nft && ipt) return { ...nft, warnings: [...nft.warnings, 'rules of this run exist in iptables too (an earlier inject with another backend); rollback removes both'] };
  return nft ?? ipt ?? { problems: [`no rules of run ${plan.tag.runId} in this namespace (not injected, rolled back, or swept)`], warnings: [], counters: [] };
}

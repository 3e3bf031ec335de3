/**
 * Checking a run's rules in place (verify): the objects exist in one backend, hold exactly the
 * rules the plan renders (found by their comments), their recorded deadline has not passed, and
 * their counters are readable.
 */
import type { BackendName } from './backend-choice.js';
import { iptablesSave, IP_FAMILIES, runObjects } from './backend-iptables.js';
import { nftListRun, nftTableText, tagOfTableText } from './backend-nft.js';
import { judgeDeadline } from './deadline-check.js';
import { dropTimes } from './drop-times.js';
import type { Netns } from './netns.js';
import { parseTag, type FaultWindow } from './naming.js';
import type { RulePlan } from './plan.js';
import { renderIptables, type IpFamily } from './render-iptables.js';

const FAMILY_NAME: Record<IpFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };
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
  /** Why the rule set is not intact, or no longer applied; empty when it is both. */
  readonly problems: readonly string[];
  /** Worth knowing, not a failure. */
  readonly warnings: readonly string[];
  readonly counters: readonly RuleCounter[];
  /** The deadline recorded in the run's tags (Unix seconds); undefined when none is readable. */
  readonly expiresAt?: number;
  /** The fault window recorded in the run's tags, when it has one. */
  readonly window?: FaultWindow;
  /** Seconds from `now` to the recorded deadline (≤ 0: passed). */
  readonly secondsLeft?: number;
  /** nftables only: the kernel's own count of the set elements' remaining life (whole seconds). */
  readonly kernelSecondsLeft?: number;
  /**
   * nftables only: when the run's rules dropped their first and their last packet (Unix ms),
   * undefined when none did yet (or the table predates this record). iptables cannot tell.
   */
  readonly firstDropAtMs?: number;
  readonly lastDropAtMs?: number;
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
  const text = await nftTableText(netns, table);
  const tag = tagOfTableText(text.text);
  if (tag === undefined) problems.push(`table ${table.name} carries no readable tag (run id and deadline)`);
  const protocols = [...new Set(plan.rules.flatMap((r) => (r.kind === 'drop' ? r.protocols : [])))];
  const elements = listing.sets.find((s) => s.name === PROTOCOL_SET)?.elements ?? [];
  const live = elements.filter((e) => (protocols as readonly string[]).includes(e.value));
  const lost = protocols.filter((p) => !live.some((e) => e.value === p));
  // After the deadline the kernel has dropped the elements: that is reported as the deadline.
  const passed = tag !== undefined && tag.expiresAt <= now;
  if (lost.length > 0 && !passed) problems.push(`set ${PROTOCOL_SET} lacks ${lost.join(', ')} before the recorded deadline: the rules were altered, or the node's clock was set back since inject`);
  const lives = live.flatMap((e) => (e.expires === undefined ? [] : [e.expires]));
  const counters = listing.rules
    .filter((r) => r.packets !== undefined && r.comment !== undefined)
    .map((r) => ({ id: r.comment!, family: table.family, packets: r.packets!, bytes: r.bytes! }));
  return {
    backend: 'nftables',
    problems,
    warnings: [],
    counters,
    ...(tag === undefined ? {} : { expiresAt: tag.expiresAt }),
    ...(tag?.window ? { window: tag.window } : {}),
    ...(lives.length === 0 ? {} : { kernelSecondsLeft: Math.min(...lives) }),
    ...dropTimes(text.text, text.readAtMs),
  };
}

async function inspectIptables(netns: Netns, plan: RulePlan): Promise<Inspection | undefined> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const counters: RuleCounter[] = [];
  const deadlines: number[] = [];
  let window: FaultWindow | undefined;
  const missing: IpFamily[] = [];
  for (const family of IP_FAMILIES) {
    const saved = await iptablesSave(netns, family);
    const objects = runObjects(saved, plan.names);
    if (objects.chains.length === 0 && objects.jumps.length === 0) {
      missing.push(family);
      continue;
    }
    const expected = renderIptables(plan, family);
    for (const jump of expected.jumps) {
      const found = objects.jumps.filter((j) => j.chain === jump.builtin && j.target === jump.chain);
      const tag = found[0]?.comment === undefined ? undefined : parseTag(found[0].comment);
      if (found.length !== 1 || tag?.runId !== plan.tag.runId) problems.push(`${family}: ${jump.builtin} has ${found.length} tagged jumps to ${jump.chain}, expected 1`);
      else {
        deadlines.push(tag.expiresAt);
        window ??= tag.window;
      }
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
  const present = missing.length < IP_FAMILIES.length;
  // One transaction per family: an inject killed between them leaves one family unfiltered.
  for (const family of present ? missing : []) {
    problems.unshift(`${FAMILY_NAME[family]} is not filtered: no rule of this run in ${family} (half installed: an inject ended between iptables-restore and ip6tables-restore); re-run inject with the same run id to complete it`);
  }
  // The jumps of one run carry one deadline; were they to differ, the earliest ends the fault.
  return present ? { backend: 'iptables', problems, warnings, counters, ...(deadlines.length === 0 ? {} : { expiresAt: Math.min(...deadlines) }), ...(window ? { window } : {}) } : undefined;
}

/**
 * Inspects the rules of `plan`'s run in `netns` at time `now` (Unix seconds).
 * @throws NetnsGoneError, SpawnError.
 */
export async function inspectRun(netns: Netns, plan: RulePlan, now: number): Promise<Inspection> {
  const [nft, ipt] = await Promise.all([inspectNft(netns, plan, now), inspectIptables(netns, plan)]);
  const runId = plan.tag.runId;
  if (nft && ipt) return judgeDeadline({ ...nft, warnings: [...nft.warnings, 'rules of this run exist in iptables too (an earlier inject with another backend); rollback removes both'] }, runId, now);
  const found = nft ?? ipt;
  return found ? judgeDeadline(found, runId, now) : { problems: [`no rules of run ${runId} in this namespace (not injected, rolled back, or swept)`], warnings: [], counters: [] };
}

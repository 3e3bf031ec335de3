/**
 * A plan as `iptables-restore --noflush` text (ip6tables-restore for IPv6): the run's rules in
 * dedicated chains, reached from the built-in chains by jump rules that carry the run's tag and
 * a kernel-enforced deadline (`-m time --datestop`, issue 8); with a fault window each drop
 * rule matches only in it (`-m time --datestart … --datestop …`, issue 14). Each text is one
 * transaction. Pure.
 */
import { formatTag, type BaseMade, type FaultWindow, type Hook } from './naming.js';
import { LOCAL_CONNECTION_MARK, type DropRule, type PlannedRule, type RulePlan } from './plan.js';
import type { SavedRule } from './iptables-save.js';

/** iptables (ipv4) or ip6tables (ipv6). */
export type IpFamily = 'ipv4' | 'ipv6';

const BUILTIN: Record<Hook, string> = { forward: 'FORWARD', input: 'INPUT', output: 'OUTPUT' };
/** multiport takes at most 15 ports per rule. */
const MULTIPORT_MAX = 15;

/** A rule in one of our chains. */
export interface IptablesRule {
  readonly chain: string;
  /** The plan rule's id, also its comment. */
  readonly id: string;
  /** Everything after `-A <chain> `. */
  readonly spec: string;
}

/** A jump from a built-in chain to ours. */
export interface IptablesJump {
  readonly builtin: string;
  readonly chain: string;
  readonly spec: string;
}

/** One family's rendering of a plan. */
export interface IptablesRendering {
  readonly family: IpFamily;
  readonly chains: readonly string[];
  readonly jumps: readonly IptablesJump[];
  readonly rules: readonly IptablesRule[];
}

/** What of a run exists in one family: its chains and the saved jumps into them. */
export interface IptablesObjects {
  readonly chains: readonly string[];
  readonly jumps: readonly SavedRule[];
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** A Unix time as xt_time reads it: UTC (no --kerneltz), whole seconds. */
const utc = (epoch: number): string => new Date(epoch * 1000).toISOString().slice(0, 19);

/**
 * The window as an xt_time match: from `start` (included) through the second before `end`,
 * since xt_time still matches during the --datestop second itself.
 */
function windowMatch(window: FaultWindow | undefined): string[] {
  return window ? [`-m time --datestart ${utc(window.start)} --datestop ${utc(window.end - 1)}`] : [];
}

function dropSpecs(rule: DropRule, layer: RulePlan['layer'], window: FaultWindow | undefined): string[] {
  const where: string[] = [];
  if (layer === 'bridged') {
    where.push('-m physdev');
    if (rule.iif !== undefined) where.push(`--physdev-in ${rule.iif}`);
    if (rule.oif !== undefined) where.push(`--physdev-is-bridged --physdev-out ${rule.oif}`);
  } else {
    if (rule.iif !== undefined) where.push(`-i ${rule.iif}`);
    if (rule.oif !== undefined) where.push(`-o ${rule.oif}`);
  }
  if (rule.ownerUid !== undefined) where.push(`-m owner --uid-owner ${rule.ownerUid}`);
  if (rule.spareLocal) where.push(`-m connmark ! --mark ${hex(LOCAL_CONNECTION_MARK)}/${hex(LOCAL_CONNECTION_MARK)}`);
  const portMatches: string[] = [];
  if (rule.ports.length === 0) portMatches.push('');
  else if (rule.ports.length === 1) portMatches.push(` --dport ${rule.ports[0]}`);
  else for (let i = 0; i < rule.ports.length; i += MULTIPORT_MAX) portMatches.push(` -m multiport --dports ${rule.ports.slice(i, i + MULTIPORT_MAX).join(',')}`);
  return rule.protocols.flatMap((p) => portMatches.map((ports) => `${[...where, `-p ${p}${ports}`, ...windowMatch(window)].join(' ')} -m comment --comment "${rule.id}" -j DROP`));
}

// As in nftables, the mark-local rule stays outside the window.
function ruleSpecs(rule: PlannedRule, layer: RulePlan['layer'], window: FaultWindow | undefined): string[] {
  if (rule.kind === 'drop') return dropSpecs(rule, layer, window);
  return [`-o ${rule.oif} -m owner ! --uid-owner ${rule.relayUid} -m comment --comment "${rule.id}" -j CONNMARK --or-mark ${hex(LOCAL_CONNECTION_MARK)}`];
}

/** What iptables-nft created for our jumps, by built-in chain (FORWARD, …); see RunTag.made. */
export type MadeFor = Readonly<Partial<Record<string, BaseMade>>>;

/** `plan` for one IP family; `made` goes into the tags of the jumps it concerns. */
export function renderIptables(plan: RulePlan, family: IpFamily, made: MadeFor = {}): IptablesRendering {
  const hooks = [...new Set(plan.rules.map((r) => r.hook))];
  // xt_time compares the wall clock (UTC) in whole seconds and still matches during the
  // --datestop second itself, so the last second the jump applies is the one before the
  // deadline: it stops at the deadline, as the nft timeouts do.
  const datestop = utc(plan.tag.expiresAt - 1);
  const tag = (builtin: string): string => formatTag({ ...plan.tag, ...(made[builtin] ? { made: made[builtin] } : {}) });
  return {
    family,
    chains: hooks.map((h) => plan.names.chain(h)),
    jumps: hooks.map((h) => ({
      builtin: BUILTIN[h],
      chain: plan.names.chain(h),
      spec: `-m comment --comment "${tag(BUILTIN[h])}" -m time --datestop ${datestop} -j ${plan.names.chain(h)}`,
    })),
    rules: plan.rules.flatMap((r) => ruleSpecs(r, plan.layer, plan.tag.window).map((spec) => ({ chain: plan.names.chain(r.hook), id: r.id, spec }))),
  };
}

function transaction(lines: readonly string[]): string {
  return ['*filter', ...lines, 'COMMIT', ''].join('\n');
}

function additions(r: IptablesRendering): string[] {
  // Jumps go to the top of the built-in chains, so no earlier ACCEPT lets traffic skip them.
  return [...r.rules.map((x) => `-A ${x.chain} ${x.spec}`), ...r.jumps.map((j) => `-I ${j.builtin} 1 ${j.spec}`)];
}

/** Creates the run's chains; fails as a whole (nothing applied) when one exists already. */
export function createText(r: IptablesRendering): string {
  return transaction([...r.chains.map((c) => `-N ${c}`), ...additions(r)]);
}

/** Removes exactly `existing` (jumps first: a chain still referenced cannot be deleted). */
function removalLines(existing: IptablesObjects, keep: readonly string[] = []): string[] {
  return [
    ...existing.jumps.map((j) => `-D ${j.chain} ${j.spec}`),
    ...existing.chains.map((c) => `-F ${c}`),
    ...existing.chains.filter((c) => !keep.includes(c)).map((c) => `-X ${c}`),
  ];
}

/** Replaces `existing` objects of the same run by `r` in one transaction (re-run of inject). */
export function replaceText(r: IptablesRendering, existing: IptablesObjects): string {
  const missing = r.chains.filter((c) => !existing.chains.includes(c));
  return transaction([...removalLines(existing, r.chains), ...missing.map((c) => `-N ${c}`), ...additions(r)]);
}

/** Removes `existing` in one transaction; undefined when there is nothing to remove. */
export function removeText(existing: IptablesObjects): string | undefined {
  if (existing.chains.length === 0 && existing.jumps.length === 0) return undefined;
  return transaction(removalLines(existing));
}

/**
 * A plan as nftables text for `nft -f`: one table per run and family (`inet` covers IPv4 and
 * IPv6 in one transaction; `bridge` for bridged guests, which needs no br_netfilter). Pure.
 *
 * The kernel ends the fault by itself: the protocols the rules match live in a set whose
 * elements time out at the run's expiry, after which no rule can match (issue 8). With a fault
 * window, each drop rule also matches `meta time` in [start, end) only (issue 14).
 *
 * Each drop rule also records when it dropped (issue 14): a packet it is about to drop adds its
 * protocol to the dynamic set `first_drop`, where `add` keeps an existing element's timer (the
 * first drop), and updates it in `last_drop`, where `update` restarts the timer (the last drop).
 * An element's remaining life then dates that packet to the kernel's tick (see drop-times.ts).
 */
import { LOCAL_CONNECTION_MARK, type DropRule, type PlannedRule, type RulePlan } from './plan.js';
import { formatTag, type FaultWindow } from './naming.js';

/** The nftables family of a plan's table. */
export type NftFamily = 'inet' | 'bridge';

/** Texts for `nft -f`. */
export interface NftRendering {
  readonly family: NftFamily;
  readonly table: string;
  /** Creates the table; fails as a whole (nothing applied) when it exists already. */
  readonly create: string;
  /** Replaces an existing table of this run in one transaction (re-run of inject). */
  readonly replace: string;
  /** Rule ids (comments) by chain, what verify expects to find. */
  readonly expected: Readonly<Record<string, readonly string[]>>;
}

/** Name of the set holding the protocols the rules match, with timeouts. */
export const PROTOCOL_SET = 'protocols';
/** Dynamic set whose element timers start at the first dropped packet of each protocol. */
export const FIRST_DROP_SET = 'first_drop';
/** Dynamic set whose element timers restart at each dropped packet of each protocol. */
export const LAST_DROP_SET = 'last_drop';

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** The window's bounds as nft matches: integers are Unix seconds, whatever the timezone. */
function windowText(window: FaultWindow | undefined): string[] {
  return window ? [`meta time >= ${window.start}`, `meta time < ${window.end}`] : [];
}

function recordText(): string[] {
  return [`add @${FIRST_DROP_SET} { meta l4proto }`, `update @${LAST_DROP_SET} { meta l4proto }`];
}

/**
 * A drop-time set: its timeout is the protocols' one, so an element outlives the deadline (it
 * is added no earlier than inject) and no packet can re-add it later as a false first.
 */
function dropSetText(name: string, timeout: string): string[] {
  return [`\tset ${name} {`, '\t\ttype inet_proto', '\t\tflags dynamic,timeout', `\t\ttimeout ${timeout}`, '\t}'];
}

function dropText(rule: DropRule, window: FaultWindow | undefined): string {
  const parts: string[] = [];
  if (rule.iif !== undefined) parts.push(`iifname "${rule.iif}"`);
  if (rule.oif !== undefined) parts.push(`oifname "${rule.oif}"`);
  if (rule.ownerUid !== undefined) parts.push(`meta skuid ${rule.ownerUid}`);
  if (rule.spareLocal) parts.push(`ct mark & ${hex(LOCAL_CONNECTION_MARK)} != ${hex(LOCAL_CONNECTION_MARK)}`);
  parts.push(`meta l4proto @${PROTOCOL_SET}`);
  if (rule.ports.length === 1) parts.push(`th dport ${rule.ports[0]}`);
  if (rule.ports.length > 1) parts.push(`th dport { ${rule.ports.join(', ')} }`);
  // Last before the verdict, so only packets this rule drops are recorded.
  parts.push(...windowText(window), ...recordText(), 'counter drop', `comment "${rule.id}"`);
  return parts.join(' ');
}

// The mark-local rule stays outside the window: connections the launcher opens before it must
// be flagged too, or their replies would be dropped once it starts.
function ruleText(rule: PlannedRule, window: FaultWindow | undefined): string {
  if (rule.kind === 'drop') return dropText(rule, window);
  const bit = hex(LOCAL_CONNECTION_MARK);
  return `oifname "${rule.oif}" meta skuid != ${rule.relayUid} ct mark set ct mark | ${bit} comment "${rule.id}"`;
}

/**
 * A set element timeout as nft reads it: whole seconds when exact, else milliseconds. Never 0,
 * which nft reads as "no timeout": a passed deadline gives 1 ms, an element gone at once.
 */
function timeoutText(ms: number): string {
  const clamped = Math.max(1, Math.round(ms));
  return clamped % 1000 === 0 ? `${clamped / 1000}s` : `${clamped}ms`;
}

/**
 * The nftables texts of `plan`; set timeouts count from `now` (Unix seconds, fractions taken
 * to the millisecond) to the expiry, so the elements vanish at the deadline itself, not up to a
 * second later.
 */
export function renderNft(plan: RulePlan, now: number): NftRendering {
  const family: NftFamily = plan.layer === 'bridged' ? 'bridge' : 'inet';
  const table = plan.names.table;
  const timeout = timeoutText((plan.tag.expiresAt - now) * 1000);
  const protocols = [...new Set(plan.rules.flatMap((r) => (r.kind === 'drop' ? r.protocols : [])))];
  const hooks = [...new Set(plan.rules.map((r) => r.hook))];
  const comment = `comment "${formatTag(plan.tag)}"`;
  const contents = [
    `\tset ${PROTOCOL_SET} {`,
    '\t\ttype inet_proto',
    '\t\tflags timeout',
    `\t\telements = { ${protocols.map((p) => `${p} timeout ${timeout}`).join(', ')} }`,
    '\t}',
    ...dropSetText(FIRST_DROP_SET, timeout),
    ...dropSetText(LAST_DROP_SET, timeout),
    ...hooks.flatMap((hook) => [
      `\tchain ${hook} {`,
      `\t\ttype filter hook ${hook} priority filter; policy accept;`,
      ...plan.rules.filter((r) => r.hook === hook).map((r) => `\t\t${ruleText(r, plan.tag.window)}`),
      '\t}',
    ]),
    '}',
  ];
  const expected = Object.fromEntries(hooks.map((hook) => [hook, plan.rules.filter((r) => r.hook === hook).map((r) => r.id)]));
  return {
    family,
    table,
    // `create` fails on an existing table, so a first inject needs no lookup and no delete
    // (deleting a table with base chains waits for an RCU grace period: ~10 ms). A table's
    // comment is only taken when the table is created, hence on the create line.
    create: [`create table ${family} ${table} { ${comment}; }`, `table ${family} ${table} {`, ...contents, ''].join('\n'),
    // declare (no-op if present), delete, define: valid whether or not the table exists.
    replace: [`table ${family} ${table}`, `delete table ${family} ${table}`, `table ${family} ${table} {`, `\t${comment}`, ...contents, ''].join('\n'),
    expected,
  };
}

/**
 * Names and tags of a run's netfilter objects. Every object is named from a hash of the run id,
 * so rollback finds exactly its own objects without any state, and tagged with the run id, the
 * VMI and the expiry epoch, so sweep can tell when a crashed run's leftovers may go.
 */
import { createHash } from 'node:crypto';

/** Run ids (Argo's workflow uid, Tekton's PipelineRun uid, or a test's name). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Prefix of every iptables chain we create (iptables limits chain names to 28 characters). */
export const CHAIN_PREFIX = 'VNF-';
/** Prefix of every nftables table we create. */
export const TABLE_PREFIX = 'vnf_';
/** First word of every tag, so foreign comments are never read as ours. */
export const TAG_MARK = 'vmi-network-filter';

/**
 * Why `runId` is unusable, or undefined when it is fine. Run ids end up in comments and are
 * hashed into names; a restricted alphabet keeps any quoting out of rule text.
 */
export function runIdProblem(runId: string): string | undefined {
  return RUN_ID_PATTERN.test(runId) ? undefined : `run id "${runId}" must be 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit`;
}

/** The hook a chain of ours hangs off. */
export type Hook = 'forward' | 'input' | 'output';

const HOOK_SUFFIX: Record<Hook, string> = { forward: 'FWD', input: 'IN', output: 'OUT' };

/** The names of one run's objects. */
export interface RunNames {
  /** 12 hex digits of sha256(run id): 48 bits, collisions between runs are not a concern. */
  readonly hash: string;
  /** nftables table (one per family the run uses). */
  readonly table: string;
  /** iptables chain for a hook, e.g. VNF-0123456789ab-FWD. */
  readonly chain: (hook: Hook) => string;
  /** Every chain name this run may create (for rollback, which knows no plan). */
  readonly chains: readonly string[];
}

/** Object names of run `runId`. */
export function runNames(runId: string): RunNames {
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 12);
  const chain = (hook: Hook): string => `${CHAIN_PREFIX}${hash}-${HOOK_SUFFIX[hook]}`;
  return { hash, table: `${TABLE_PREFIX}${hash}`, chain, chains: (['forward', 'input', 'output'] as const).map(chain) };
}

/**
 * A fault window: the rules drop traffic from `start` (included) to `end` (excluded), Unix
 * seconds, by the kernel's clock. Whole seconds, so both backends hit the bounds exactly:
 * nftables compares nanoseconds, iptables' time match whole seconds.
 */
export interface FaultWindow {
  readonly start: number;
  readonly end: number;
}

/** What a tag records. */
export interface RunTag {
  readonly runId: string;
  /** Unix time (seconds) after which the rules are leftovers: the fault's end + grace. */
  readonly expiresAt: number;
  /** When the drop rules act; absent: from inject to expiresAt. */
  readonly window?: FaultWindow;
  /** namespace/name of the VMI, informational (truncated to fit comment limits). */
  readonly vmi: string;
  /**
   * iptables jumps only: what iptables-nft created for this jump, so rollback removes it again
   * and only it: `chain` (the built-in chain), `table` (its `ip`/`ip6 filter` table too).
   * Absent: both existed before.
   */
  readonly made?: BaseMade;
}

/** What iptables-nft created for one of our jumps: the built-in chain, or its table too. */
export type BaseMade = 'chain' | 'table';

/**
 * The tag text: `vmi-network-filter run=<id> expires=<epoch> [window=<start>-<end>] [made=chain|table] vmi=<ns>/<name>`.
 * Run id, expiry and window come first so truncating the VMI (nftables keeps at most 128 bytes
 * of comment) never loses them.
 */
export function formatTag(tag: RunTag): string {
  // Only name characters reach rule text: a comment can never close its own quotes.
  const vmi = tag.vmi.replace(/[^A-Za-z0-9_.\/-]/g, '_');
  const window = tag.window ? ` window=${tag.window.start}-${tag.window.end}` : '';
  const made = tag.made ? ` made=${tag.made}` : '';
  return `${TAG_MARK} run=${tag.runId} expires=${tag.expiresAt}${window}${made} vmi=${vmi}`.slice(0, 128);
}

/** The tag in `text` (a comment), or undefined when it is not one of ours. */
export function parseTag(text: string): RunTag | undefined {
  const m = new RegExp(`^${TAG_MARK} run=(\\S+) expires=(\\d+)(?: window=(\\d+)-(\\d+))?(?: made=(chain|table))? vmi=(\\S*)$`).exec(text.trim());
  if (!m) return undefined;
  const made = m[5] as BaseMade | undefined;
  return { runId: m[1]!, expiresAt: Number(m[2]), ...(m[3] ? { window: { start: Number(m[3]), end: Number(m[4]) } } : {}), ...(made ? { made } : {}), vmi: m[6]! };
}

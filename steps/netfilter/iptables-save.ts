/**
 * Reading `iptables-save -c -t filter` (and ip6tables-save) output, pure: which chains exist,
 * and every rule with its counters, comment and jump target. This is how rollback and sweep
 * find the exact text of our jump rules to delete, whatever tool added rules around them.
 */

/** One `-A` line. */
export interface SavedRule {
  readonly chain: string;
  /** The rule after `-A <chain> `, exactly as saved: what `-D <chain> <spec>` needs. */
  readonly spec: string;
  readonly packets: number;
  readonly bytes: number;
  /** Value of the first `-m comment --comment`, unquoted. */
  readonly comment?: string;
  /** Argument of `-j`. */
  readonly target?: string;
}

/** The filter table of one family. */
export interface SavedTable {
  /** Every chain, built-in and user-defined, in saved order. */
  readonly chains: readonly string[];
  /** Every rule, in saved order. */
  readonly rules: readonly SavedRule[];
}

const COMMENT = /(?:^|\s)--comment (?:"((?:[^"\\]|\\.)*)"|(\S+))/;
const TARGET = /(?:^|\s)-j (\S+)/;

/** The filter table in `text`; an empty table when the text holds none. */
export function parseIptablesSave(text: string): SavedTable {
  const chains: string[] = [];
  const rules: SavedRule[] = [];
  let inFilter = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) inFilter = line === '*filter';
    if (!inFilter || line === '' || line.startsWith('#')) continue;
    if (line.startsWith(':')) {
      chains.push(line.slice(1).split(/\s/)[0]!);
      continue;
    }
    const m = /^(?:\[(\d+):(\d+)\]\s+)?-A\s+(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const spec = m[4]!;
    const comment = COMMENT.exec(spec);
    const target = TARGET.exec(spec)?.[1];
    const text = comment?.[1]?.replace(/\\(.)/g, '$1') ?? comment?.[2];
    rules.push({
      chain: m[3]!,
      spec,
      packets: Number(m[1] ?? 0),
      bytes: Number(m[2] ?? 0),
      ...(text === undefined ? {} : { comment: text }),
      ...(target === undefined ? {} : { target }),
    });
  }
  return { chains, rules };
}

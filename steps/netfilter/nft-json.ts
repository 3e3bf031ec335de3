/**
 * Reading `nft -j list …` output (libnftables JSON schema 1), pure: the tables, chains, rules
 * with their comments and counters, and set elements with their remaining lifetime.
 */

/** A table. Its comment is absent from nft 1.0.6's JSON; see parseTableComment. */
export interface NftTable {
  readonly family: string;
  readonly name: string;
}

/** A chain; `hook` only for base chains. */
export interface NftChain extends NftTable {
  readonly table: string;
  readonly hook?: string;
}

/** A rule, with what verify and removal need of it. */
export interface NftRule {
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  /** What `delete rule … handle N` takes. */
  readonly handle?: number;
  /** The chain a jump or goto verdict of the rule leads to. */
  readonly jumpTarget?: string;
  readonly comment?: string;
  /** Counter values, when the rule has a counter. */
  readonly packets?: number;
  readonly bytes?: number;
  /** 'drop', 'accept', … when the rule ends in a verdict. */
  readonly verdict?: string;
}

/** A named set and its elements. */
export interface NftSet {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  /** Element values, with seconds left when they time out. */
  readonly elements: readonly { readonly value: string; readonly expires?: number }[];
}

/** Everything in one listing. */
export interface NftListing {
  readonly tables: readonly NftTable[];
  readonly chains: readonly NftChain[];
  readonly rules: readonly NftRule[];
  readonly sets: readonly NftSet[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const VERDICTS = ['drop', 'accept', 'reject', 'return', 'jump', 'goto', 'continue', 'queue'];

/** The listing in `json`; throws SyntaxError when it is not JSON. */
export function parseNftJson(json: string): NftListing {
  const root = obj(JSON.parse(json));
  const items = Array.isArray(root?.nftables) ? (root.nftables as unknown[]) : [];
  const tables: NftTable[] = [];
  const chains: NftChain[] = [];
  const rules: NftRule[] = [];
  const sets: NftSet[] = [];
  for (const item of items.map(obj)) {
    const table = obj(item?.table);
    const chain = obj(item?.chain);
    const rule = obj(item?.rule);
    const set = obj(item?.set);
    if (table) tables.push({ family: str(table.family) ?? '', name: str(table.name) ?? '' });
    if (chain) {
      const hook = str(chain.hook);
      chains.push({ family: str(chain.family) ?? '', table: str(chain.table) ?? '', name: str(chain.name) ?? '', ...(hook ? { hook } : {}) });
    }
    if (rule) rules.push(parseRule(rule));
    if (set) {
      const elements = (Array.isArray(set.elem) ? (set.elem as unknown[]) : []).map((e) => {
        const inner = obj(obj(e)?.elem);
        const value = inner ? inner.val : e;
        const expires = inner?.expires;
        return { value: String(value), ...(typeof expires === 'number' ? { expires } : {}) };
      });
      sets.push({ family: str(set.family) ?? '', table: str(set.table) ?? '', name: str(set.name) ?? '', elements });
    }
  }
  return { tables, chains, rules, sets };
}

function parseRule(rule: Json): NftRule {
  const exprs = Array.isArray(rule.expr) ? (rule.expr as unknown[]).map(obj) : [];
  const counter = exprs.map((e) => obj(e?.counter)).find(Boolean);
  const verdict = exprs.flatMap((e) => Object.keys(e ?? {})).find((k) => VERDICTS.includes(k));
  const jump = exprs.map((e) => obj(e?.jump) ?? obj(e?.goto)).find(Boolean);
  const jumpTarget = str(jump?.target);
  const comment = str(rule.comment);
  return {
    family: str(rule.family) ?? '',
    table: str(rule.table) ?? '',
    chain: str(rule.chain) ?? '',
    ...(typeof rule.handle === 'number' ? { handle: rule.handle } : {}),
    ...(jumpTarget === undefined ? {} : { jumpTarget }),
    ...(comment === undefined ? {} : { comment }),
    ...(counter ? { packets: Number(counter.packets ?? 0), bytes: Number(counter.bytes ?? 0) } : {}),
    ...(verdict === undefined ? {} : { verdict }),
  };
}

/** The tables in the text output of `nft list tables` ("table <family> <name>" lines). */
export function parseTableList(text: string): NftTable[] {
  return text.split('\n').flatMap((line) => {
    const m = /^table (\S+) (\S+)$/.exec(line.trim());
    return m ? [{ family: m[1]!, name: m[2]! }] : [];
  });
}

/** The comment of the table listed in `text` (output of `nft list table F N`), if any. */
export function parseTableComment(text: string): string | undefined {
  // The table's own comment is the first statement inside its block, one tab deep.
  const m = /^table \S+ \S+ \{\n\tcomment "((?:[^"\\]|\\.)*)"$/m.exec(text);
  return m?.[1];
}

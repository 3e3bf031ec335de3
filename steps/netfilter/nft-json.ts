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
  /** Base chains: accept or drop. */
  readonly policy?: string;
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
      const policy = str(chain.policy);
      chains.push({ family: str(chain.family) ?? '', table: str(chain.table) ?? '', name: str(chain.name) ?? '', ...(hook ? { hook } : {}), ...(policy ? { policy } : {}) });
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

/** A set element in a text listing, with its timer to the millisecond (the JSON has whole seconds). */
export interface NftTimedElement {
  readonly value: string;
  /** The element's timeout, else its set's (ms); undefined when neither has one. */
  readonly timeoutMs?: number;
  /** Time left before the element times out (ms); undefined when it has no timer. */
  readonly expiresMs?: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * A duration as nft prints it ("1d2h3m4s5ms", zero units left out) in milliseconds; the
 * empty text is 0 (what nft prints for 0). Undefined when `text` is no duration.
 */
export function parseNftDuration(text: string): number | undefined {
  if (!/^(?:\d+(?:ms|d|h|m|s))*$/.test(text)) return undefined;
  return [...text.matchAll(/(\d+)(ms|d|h|m|s)/g)].reduce((sum, m) => sum + Number(m[1]) * UNIT_MS[m[2]!]!, 0);
}

const ELEMENT_KEYWORDS = new Set(['timeout', 'expires']);

/** One element's text ("udp timeout 1m expires 59s996ms"): value, then keyword-duration pairs. */
function parseTimedElement(text: string, setTimeoutMs: number | undefined): NftTimedElement | undefined {
  const [value, ...rest] = text.trim().split(/\s+/);
  if (!value) return undefined;
  const timers: Record<string, number | undefined> = {};
  for (let i = 0; i < rest.length; i++) {
    const key = rest[i]!;
    if (!ELEMENT_KEYWORDS.has(key)) continue;
    // A duration of 0 prints as nothing: the next token is then a keyword, or there is none.
    const next = rest[i + 1];
    timers[key] = next === undefined || ELEMENT_KEYWORDS.has(next) ? 0 : parseNftDuration(next);
  }
  const timeoutMs = timers.timeout ?? setTimeoutMs;
  return { value, ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(timers.expires === undefined ? {} : { expiresMs: timers.expires }) };
}

/**
 * The elements of set `name` in a text listing (`nft list table F N`), with their timers to the
 * millisecond; undefined when the listing has no such set.
 */
export function parseSetTimers(text: string, name: string): NftTimedElement[] | undefined {
  // A set's block runs from "\tset NAME {" to the next line that is a lone "\t}".
  const block = new RegExp(`^\\tset ${name} \\{\\n([\\s\\S]*?)^\\t\\}$`, 'm').exec(text)?.[1];
  if (block === undefined) return undefined;
  const setTimeout = /^\t\ttimeout (\S+)$/m.exec(block)?.[1];
  const setTimeoutMs = setTimeout === undefined ? undefined : parseNftDuration(setTimeout);
  // Long element lists wrap over lines; elements hold no braces.
  const elements = /^\t\telements = \{([^}]*)\}/m.exec(block)?.[1] ?? '';
  return elements.split(',').flatMap((e) => parseTimedElement(e, setTimeoutMs) ?? []);
}

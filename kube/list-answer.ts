/**
 * A list answer parsed one item at a time: the body is scanned once for the elements of its
 * top-level `items` array, each element is parsed alone and handed to `pick`, and only what pick
 * keeps stays in memory. JSON.parse of a whole 64 MiB page of VMIs took `step select` to 421 MB
 * RSS (the pod's limit is 256 Mi), this to 289 MB: it holds the body and one item.
 * The scan follows JSON's structure only (strings, escapes, nesting); JSON.parse of each element
 * and of the envelope (the body without its items) still decides what is valid.
 */

/** A list page: the records pick kept, how many items the page held, its continue token. */
export interface ParsedList<T> {
  readonly items: T[];
  /** Items the answer held (kept or not). */
  readonly listed: number;
  /** `metadata.continue` when it is a non-empty string. */
  readonly continueToken?: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]
const COMMA = 0x2c;
const COLON = 0x3a;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ITEMS_KEY = Buffer.from('"items"');

/**
 * Parses a Kubernetes list answer, keeping `pick(item)` of each item.
 * @throws SyntaxError when the body is not JSON (or ends before its JSON does).
 */
export function parseListAnswer<T>(body: Buffer, pick: (item: unknown) => T | undefined): ParsedList<T> {
  const items: T[] = [];
  let listed = 0;
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let itemsKey = false; // the last depth-1 string was the key "items"
  let itemsOpen = -1; // offset of the items array's "["
  let itemsClose = -1; // offset of its "]"
  let element = -1; // start of the current element of the items array
  // Between elements: 'first' (after "["), 'comma' (after an element), 'element' (after a ",").
  let expect = 'first' as 'first' | 'comma' | 'element';
  const take = (end: number): void => {
    const text = body.toString('utf8', element, end).trim();
    element = -1;
    expect = 'comma';
    if (text === '') throw new SyntaxError('empty element in items');
    listed++;
    const kept = pick(JSON.parse(text) as unknown);
    if (kept !== undefined) items.push(kept);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        inString = false;
        if (depth === 1 && itemsOpen < 0) itemsKey = i + 1 - stringStart === ITEMS_KEY.length && body.subarray(stringStart, i + 1).equals(ITEMS_KEY);
      }
      continue;
    }
    const inItems = itemsOpen >= 0 && itemsClose < 0 && depth === 2;
    if (inItems && element < 0 && !WHITESPACE.has(c)) {
      // Exactly one comma between elements, none before the first or after the last.
      if (c === COMMA) {
        if (expect !== 'comma') throw new SyntaxError('misplaced comma in items');
        expect = 'element';
        continue;
      }
      if (CLOSE.has(c) ? expect === 'element' : expect === 'comma') throw new SyntaxError('missing element or comma in items');
      if (!CLOSE.has(c)) element = i;
    }
    if (c === QUOTE) {
      inString = true;
      stringStart = i;
    } else if (OPEN.has(c)) {
      if (depth === 1 && itemsKey && c === 0x5b && itemsOpen < 0) itemsOpen = i;
      depth++;
    } else if (CLOSE.has(c)) {
      if (inItems && element >= 0) take(i);
      depth--;
      if (depth < 0) throw new SyntaxError('unbalanced');
      if (depth === 1 && itemsOpen >= 0 && itemsClose < 0) itemsClose = i;
      // An element that is an object or array ends when its bracket closes.
      else if (depth === 2 && itemsOpen >= 0 && itemsClose < 0 && element >= 0) take(i + 1);
    } else if (c === COMMA && inItems && element >= 0) {
      take(i);
      expect = 'element';
    } else if (c === COLON) {
      continue;
    } else if (depth === 1 && !WHITESPACE.has(c)) {
      itemsKey = false;
    }
  }
  if (inString || depth !== 0) throw new SyntaxError('the JSON ends early');
  if (itemsOpen < 0) {
    // No items array at the top: an empty list, or not a list (JSON.parse says which).
    const whole = JSON.parse(body.toString('utf8')) as unknown;
    return { items, listed, ...tokenOf(whole) };
  }
  const envelope = JSON.parse(Buffer.concat([body.subarray(0, itemsOpen + 1), body.subarray(itemsClose)]).toString('utf8')) as unknown;
  return { items, listed, ...tokenOf(envelope) };
}

function tokenOf(list: unknown): { continueToken?: string } {
  const metadata = typeof list === 'object' && list !== null ? (list as { metadata?: unknown }).metadata : undefined;
  const token = typeof metadata === 'object' && metadata !== null ? (metadata as { continue?: unknown }).continue : undefined;
  return typeof token === 'string' && token !== '' ? { continueToken: token } : {};
}

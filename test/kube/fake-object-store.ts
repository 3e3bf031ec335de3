/**
 * The storage behind the test API server: objects serialized once and kept in etcd key order
 * (namespace, then name), listed a page at a time after a key, with a label selector.
 */
import { matchesLabels, type Requirement } from '../../scenario/index.js';

/** The two resources the server serves. */
export type Resource = 'pods' | 'virtualmachineinstances';

/** An object as stored. */
export interface Stored {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Field values a field selector may match (pods: `spec.nodeName`). */
  readonly fields?: Readonly<Record<string, string>>;
  /** Serialized once: lists of 50,000 objects are answered by concatenation. */
  readonly json: string;
}

/** A page of a list. */
export interface StoredPage {
  readonly items: readonly string[];
  /** Key of the last item when more items match after it. */
  readonly nextAfter?: string;
}

/** Objects of both resources, by key. */
export class ObjectStore {
  private readonly objects: Record<Resource, Map<string, Stored>> = { pods: new Map(), virtualmachineinstances: new Map() };
  private readonly sorted: Partial<Record<Resource, Stored[]>> = {};

  /** Adds or replaces an object. */
  put(resource: Resource, stored: Stored): void {
    this.objects[resource].set(storeKey(stored.namespace, stored.name), stored);
    delete this.sorted[resource];
  }

  /** Deletes an object. */
  remove(resource: Resource, namespace: string, name: string): void {
    this.objects[resource].delete(storeKey(namespace, name));
    delete this.sorted[resource];
  }

  /** One object, or undefined. */
  get(resource: Resource, namespace: string, name: string): Stored | undefined {
    return this.objects[resource].get(storeKey(namespace, name));
  }

  /**
   * Up to `limit` (0: all) objects of `namespace` (undefined: all namespaces) matching
   * `requirements`, after the key `after`.
   */
  list(resource: Resource, options: { namespace?: string; requirements: readonly Requirement[]; fields?: Readonly<Record<string, string>>; limit: number; after?: string }): StoredPage {
    const { namespace, requirements, limit } = options;
    const fields = Object.entries(options.fields ?? {});
    const all = (this.sorted[resource] ??= [...this.objects[resource].values()].sort((a, b) => compare(storeKey(a.namespace, a.name), storeKey(b.namespace, b.name))));
    let from = options.after === undefined ? 0 : upperBound(all, options.after);
    if (namespace !== undefined) from = Math.max(from, upperBound(all, storeKey(namespace, '')));
    // The next object this list returns at or after index `i`, or -1.
    const next = (i: number): number => {
      for (let j = i; j < all.length; j++) {
        const s = all[j]!;
        if (namespace !== undefined && s.namespace !== namespace) return -1;
        if (matchesLabels(requirements, s.labels) && fields.every(([k, v]) => s.fields?.[k] === v)) return j;
      }
      return -1;
    };
    const items: string[] = [];
    let last: Stored | undefined;
    for (let j = next(from); j >= 0 && (limit === 0 || items.length < limit); j = next(j + 1)) {
      last = all[j]!;
      items.push(last.json);
      from = j + 1;
    }
    const more = limit > 0 && last !== undefined && next(from) >= 0;
    return more ? { items, nextAfter: storeKey(last!.namespace, last!.name) } : { items };
  }
}

// etcd keys: /registry/<resource>/<namespace>/<name>; "\u0000" sorts a namespace before its names.
function storeKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first stored object whose key sorts after `k`. */
function upperBound(all: readonly Stored[], k: string): number {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(storeKey(all[mid]!.namespace, all[mid]!.name), k) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

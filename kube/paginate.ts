/**
 * Reading a whole list page by page (`limit`/`continue`), keeping only what `pick` extracts from
 * each item, so memory holds small records rather than every full API object at once.
 */
import type { StepLogger } from '../core/log.js';
import type { ListPage } from './client.js';
import { KubeApiError } from './errors.js';

/** Page size of every list: the API server's own default chunk size (client-go uses 500). */
export const PAGE_SIZE = 500;

/** What a paginated read returns. */
export interface Collected<T> {
  /** What `pick` kept, in the server's order. */
  readonly items: T[];
  /** Items the server returned (kept or not). */
  readonly listed: number;
  /** Requests that returned a page. */
  readonly pages: number;
}

/**
 * Reads every page of a list. When the continue token expires (HTTP 410 Expired: the list took
 * longer than etcd keeps the snapshot), the list is read again from the start, once.
 * @param fetchPage one request for the page after `continueToken` (undefined: the first).
 * @param pick the record to keep for an item, or undefined to drop it.
 * @throws what fetchPage throws; KubeApiError 410 when the token expires twice.
 */
export async function collectPages<R, T>(
  fetchPage: (continueToken: string | undefined) => Promise<ListPage<R>>,
  pick: (item: R) => T | undefined,
  log: StepLogger['log'],
): Promise<Collected<T>> {
  for (let restarts = 0; ; restarts++) {
    const items: T[] = [];
    let listed = 0;
    let pages = 0;
    let token: string | undefined;
    try {
      do {
        const page = await fetchPage(token);
        pages++;
        listed += page.items.length;
        for (const item of page.items) {
          const kept = pick(item);
          if (kept !== undefined) items.push(kept);
        }
        token = page.continueToken;
      } while (token);
      return { items, listed, pages };
    } catch (e) {
      const expired = e instanceof KubeApiError && e.status === 410 && token !== undefined;
      if (!expired || restarts >= 1) throw e;
      log('warn', `the list's continue token expired after ${pages} pages; reading the list again from the start`, { pages });
    }
  }
}

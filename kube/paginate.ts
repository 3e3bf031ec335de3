/**
 * Reading a whole list page by page (`limit`/`continue`), keeping only what `pick` extracts from
 * each item, so memory holds small records rather than every full API object at once.
 * The server is not trusted to end the list: a continue token seen before, or more pages than
 * any supported cluster needs, stops the read with KubeAnswerError.
 */
import { createHash } from 'node:crypto';
import type { StepLogger } from '../core/log.js';
import type { ListOrigin, ListPage } from './client.js';
import { KubeAnswerError, KubeApiError } from './errors.js';

/** Page size of every list: the API server's own default chunk size (client-go uses 500). */
export const PAGE_SIZE = 500;

/**
 * The most pages read of one list. The largest fleet we support, 10,000 VMIs, takes 20 pages of
 * 500 VMIs and at most 40 of launcher pods (two per VMI during a migration): 1,000 leaves a
 * margin of 25 times, and stops a server that never ends a list after a few seconds.
 */
export const MAX_LIST_PAGES = 1000;

/** Stands for the request when a page carries no origin (pages not read through KubeClient). */
const UNKNOWN_ORIGIN = { method: 'GET', path: '(list)' };

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
 * @throws what fetchPage throws; KubeApiError 410 when the token expires twice; KubeAnswerError
 *   when the server sends a continue token twice or the list does not end within MAX_LIST_PAGES.
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
    // Digests of the tokens seen, with the page that sent each: a token may be kilobytes long.
    const seen = new Map<string, number>();
    try {
      do {
        const page = await fetchPage(token);
        pages++;
        listed += page.listed ?? page.items.length;
        for (const item of page.items) {
          const kept = pick(item);
          if (kept !== undefined) items.push(kept);
        }
        token = page.continueToken;
        if (token) {
          const digest = createHash('sha256').update(token).digest('base64');
          const first = seen.get(digest);
          if (first !== undefined) throw endless(page.origin, `the server sent the same continue token on pages ${first} and ${pages}; a list that repeats a token never ends`);
          if (pages >= MAX_LIST_PAGES) throw endless(page.origin, tooManyPages(page.origin));
          seen.set(digest, pages);
        }
      } while (token);
      return { items, listed, pages };
    } catch (e) {
      const expired = e instanceof KubeApiError && e.status === 410 && token !== undefined;
      if (!expired || restarts >= 1) throw e;
      log('warn', `the list's continue token expired after ${pages} pages; reading the list again from the start`, { pages });
    }
  }
}

function endless(origin: ListOrigin | undefined, reason: string): KubeAnswerError {
  const { method, path } = origin ?? UNKNOWN_ORIGIN;
  return new KubeAnswerError(origin?.request ?? { verb: 'list', resource: { group: '', plural: 'unknown' } }, method, path, reason);
}

function tooManyPages(origin: ListOrigin | undefined): string {
  const per = origin ? ` (${(MAX_LIST_PAGES * origin.limit).toLocaleString('en-US')} items at ${origin.limit.toLocaleString('en-US')} per page)` : '';
  return `the list did not end within ${MAX_LIST_PAGES} pages${per}, the most this tool reads of one list`;
}

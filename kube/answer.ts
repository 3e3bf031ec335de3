/**
 * Answers of the API are not trusted: their size is bounded while they stream in, and their body
 * is parsed as JSON or refused with the request, the status and the first characters it holds.
 * The bound comes from the select step's memory limit (256 Mi): one answer of at most 32 MiB is
 * buffered once, and a list is parsed one item at a time (list-answer.ts), so its objects never
 * all exist at once: the process (~135 MB) plus the answer stays under the limit.
 */
import type { RequestContext, ResponseContext } from '@kubernetes/client-node';
import { parseListAnswer, type ParsedList } from './list-answer.js';
import { printable } from './printable.js';

/**
 * The most bytes one answer may hold (32 MiB); a larger one is cut off while it streams. A page of
 * 500 VMIs or launcher pods takes 2 to 8 MB (3 to 15 KB each); with 32 MiB, the largest answer
 * accepted peaked at 218 MB RSS in `step select` (bench/select/big-answer.mjs), 64 MiB at 289 MB.
 */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** Characters of a refused answer shown in the message. */
const HEAD_CHARS = 64;

/** An answer that arrived but cannot be used: too large, or not JSON. Never retried. */
export class UnreadableAnswerError extends Error {
  constructor(
    /** HTTP method of the request, e.g. GET. */
    readonly method: string,
    /** URL path of the request, without its query. */
    readonly path: string,
    /** Why the answer is refused, in words. */
    readonly reason: string,
  ) {
    super(`${method} ${path}: ${reason}`);
  }
}
UnreadableAnswerError.prototype.name = 'UnreadableAnswerError';

/** Why an answer larger than `maxBytes` is refused. */
export function tooLargeReason(maxBytes: number): string {
  return `the answer exceeds ${formatBytes(maxBytes)}, the most this tool reads of one response; it was cut off there`;
}

/**
 * The JSON body of a 2xx answer.
 * @throws UnreadableAnswerError when the body is not JSON (an HTML page of a proxy, JSON cut short).
 */
export async function parseJsonAnswer(response: ResponseContext, request: RequestContext): Promise<unknown> {
  const bytes = await response.body.binary();
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw notJson(response, request, bytes);
  }
}

/**
 * A 2xx list answer, parsed one item at a time through `pick` (see list-answer.ts).
 * @throws UnreadableAnswerError when the body is not JSON.
 */
export async function parseListBody<T>(response: ResponseContext, request: RequestContext, pick: (item: unknown) => T | undefined): Promise<ParsedList<T>> {
  const bytes = await response.body.binary();
  try {
    return parseListAnswer(bytes, pick);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw notJson(response, request, bytes);
  }
}

function notJson(response: ResponseContext, request: RequestContext, bytes: Buffer): UnreadableAnswerError {
  const { method, path } = requestOrigin(request);
  const type = response.headers['content-type'] ?? '';
  // Only the head is decoded: the body may be 64 MiB.
  const head = printable(bytes.subarray(0, HEAD_CHARS * 4).toString('utf8'), HEAD_CHARS, { ellipsis: false });
  const reason = `the HTTP ${response.httpStatusCode} answer is not JSON (content-type ${printable(type)}, ${bytes.length} bytes); it begins ${head}`;
  return new UnreadableAnswerError(method, path, reason);
}

/** The method and URL path of a request (its query left out: tokens and selectors are long). */
export function requestOrigin(request: RequestContext): { readonly method: string; readonly path: string } {
  return { method: request.getHttpMethod(), path: new URL(request.getUrl()).pathname };
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

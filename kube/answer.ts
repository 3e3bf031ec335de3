/**
 * Answers of the API are not trusted: their size is bounded while they stream in, and their body
 * is parsed as JSON or refused with the request, the status and the first characters it holds.
 * The bound comes from the select step's memory limit (256 Mi): one answer of at most 64 MiB,
 * buffered once and parsed into a few times its size in objects, fits beside the process itself.
 */
import type { RequestContext, ResponseContext } from '@kubernetes/client-node';
import { printable } from './printable.js';

/** The most bytes one answer may hold (64 MiB); a larger one is cut off while it streams. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

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
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const { method, path } = requestOrigin(request);
    const type = response.headers['content-type'] ?? '';
    const head = printable(text, HEAD_CHARS, { ellipsis: false });
    const reason = `the HTTP ${response.httpStatusCode} answer is not JSON (content-type ${printable(type)}, ${bytes.length} bytes); it begins ${head}`;
    throw new UnreadableAnswerError(method, path, reason);
  }
}

/** The method and URL path of a request (its query left out: tokens and selectors are long). */
export function requestOrigin(request: RequestContext): { readonly method: string; readonly path: string } {
  return { method: request.getHttpMethod(), path: new URL(request.getUrl()).pathname };
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

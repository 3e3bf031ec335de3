/**
 * The HTTP library under `@kubernetes/client-node`: the client's own (node-fetch) has no request
 * timeout, and a step that hangs on a silent API server holds a workflow forever. This one sends
 * each request with node:http(s) through the agent the client prepared (TLS, proxy) and fails
 * it with TransportError ETIMEDOUT when headers and body are not in within the timeout, and with
 * UnreadableAnswerError as soon as the body grows past its byte bound (counted as it streams: a
 * 300 MB answer is never held).
 */
import http from 'node:http';
import https from 'node:https';
import {
  ResponseContext,
  SelfDecodingBody,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
import { VERSION } from '../core/version.js';
import { MAX_ANSWER_BYTES, tooLargeReason, UnreadableAnswerError } from './answer.js';

/** A request that got no complete HTTP answer: connection refused or reset, DNS, timeout. */
export class TransportError extends Error {
  constructor(
    /** Origin of the server, e.g. https://10.96.0.1:443. */
    readonly server: string,
    /** Node's error code (ECONNREFUSED, ECONNRESET, ENOTFOUND…), or ETIMEDOUT for our timeout. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`${server}: ${code}`, options);
  }
}
TransportError.prototype.name = 'TransportError';

/**
 * An HttpLibrary whose every request ends within `timeoutMs`, answer body included, and whose
 * answers hold at most `maxBytes` (default MAX_ANSWER_BYTES, 32 MiB).
 * @throws (from send) TransportError when no complete answer arrives; UnreadableAnswerError when
 *   the answer is larger than `maxBytes`.
 */
export function timedHttpLibrary(timeoutMs: number, maxBytes = MAX_ANSWER_BYTES): HttpLibrary {
  return wrapHttpLibrary({ send: async (request) => send(request, timeoutMs, maxBytes) });
}

function send(request: RequestContext, timeoutMs: number, maxBytes: number): Promise<ResponseContext> {
  const url = new URL(request.getUrl());
  const client = url.protocol === 'https:' ? https : http;
  const body = request.getBody();
  if (body !== undefined && typeof body !== 'string') {
    // Only reads go through here; multipart or form bodies would need another encoder.
    return Promise.reject(new TypeError(`unsupported request body for ${request.getHttpMethod()} ${url.pathname}`));
  }
  return new Promise((resolve, reject) => {
    let done = false;
    const stop = (error: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const fail = (code: string, cause?: unknown): void => stop(new TransportError(url.origin, code, { cause }));
    const tooLarge = (): void => stop(new UnreadableAnswerError(request.getHttpMethod(), url.pathname, tooLargeReason(maxBytes)));
    const req = client.request(
      url,
      {
        method: request.getHttpMethod(),
        headers: { 'user-agent': `vmi-network-filter/${VERSION}`, ...request.getHeaders() },
        agent: request.getAgent(),
      },
      (res) => {
        // A length announced beyond the bound is refused before its first byte is read.
        if (Number(res.headers['content-length'] ?? 0) > maxBytes) return tooLarge();
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxBytes) return tooLarge();
          chunks.push(chunk);
        });
        res.on('error', (e) => fail(errorCode(e), e));
        // A connection closed mid-body emits 'close' without 'end'.
        res.on('close', () => {
          if (!res.complete) fail('ECONNRESET');
        });
        res.on('end', () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const body = Buffer.concat(chunks, received);
          chunks.length = 0;
          resolve(new ResponseContext(res.statusCode ?? 0, headers, new SelfDecodingBody(Promise.resolve(body))));
        });
      },
    );
    const timer = setTimeout(() => fail('ETIMEDOUT'), timeoutMs);
    req.on('error', (e) => fail(errorCode(e), e));
    req.end(body);
  });
}

function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : 'ECONNRESET';
}

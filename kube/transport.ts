/**
 * The HTTP library under `@kubernetes/client-node`: the client's own (node-fetch) has no request
 * timeout, and a step that hangs on a silent API server holds a workflow forever. This one sends
 * each request with node:http(s) through the agent the client prepared (TLS, proxy) and fails
 * it with TransportError ETIMEDOUT when headers and body are not in within the timeout.
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
 * An HttpLibrary whose every request ends within `timeoutMs`, answer body included.
 * @throws (from send) TransportError when no complete answer arrives.
 */
export function timedHttpLibrary(timeoutMs: number): HttpLibrary {
  return wrapHttpLibrary({ send: async (request) => send(request, timeoutMs) });
}

function send(request: RequestContext, timeoutMs: number): Promise<ResponseContext> {
  const url = new URL(request.getUrl());
  const client = url.protocol === 'https:' ? https : http;
  const body = request.getBody();
  if (body !== undefined && typeof body !== 'string') {
    // Only reads go through here; multipart or form bodies would need another encoder.
    return Promise.reject(new TypeError(`unsupported request body for ${request.getHttpMethod()} ${url.pathname}`));
  }
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (code: string, cause?: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(new TransportError(url.origin, code, { cause }));
    };
    const req = client.request(
      url,
      {
        method: request.getHttpMethod(),
        headers: { 'user-agent': `vmi-network-filter/${VERSION}`, ...request.getHeaders() },
        agent: request.getAgent(),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
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
          resolve(new ResponseContext(res.statusCode ?? 0, headers, new SelfDecodingBody(Promise.resolve(Buffer.concat(chunks)))));
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

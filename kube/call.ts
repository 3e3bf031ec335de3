/**
 * One API call with the boundary's policy: bounded retries with backoff on 429, 5xx and
 * connection failures other than TLS trust (each retry logged), then the failure as a typed
 * error of errors.ts.
 * All our calls are reads (get, list), so repeating one is always safe.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException } from '@kubernetes/client-node';
import type { StepLogger } from '../core/log.js';
import { UnreadableAnswerError } from './answer.js';
import { describeRequest, type ApiRequest } from './api-request.js';
import { isTlsErrorCode, KubeAccessError, KubeAnswerError, KubeApiError, KubeConnectionError, KubeNotFoundError, type ServerStatus } from './errors.js';
import { printable } from './printable.js';
import { isRetryableStatus, parseRetryAfter, retryDelay, type RetryOptions } from './retry-policy.js';
import { TransportError } from './transport.js';

/** Where a call logs (its retries) and how it retries. */
export interface CallContext {
  readonly log: StepLogger['log'];
  readonly retry: RetryOptions;
}

type Failure =
  | { readonly kind: 'status'; readonly status: number; readonly server: ServerStatus; readonly retryAfterMs?: number }
  | { readonly kind: 'transport'; readonly server: string; readonly code: string };

/**
 * Runs `send` (one request through the client) until it succeeds or the retries are spent.
 * @throws KubeAccessError (401/403), KubeNotFoundError (404), KubeApiError (other statuses),
 *   KubeConnectionError (no answer), KubeAnswerError (an answer too large or not JSON: not
 *   retried, a server that sent one will send it again); any other error of `send` unchanged.
 */
export async function callApi<T>(request: ApiRequest, send: () => Promise<T>, context: CallContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      if (e instanceof UnreadableAnswerError) throw new KubeAnswerError(request, e.method, e.path, e.reason);
      const failure = classify(e);
      if (!failure) throw e;
      // A certificate that is not trusted now will not be trusted in a second either.
      const retryable = failure.kind === 'transport' ? !isTlsErrorCode(failure.code) : isRetryableStatus(failure.status);
      const delay = retryable ? retryDelay(attempt, failure.kind === 'status' ? failure.retryAfterMs : undefined, context.retry) : undefined;
      if (delay === undefined) throw toKubeError(request, failure, attempt, e);
      const cause = failure.kind === 'status' ? `HTTP ${failure.status}` : failure.code;
      context.log('warn', `retrying ${describeRequest(request)} in ${delay} ms after ${cause} (attempt ${attempt + 1} of ${context.retry.maxAttempts})`, {
        request: describeRequest(request),
        ...(failure.kind === 'status' ? { status: failure.status } : { code: failure.code }),
        ...(failure.kind === 'status' && failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
        attempt: attempt + 1,
        maxAttempts: context.retry.maxAttempts,
        delayMs: delay,
      });
      await sleep(delay);
    }
  }
}

function classify(e: unknown): Failure | undefined {
  if (e instanceof TransportError) return { kind: 'transport', server: e.server, code: e.code };
  if (e instanceof ApiException) {
    const headers = (e.headers ?? {}) as Record<string, string>;
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    return { kind: 'status', status: e.code, server: serverStatus(e.body), ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return undefined;
}

/** The reason and message of a Kubernetes `Status` body (sent as JSON text with error codes). */
function serverStatus(body: unknown): ServerStatus {
  let status: unknown = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      // An error page of a proxy, not a Status: its first characters, escaped (it may be HTML).
      return body.trim() === '' ? {} : { message: printable(body.trim(), 200) };
    }
  }
  const fields = typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : {};
  return {
    ...(typeof fields.reason === 'string' && fields.reason !== '' ? { reason: fields.reason } : {}),
    ...(typeof fields.message === 'string' && fields.message !== '' ? { message: fields.message } : {}),
  };
}

function toKubeError(request: ApiRequest, failure: Failure, attempts: number, cause: unknown): Error {
  if (failure.kind === 'transport') return new KubeConnectionError(request, failure.server, failure.code, attempts, { cause });
  const { status, server } = failure;
  if (status === 401 || status === 403) return new KubeAccessError(request, status, server, attempts);
  if (status === 404) return new KubeNotFoundError(request, status, server, attempts);
  return new KubeApiError(request, status, server, attempts);
}

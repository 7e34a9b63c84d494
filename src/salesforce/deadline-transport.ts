/**
 * The HTTP transport under jsforce, replaced. Every request the adapter makes (REST,
 * Tooling, SOAP Metadata and the OAuth token endpoint) is one fetch:
 *
 *  - with no retry of its own: the adapter's policy (jsforce-session.ts) is the only one;
 *  - bounded by a total deadline that covers the response body too, so an org (or a proxy)
 *    that sends headers and then trickles bytes cannot hold an activity past it;
 *  - aborted at once when the activity's signal aborts (Temporal cancelled the activity or
 *    its heartbeat timed out), read from the call context.
 *
 * jsforce's own transport can do neither: its `timeout` stops at the response headers and
 * it hands fetch an AbortController of its own that nobody outside can reach.
 *
 * What fails here is thrown as a plain error (`RequestDeadlineExceeded`, `RequestAborted`,
 * or a `FetchError` with the socket's code) through jsforce to the session's call loop,
 * which knows the operation and turns it into a RotationError.
 */
import { PassThrough } from 'node:stream';
import { Transport } from 'jsforce/lib/transport';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce/lib/types';
import { StreamPromise } from 'jsforce/lib/util/promise';
import { DeadlineExceeded, deadlineSignal } from '../runtime/call-context';

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** No complete answer within the deadline. */
export class RequestDeadlineExceeded extends Error {
  override readonly name = 'RequestDeadlineExceeded';
  constructor(
    readonly request: string,
    readonly deadlineMs: number,
  ) {
    super(`${request}: no complete answer within ${formatMs(deadlineMs)}`);
  }
}

/** The activity's signal aborted the request. */
export class RequestAborted extends Error {
  override readonly name = 'RequestAborted';
  constructor(readonly request: string) {
    super(`${request}: aborted because the activity was cancelled`);
  }
}

/** The request got no HTTP answer; named like node-fetch's so the failure reads as a network error. */
class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Headers fetch computes itself (a stale content-length from jsforce would break the request). */
const FETCH_OWNED_HEADERS = new Set(['content-length', 'host', 'connection', 'transfer-encoding']);

export class DeadlineTransport extends Transport {
  constructor(private readonly deadlineMs: number = DEFAULT_REQUEST_TIMEOUT_MS) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> {
    return StreamPromise.create(() => {
      // jsforce pipes its lazy stream through this one; it gets the body once it is complete
      const stream = new PassThrough();
      const promise = this.send(req, options).then((response) => {
        stream.end(response.body);
        return response;
      });
      promise.catch(() => stream.end());
      return { stream, promise };
    });
  }

  private async send(req: HttpRequest, options: HttpRequestOptions): Promise<HttpResponse> {
    const what = `${req.method} ${pathOf(req.url)}`;
    const deadline = deadlineSignal(this.deadlineMs);
    try {
      const response = await fetch(req.url, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers ?? {}).filter(([name]) => !FETCH_OWNED_HEADERS.has(name.toLowerCase()))),
        ...(bodyAllowed(req.method) && req.body !== undefined && req.body !== null ? { body: fetchBody(req.body) } : {}),
        redirect: options.followRedirect === false ? 'manual' : 'follow',
        signal: deadline.signal,
      });
      const body = Buffer.from(await response.arrayBuffer()).toString(options.encoding ?? 'utf8');
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { statusCode: response.status, headers, body };
    } catch (err) {
      if (deadline.signal.aborted) {
        throw deadline.signal.reason instanceof DeadlineExceeded ? new RequestDeadlineExceeded(what, this.deadlineMs) : new RequestAborted(what);
      }
      throw networkError(err, what);
    } finally {
      deadline.dispose();
    }
  }
}

function bodyAllowed(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** jsforce sends strings (JSON, SOAP envelopes, form bodies); nothing certrot calls streams one. */
function fetchBody(body: NonNullable<HttpRequest['body']>): string | Buffer | URLSearchParams {
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof URLSearchParams) return body;
  throw new Error('the Salesforce transport sends string, Buffer or URLSearchParams bodies only');
}

/** undici's "fetch failed" hides the socket's code in `cause`; surface it. Other errors pass unchanged. */
function networkError(err: unknown, what: string): unknown {
  if (!(err instanceof TypeError)) return err;
  const cause: unknown = err.cause;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const reason = cause instanceof Error ? cause.message : err.message;
  return new FetchError(`${what}: ${reason}`, code);
}

/** The path only: the query string can hold SOQL or anonymous Apex, never wanted in messages. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid URL)';
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

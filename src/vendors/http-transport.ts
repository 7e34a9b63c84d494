/**
 * One HTTP(S) request with node:http/https, for the vendor adapters. node:https rather than
 * the global fetch because two-way TLS needs a client certificate and key on the socket.
 *
 * TLS verification is always on. `caPem` adds a CA to the system's roots (for a vendor, or
 * the sandbox, behind a private CA); it never replaces them and nothing here turns
 * `rejectUnauthorized` off. Each request uses its own connection (`agent: false`) so no
 * idle keep-alive socket outlives the call and a client certificate is never reused for a
 * request that did not ask for it.
 *
 * Every request has a total deadline (connect to last byte, not an idle timeout: a peer
 * that trickles a byte now and then is still cut at the deadline), combined with the
 * calling activity's AbortSignal (../runtime/call-context.ts). Either way the socket is
 * destroyed at once. The rejection is the signal's reason: a `DeadlineExceeded` for the
 * deadline, the activity's own reason (Temporal's CancelledFailure) for a cancellation, so
 * the caller can tell "too slow, try again" from "stop".
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { deadlineSignal } from '../runtime/call-context';

export interface TlsClientOptions {
  /** An extra CA certificate (PEM, may hold several) to trust besides the system roots. */
  caPem?: string;
  /** Present this certificate when the server asks for one (two-way TLS). */
  clientCertificate?: { certificatePem: string; privateKeyPem: string };
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** Total time for the request, from connecting to the last byte of the answer. */
  timeoutMs: number;
  tls?: TlsClientOptions;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Resolves with any HTTP status; rejects only when no complete answer arrived: with the
 * abort reason when stopped (see the module comment), otherwise with node's error, which
 * keeps its `code` (ECONNREFUSED, ECONNRESET, a TLS code).
 */
export function sendHttpRequest(request: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolveAnswer, rejectAnswer) => {
    const deadline = deadlineSignal(request.timeoutMs);
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
      finish();
    };
    const resolve = (response: HttpResponse): void => settle(() => resolveAnswer(response));
    const reject = (error: Error): void => settle(() => rejectAnswer(error));
    let req: http.ClientRequest | undefined;
    function onAbort(): void {
      const reason = abortReasonOf(deadline.signal);
      reject(reason);
      req?.destroy(reason);
    }
    if (deadline.signal.aborted) {
      onAbort();
      return;
    }
    deadline.signal.addEventListener('abort', onAbort, { once: true });

    const { url } = request;
    const headers: Record<string, string> = { ...(request.headers ?? {}) };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const common: http.RequestOptions = {
      method: request.method,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? undefined : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers,
      agent: false,
    };
    if (url.protocol === 'https:') {
      const options: https.RequestOptions = {
        ...common,
        rejectUnauthorized: true,
        ...(request.tls?.caPem ? { ca: [...tls.rootCertificates, request.tls.caPem] } : {}),
        ...(request.tls?.clientCertificate
          ? { cert: request.tls.clientCertificate.certificatePem, key: request.tls.clientCertificate.privateKeyPem }
          : {}),
      };
      req = https.request(options);
    } else if (url.protocol === 'http:') {
      req = http.request(common);
    } else {
      reject(Object.assign(new Error(`Unsupported URL scheme "${url.protocol}"; use http: or https:.`), { code: 'ERR_INVALID_PROTOCOL' }));
      return;
    }
    const sent = req;
    sent.on('error', reject);
    sent.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          const tooLarge = Object.assign(new Error(`Response larger than ${MAX_RESPONSE_BYTES} bytes`), { code: 'ERESPONSETOOLARGE' });
          reject(tooLarge);
          sent.destroy(tooLarge);
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      // Closed before 'end' (a no-op once settled): the peer hung up mid-answer.
      res.on('close', () => reject(Object.assign(new Error('The response was cut off'), { code: 'ECONNRESET' })));
    });
    sent.end(request.body);
  });
}

/** An aborted signal's reason as an Error (Temporal aborts with a CancelledFailure; others with anything). */
export function abortReasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error(`The call was cancelled${typeof reason === 'string' ? ` (${reason})` : ''}`), { name: 'AbortError' });
}

/** node's error code of a failed request ("ECONNREFUSED", "CERT_HAS_EXPIRED", ...). */
export function errorCodeOf(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * TLS failures that retrying will not fix: we cannot verify the server, or the server
 * refused our client certificate during the handshake.
 */
export function isTlsTrustFailure(error: unknown): boolean {
  const code = errorCodeOf(error) ?? '';
  return (
    /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|ISSUER/.test(code) ||
    /^ERR_SSL_.*(ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE|ACCESS_DENIED))/.test(code)
  );
}

/**
 * Plain http: is only for the local sandbox: anything else would send bearer tokens and
 * webhook secrets in clear text.
 */
export function isAllowedEndpoint(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

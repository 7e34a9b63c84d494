/**
 * One HTTP(S) request with node:http/https, for the vendor adapters. node:https rather than
 * the global fetch because two-way TLS needs a client certificate and key on the socket.
 *
 * TLS verification is always on. `caPem` adds a CA to the system's roots (for a vendor, or
 * the sandbox, behind a private CA); it never replaces them and nothing here turns
 * `rejectUnauthorized` off. Each request uses its own connection (`agent: false`) so no
 * idle keep-alive socket outlives the call and a client certificate is never reused for a
 * request that did not ask for it.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

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
 * Resolves with any HTTP status; rejects only when no complete answer arrived (the error
 * keeps node's `code`, e.g. ECONNREFUSED, ECONNRESET, ETIMEDOUT, or a TLS code).
 */
export function sendHttpRequest(request: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
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
    let req: http.ClientRequest;
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
    req.setTimeout(request.timeoutMs, () => {
      req.destroy(Object.assign(new Error(`No answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(Object.assign(new Error(`Response larger than ${MAX_RESPONSE_BYTES} bytes`), { code: 'ERESPONSETOOLARGE' }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('aborted', () => reject(Object.assign(new Error('The response was cut off'), { code: 'ECONNRESET' })));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.end(request.body);
  });
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

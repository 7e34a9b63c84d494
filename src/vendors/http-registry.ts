/**
 * The `http` vendor adapter: a vendor whose key registry has the REST API described in
 * api/vendor-key-registry.openapi.yaml.
 *
 * - Authentication: a bearer token, a client certificate (two-way TLS), or both.
 * - Every write carries an Idempotency-Key derived from what the write means and from the
 *   rotation run asking, so retries here, Temporal's activity retries, and a restarted
 *   worker all send the same key and the vendor applies the write once, while a later run
 *   repeating the write is a new request.
 * - Transient failures (5xx, 429, network) are retried with exponential backoff and full
 *   jitter; what is left over becomes VENDOR_UNAVAILABLE (retryable) for Temporal to retry
 *   on its own, slower schedule.
 * - Each request has a total deadline (`timeoutMs`, default 30 s). A vendor that missed it
 *   is not asked again here (it is slow, not briefly broken): the call fails at once with
 *   a retryable VENDOR_UNAVAILABLE naming the vendor and the operation. When the calling
 *   activity is cancelled the request stops at once and the activity's reason is rethrown,
 *   so Temporal records a cancellation rather than a vendor failure.
 * - Every other failure is a RotationError whose message says what to do about it, and
 *   never contains the token or the private key.
 */
import { z } from 'zod';
import { normalizeFingerprint, spkiFingerprint } from '../certificates';
import { RotationError, type ErrorCode } from '../domain/errors';
import { currentSignal, DeadlineExceeded } from '../runtime/call-context';
import { abortReasonOf, errorCodeOf, isAllowedEndpoint, isTlsTrustFailure, sendHttpRequest, type HttpResponse } from './http-transport';
import { deriveIdempotencyKey } from './idempotency-key';
import { describeEndpoint, safeErrorMessage } from './redact';
import { readApprovalState, sendContinuity, type ApprovalCaller } from './registry-approvals';
import {
  capabilitiesResponseSchema,
  errorBodySchema,
  keyActionPath,
  keyChangeResponseSchema,
  keysPath,
  listKeysResponseSchema,
  verifyResponseSchema,
  type ErrorBody,
  type KeyAction,
  type WireKey,
} from './registry-wire';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry-policy';
import type { ContinuityVerdict, RegistryApprovalState } from '../domain/approval-route';
import type { SignedContinuityStatement } from '../domain/continuity-statement';
import type { ActivateKeyOptions, KeyRegistry, RegistryCapabilities, SignatureVerification, StageKeyOptions, VendorCallContext, VendorKey } from './vendor-port';

/** Configuration as the worker reads it; validated once at start-up. */
export const httpRegistryConfigSchema = z
  .object({
    /** Shown in messages, e.g. "Acme CPQ"; `createVendor` defaults it to the vendor's id. */
    vendorName: z.string().min(1).optional(),
    /** https://registry.vendor.example (http: only on loopback, for the local sandbox). */
    baseUrl: z.url({ protocol: /^https?$/ }).refine(isAllowedEndpoint, 'must be an https: URL (plain http: only for 127.0.0.1/localhost)'),
    bearerToken: z.string().min(1).optional(),
    clientCertificate: z.object({ certificatePem: z.string().min(1), privateKeyPem: z.string().min(1) }).optional(),
    /** An extra CA (PEM) to trust besides the system roots. */
    caPem: z.string().min(1).optional(),
    /** Total time one request may take, connect to last byte (not an idle timeout). */
    timeoutMs: z.number().int().positive().default(30_000),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(20),
        initialDelayMs: z.number().int().min(0),
        maxDelayMs: z.number().int().min(0),
        multiplier: z.number().min(1),
      })
      .partial()
      .default({}),
  })
  .refine((c) => c.bearerToken !== undefined || c.clientCertificate !== undefined, {
    message: 'set bearerToken or clientCertificate (or both): the vendor registry needs credentials',
    path: ['bearerToken'],
  });
export type HttpRegistryConfig = z.input<typeof httpRegistryConfigSchema>;

/** Seams for tests: randomness of the jitter and the way to wait. */
export interface HttpRegistryDeps {
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One request to the registry (also what ./registry-approvals.ts sends through `call`). */
export interface Call<T> {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  schema: z.ZodType<T>;
  orgId: string;
  fingerprint?: string;
  body?: Record<string, unknown>;
  /** Writes only. */
  idempotencyKey?: string;
}

export class HttpVendorRegistry implements KeyRegistry {
  readonly kind = 'registry';
  readonly name: string;
  private readonly config: z.output<typeof httpRegistryConfigSchema>;
  private readonly retry: RetryPolicy;
  private readonly base: URL;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(config: HttpRegistryConfig, deps: HttpRegistryDeps = {}) {
    const parsed = httpRegistryConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? issue.path.join('.') || '(root)' : '(root)';
      throw new RotationError('CONFIG_INVALID', `Vendor registry configuration: "${where}" ${issue?.message ?? 'is invalid'}.`, {
        details: { field: where },
      });
    }
    this.config = parsed.data;
    this.name = parsed.data.vendorName ?? 'vendor';
    this.retry = { ...DEFAULT_RETRY_POLICY, ...parsed.data.retry };
    this.base = new URL(parsed.data.baseUrl.endsWith('/') ? parsed.data.baseUrl : `${parsed.data.baseUrl}/`);
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? sleepUnlessCancelled;
  }

  async capabilities(orgId: string): Promise<RegistryCapabilities> {
    const answer = await this.call({
      operation: 'capabilities',
      method: 'GET',
      path: `/v1/orgs/${encodeURIComponent(orgId)}/capabilities`,
      schema: capabilitiesResponseSchema,
      orgId,
    });
    return { multipleActiveKeys: answer.multipleActiveKeys, approvalState: answer.approvalState === true, continuity: answer.continuity === true };
  }

  async listKeys(orgId: string): Promise<VendorKey[]> {
    const answer = await this.call({ operation: 'listKeys', method: 'GET', path: keysPath(orgId), schema: listKeysResponseSchema, orgId });
    return answer.keys.map(toVendorKey);
  }

  async stageKey(orgId: string, certificatePem: string, options: StageKeyOptions): Promise<string> {
    const fingerprint = spkiFingerprint(certificatePem);
    const body = { certificatePem };
    const answer = await this.call({
      operation: 'stageKey',
      method: 'POST',
      path: keysPath(orgId),
      schema: keyChangeResponseSchema,
      orgId,
      fingerprint,
      body,
      idempotencyKey: deriveIdempotencyKey({ operation: 'stageKey', orgId, fingerprint, body, run: options.run }),
    });
    const bound = normalizeFingerprint(answer.key.fingerprint);
    if (bound !== fingerprint) {
      throw new RotationError(
        'KEY_REJECTED',
        `Vendor ${this.name} staged a key with fingerprint ${bound} for org "${orgId}" but the certificate we sent has ${fingerprint}. The vendor bound the wrong key: do not activate it; ask the vendor to check their registry.`,
        { details: { orgId, expected: fingerprint, bound } },
      );
    }
    return bound;
  }

  activateKey(orgId: string, fingerprint: string, options: ActivateKeyOptions): Promise<void> {
    return this.changeKey('activate', orgId, fingerprint, options.replace === true ? { replace: true } : {}, options);
  }

  retireKey(orgId: string, fingerprint: string, options: VendorCallContext): Promise<void> {
    return this.changeKey('retire', orgId, fingerprint, {}, options);
  }

  restoreKey(orgId: string, fingerprint: string, options: ActivateKeyOptions): Promise<void> {
    return this.changeKey('restore', orgId, fingerprint, options.replace === true ? { replace: true } : {}, options);
  }

  async verifySignature(orgId: string, nonce: string, signatureBase64: string): Promise<SignatureVerification> {
    const answer = await this.call({
      operation: 'verifySignature',
      method: 'POST',
      path: `/v1/orgs/${encodeURIComponent(orgId)}/signatures:verify`,
      schema: verifyResponseSchema,
      orgId,
      body: { nonce, signature: signatureBase64, algorithm: 'RSA-SHA256' },
    });
    return {
      valid: answer.valid,
      matchedFingerprint: answer.matchedFingerprint === null ? null : normalizeFingerprint(answer.matchedFingerprint),
    };
  }

  approvalState(orgId: string, fingerprint: string): Promise<RegistryApprovalState> {
    return readApprovalState(this.approvalCaller(), orgId, fingerprint);
  }

  submitContinuity(orgId: string, fingerprint: string, signed: SignedContinuityStatement, options: VendorCallContext): Promise<ContinuityVerdict> {
    return sendContinuity(this.approvalCaller(), orgId, fingerprint, signed, options);
  }

  private approvalCaller(): ApprovalCaller {
    return { vendor: this.name, who: `Vendor ${this.name} (${describeEndpoint(this.base)})`, call: (call) => this.call(call) };
  }

  private async changeKey(
    action: KeyAction,
    orgId: string,
    fingerprint: string,
    body: Record<string, unknown>,
    context: VendorCallContext,
  ): Promise<void> {
    const canonical = normalizeFingerprint(fingerprint);
    const operation = `${action}Key`;
    await this.call({
      operation,
      method: 'POST',
      path: keyActionPath(orgId, canonical, action),
      schema: keyChangeResponseSchema,
      orgId,
      fingerprint: canonical,
      body,
      idempotencyKey: deriveIdempotencyKey({ operation, orgId, fingerprint: canonical, body, run: context.run }),
    });
  }

  private async call<T>(call: Call<T>): Promise<T> {
    const url = new URL(call.path.replace(/^\//, ''), this.base);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (this.config.bearerToken !== undefined) headers.authorization = `Bearer ${this.config.bearerToken}`;
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);

    for (let attempt = 1; ; attempt += 1) {
      throwIfCancelled();
      const lastAttempt = attempt >= this.retry.maxAttempts;
      let response: HttpResponse;
      try {
        response = await sendHttpRequest({
          method: call.method,
          url,
          headers,
          body,
          timeoutMs: this.config.timeoutMs,
          tls: { caPem: this.config.caPem, clientCertificate: this.config.clientCertificate },
        });
      } catch (error) {
        throwIfCancelled();
        if (error instanceof DeadlineExceeded) throw this.deadlineMissed(call);
        if (isTlsTrustFailure(error)) throw this.tlsFailure(call, error);
        if (lastAttempt) throw this.unreachable(call, attempt, error);
        await this.sleep(backoffDelayMs(this.retry, attempt, this.random));
        continue;
      }
      if (response.status >= 200 && response.status < 300) return this.parseAnswer(call, response);
      if (isRetryableStatus(response.status)) {
        if (lastAttempt) throw this.unavailable(call, attempt, response);
        const retryAfter = parseRetryAfter(headerValue(response.headers['retry-after']));
        await this.sleep(backoffDelayMs(this.retry, attempt, this.random, retryAfter));
        continue;
      }
      throw this.refusal(call, response);
    }
  }

  private parseAnswer<T>(call: Call<T>, response: HttpResponse): T {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) {
      throw this.error('VENDOR_UNAVAILABLE', call, `answered ${call.operation} with HTTP ${response.status} but a body that does not match the registry contract (api/vendor-key-registry.openapi.yaml); the vendor's API may have changed: check with the vendor before retrying.`, {
        retryable: false,
        details: { status: response.status },
      });
    }
    return parsed.data;
  }

  /** A 4xx other than 429: the vendor understood and said no. */
  private refusal(call: Call<unknown>, response: HttpResponse): RotationError {
    const vendorError = parseErrorBody(response.body);
    const said = this.safe(vendorError ? `${vendorError.code}: ${vendorError.message}` : `HTTP ${response.status}`);
    const details = { status: response.status, vendorCode: vendorError?.code ?? null };
    const org = `org "${call.orgId}"`;
    const key = call.fingerprint ?? '(no key)';
    if (response.status === 401 || response.status === 403) {
      return this.error('VENDOR_AUTH_FAILED', call, `refused our credentials for ${call.operation} on ${org} (HTTP ${response.status}, ${said}). Check the bearer token / client certificate configured for this vendor and that it is allowed to manage ${org}; retrying will not help until that is fixed.`, { details });
    }
    switch (vendorError?.code) {
      case 'KEY_LIMIT':
        return this.error('KEY_LIMIT', call, `holds one active key per org and ${org} already has one, so it refused to activate ${key} (${said}). Use the "simultaneous" strategy (activate with replace, which retires the old key in the same step) or retire the old key first.`, { details });
      case 'KEY_NOT_FOUND':
        return this.error('KEY_NOT_FOUND', call, `has no key ${key} for ${org} (${said}). Stage the certificate first, or check the fingerprint (SPKI SHA-256 of the certificate's public key).`, { details });
      case 'ORG_NOT_FOUND':
        return this.error('CONFIG_INVALID', call, `does not know ${org} (${said}). Check the org id configured for this vendor, or ask the vendor to onboard the org.`, { details });
      case 'KEY_STATE_CONFLICT':
        return this.error('KEY_REJECTED', call, `cannot ${call.operation} ${key} for ${org} in its current state (${said}). List the keys to see their states: a retired key is restored, not activated; a staged key is activated, not restored.`, { details });
      case 'IDEMPOTENCY_KEY_REUSED':
        return this.error('INVALID_INPUT', call, `already received this Idempotency-Key with a different request body (${said}); another request for the same operation on ${key} was sent with different options. Re-run the operation with the original options.`, { details });
      case 'KEY_REJECTED':
      default:
        if (vendorError?.code === 'KEY_REJECTED' || response.status === 422) {
          return this.error('KEY_REJECTED', call, `refused key ${key} for ${org} (${said}). Fix what the vendor names (an expired certificate, a key shorter than 2048 bits, not a certificate) and stage a new certificate.`, { details });
        }
        return this.error('INVALID_INPUT', call, `refused ${call.operation} for ${org} with HTTP ${response.status} (${said}). The request does not match what the vendor expects; check the vendor's API version against api/vendor-key-registry.openapi.yaml.`, { details });
    }
  }

  private deadlineMissed(call: Call<unknown>): RotationError {
    return this.error('VENDOR_UNAVAILABLE', call, `did not answer ${call.operation} for org "${call.orgId}" within ${describeDuration(this.config.timeoutMs)}. The vendor is slow or stuck; the request was abandoned (its connection closed) and not repeated here. The write is idempotent, so it is safe to retry later.`, {
      retryable: true,
      details: { deadlineMs: this.config.timeoutMs },
    });
  }

  private unavailable(call: Call<unknown>, attempts: number, response: HttpResponse): RotationError {
    const vendorError = parseErrorBody(response.body);
    const said = this.safe(vendorError ? `${vendorError.code}: ${vendorError.message}` : `HTTP ${response.status}`);
    return this.error('VENDOR_UNAVAILABLE', call, `still failing ${call.operation} for org "${call.orgId}" after ${attempts} attempts (last: HTTP ${response.status}, ${said}). The vendor is overloaded or down; the write is idempotent, so it is safe to retry later.`, {
      retryable: true,
      details: { status: response.status, attempts },
    });
  }

  private unreachable(call: Call<unknown>, attempts: number, error: unknown): RotationError {
    return this.error('VENDOR_UNAVAILABLE', call, `could not be reached for ${call.operation} after ${attempts} attempts (${errorCodeOf(error) ?? 'network error'}: ${this.safe(error)}). Check the vendor's status and our network path to it; the write is idempotent, so it is safe to retry later.`, {
      retryable: true,
      details: { attempts, networkError: errorCodeOf(error) ?? null },
    });
  }

  private tlsFailure(call: Call<unknown>, error: unknown): RotationError {
    return this.error('VENDOR_AUTH_FAILED', call, `failed the TLS handshake for ${call.operation} (${errorCodeOf(error) ?? 'TLS error'}: ${this.safe(error)}). Either we cannot verify the vendor's server certificate (if the vendor uses a private CA, configure caPem) or the vendor refused our client certificate (check clientCertificate).`, {
      retryable: false,
      details: { tlsError: errorCodeOf(error) ?? null },
    });
  }

  private error(
    code: ErrorCode,
    call: Call<unknown>,
    text: string,
    options: { retryable?: boolean; details?: Record<string, string | number | boolean | null> },
  ): RotationError {
    return new RotationError(code, `Vendor ${this.name} (${describeEndpoint(this.base)}) ${text}`, {
      retryable: options.retryable,
      details: { vendor: this.name, operation: call.operation, orgId: call.orgId, ...(call.fingerprint ? { fingerprint: call.fingerprint } : {}), ...options.details },
    });
  }

  private safe(error: unknown): string {
    return safeErrorMessage(error, [this.config.bearerToken, this.config.clientCertificate?.privateKeyPem]);
  }
}

/** The calling activity was cancelled: stop, and let its own reason travel up. */
function throwIfCancelled(): void {
  const signal = currentSignal();
  if (signal?.aborted) throw abortReasonOf(signal);
}

/** Backoff between attempts; cut short (rejecting with the reason) if the activity is cancelled. */
function sleepUnlessCancelled(ms: number): Promise<void> {
  const signal = currentSignal();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReasonOf(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      if (signal) reject(abortReasonOf(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function toVendorKey(key: WireKey): VendorKey {
  return {
    fingerprint: normalizeFingerprint(key.fingerprint),
    state: key.state,
    ...(key.certificatePem !== undefined ? { certificatePem: key.certificatePem } : {}),
    stagedAt: key.stagedAt,
    ...(key.activatedAt !== undefined ? { activatedAt: key.activatedAt } : {}),
    ...(key.retiredAt !== undefined ? { retiredAt: key.retiredAt } : {}),
  };
}

function parseErrorBody(text: string): ErrorBody | undefined {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    // Vendor text is shown to operators; keep it short.
    return parsed.success ? { code: parsed.data.code.slice(0, 64), message: parsed.data.message.slice(0, 500) } : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

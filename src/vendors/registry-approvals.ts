/**
 * The `http` adapter's approval calls (contract 1.2, api/vendor-key-registry.openapi.yaml):
 *
 * - `GET .../keys/{fingerprint}/approval`: what the vendor's provisioning side decided about
 *   a staged key. An approval or rejection naming another key than the one asked about is
 *   refused (KEY_REJECTED): it never counts for this rotation.
 * - `POST .../keys/{fingerprint}:continuity`: a continuity statement and its two signatures;
 *   the answer is the vendor's verdict. The Idempotency-Key is derived from the body, so a
 *   retried HTTP request is replayed by the vendor while a new statement (a new activity
 *   attempt, with a new `issuedAt`) is a new request.
 *
 * Transport, retries and refusals are HttpVendorRegistry's (`call`). Everything the vendor
 * wrote that certrot keeps (names, reasons, problems, policy) is bounded and stripped of
 * control characters here; it is escaped again wherever it is displayed.
 */
import { normalizeFingerprint } from '../certificates';
import type { ContinuityVerdict, RegistryApprovalState } from '../domain/approval-route';
import type { SignedContinuityStatement } from '../domain/continuity-statement';
import { RotationError } from '../domain/errors';
import type { RotationWindow } from '../domain/rotation';
import type { Call } from './http-registry';
import { deriveIdempotencyKey } from './idempotency-key';
import { approvalPath, approvalStateResponseSchema, continuityPath, continuityVerdictResponseSchema } from './registry-wire';
import type { VendorCallContext } from './vendor-port';

export interface ApprovalCaller {
  /** The vendor's configured name. */
  readonly vendor: string;
  /** `Vendor <name> (<origin>)`, how messages name it. */
  readonly who: string;
  call<T>(call: Call<T>): Promise<T>;
}

/** Longest vendor text kept: names and policy names, and reasons and problems. */
export const MAX_VENDOR_NAME = 200;
export const MAX_VENDOR_REASON = 500;

export async function readApprovalState(caller: ApprovalCaller, orgId: string, fingerprint: string): Promise<RegistryApprovalState> {
  const asked = normalizeFingerprint(fingerprint);
  const answer = await caller.call({
    operation: 'approvalState',
    method: 'GET',
    path: approvalPath(orgId, asked),
    schema: approvalStateResponseSchema,
    orgId,
    fingerprint: asked,
  });
  if (answer.state === 'pending') return { state: 'pending' };
  const decided = sameKey(answer.fingerprint, asked);
  if (!decided) {
    throw new RotationError(
      'KEY_REJECTED',
      `${caller.who} answered the approval state of key ${asked} for org "${orgId}" with a decision about another key (${boundVendorText(answer.fingerprint, 100)}). It does not count for this key: ask the vendor to check their registry.`,
      { details: { vendor: caller.vendor, operation: 'approvalState', orgId, fingerprint: asked } },
    );
  }
  if (answer.state === 'rejected') {
    return { state: 'rejected', fingerprint: asked, reason: boundVendorText(answer.reason, MAX_VENDOR_REASON) || '(no reason given)', rejectedBy: optionalText(answer.rejectedBy) };
  }
  return {
    state: 'approved',
    fingerprint: asked,
    window: answer.window === undefined ? null : windowOf(caller, 'approvalState', orgId, answer.window),
    approvedBy: optionalText(answer.approvedBy),
    at: answer.approvedAt === undefined ? null : instantOf(caller, 'approvalState', orgId, answer.approvedAt, 'approvedAt'),
  };
}

export async function sendContinuity(
  caller: ApprovalCaller,
  orgId: string,
  fingerprint: string,
  signed: SignedContinuityStatement,
  options: VendorCallContext,
): Promise<ContinuityVerdict> {
  const key = normalizeFingerprint(fingerprint);
  const body = { statement: signed.statement, oldSignature: signed.oldSignature, newSignature: signed.newSignature };
  const answer = await caller.call({
    operation: 'submitContinuity',
    method: 'POST',
    path: continuityPath(orgId, key),
    schema: continuityVerdictResponseSchema,
    orgId,
    fingerprint: key,
    body,
    idempotencyKey: deriveIdempotencyKey({ operation: 'submitContinuity', orgId, fingerprint: key, body, run: options.run }),
  });
  if (answer.approval === 'approved' && !answer.verified) {
    throw contractBreach(caller, 'submitContinuity', orgId, 'a verdict that approves a statement it did not verify');
  }
  return {
    verified: answer.verified,
    problem: answer.verified ? null : boundVendorText(answer.problem ?? '', MAX_VENDOR_REASON) || '(the vendor gave no reason)',
    approval: answer.approval,
    window: answer.window === null ? null : windowOf(caller, 'submitContinuity', orgId, answer.window),
    policy: optionalText(answer.policy ?? undefined),
  };
}

/**
 * Vendor text as certrot keeps it: control and bidirectional-override characters removed,
 * whitespace runs collapsed, at most `max` characters (an ellipsis marks a cut).
 */
export function boundVendorText(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, ' ').replace(/\s+/g, ' ').trim();
  const points = [...clean];
  return points.length > max ? `${points.slice(0, max - 1).join('')}…` : clean;
}

function optionalText(text: string | undefined): string | null {
  if (text === undefined) return null;
  const bounded = boundVendorText(text, MAX_VENDOR_NAME);
  return bounded === '' ? null : bounded;
}

function sameKey(answered: string, asked: string): boolean {
  try {
    return normalizeFingerprint(answered) === asked;
  } catch {
    return false;
  }
}

function instantOf(caller: ApprovalCaller, operation: string, orgId: string, value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw contractBreach(caller, operation, orgId, `"${field}" that is not an ISO-8601 instant`);
  return new Date(ms).toISOString();
}

function windowOf(caller: ApprovalCaller, operation: string, orgId: string, window: { start: string; end: string }): RotationWindow {
  const start = instantOf(caller, operation, orgId, window.start, 'window.start');
  const end = instantOf(caller, operation, orgId, window.end, 'window.end');
  if (Date.parse(end) <= Date.parse(start)) throw contractBreach(caller, operation, orgId, 'a window that ends before it starts');
  return { start, end };
}

function contractBreach(caller: ApprovalCaller, operation: string, orgId: string, what: string): RotationError {
  return new RotationError(
    'VENDOR_UNAVAILABLE',
    `${caller.who} answered ${operation} for org "${orgId}" with ${what}, which the registry contract (api/vendor-key-registry.openapi.yaml) does not allow; check with the vendor before retrying.`,
    { retryable: false, details: { vendor: caller.vendor, operation, orgId } },
  );
}

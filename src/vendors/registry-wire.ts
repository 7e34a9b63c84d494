/**
 * The vendor key registry's wire format (api/vendor-key-registry.openapi.yaml) as zod
 * schemas: the http adapter checks every answer against them, and the sandbox vendor
 * builds its answers from the same types, so the two cannot drift apart silently.
 */
import { z } from 'zod';

export const REGISTRY_ERROR_CODES = [
  'INVALID_REQUEST',
  'IDEMPOTENCY_KEY_REQUIRED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'ORG_NOT_FOUND',
  'KEY_NOT_FOUND',
  'KEY_LIMIT',
  'KEY_STATE_CONFLICT',
  'KEY_REJECTED',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'INTERNAL',
  'UNAVAILABLE',
] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

export const wireKeySchema = z.object({
  fingerprint: z.string(),
  state: z.enum(['staged', 'active', 'retired']),
  certificatePem: z.string().optional(),
  stagedAt: z.string(),
  activatedAt: z.string().optional(),
  retiredAt: z.string().optional(),
});
export type WireKey = z.infer<typeof wireKeySchema>;

export const capabilitiesResponseSchema = z.object({
  multipleActiveKeys: z.boolean(),
  automated: z.boolean(),
  /** Contract 1.2; absent (a 1.1 vendor) means false. */
  approvalState: z.boolean().optional(),
  continuity: z.boolean().optional(),
});

export const listKeysResponseSchema = z.object({ keys: z.array(wireKeySchema) });

export const keyChangeResponseSchema = z.object({
  key: wireKeySchema,
  retired: z.array(z.string()),
});
export type KeyChangeResponse = z.infer<typeof keyChangeResponseSchema>;

export const verifyResponseSchema = z.object({
  valid: z.boolean(),
  matchedFingerprint: z.string().nullable(),
});

const wireWindowSchema = z.object({ start: z.string().max(40), end: z.string().max(40) });

/** GET /v1/orgs/{orgId}/keys/{fingerprint}/approval (contract 1.2). */
export const approvalStateResponseSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('pending') }),
  z.object({
    state: z.literal('approved'),
    fingerprint: z.string(),
    window: wireWindowSchema.optional(),
    approvedBy: z.string().optional(),
    approvedAt: z.string().optional(),
  }),
  z.object({ state: z.literal('rejected'), fingerprint: z.string(), reason: z.string(), rejectedBy: z.string().optional() }),
]);
export type WireApprovalState = z.infer<typeof approvalStateResponseSchema>;

/** POST /v1/orgs/{orgId}/keys/{fingerprint}:continuity (contract 1.2). */
export const continuityVerdictResponseSchema = z.object({
  verified: z.boolean(),
  problem: z.string().nullable(),
  approval: z.enum(['approved', 'pending']),
  window: wireWindowSchema.nullable(),
  policy: z.string().nullable(),
});
export type WireContinuityVerdict = z.infer<typeof continuityVerdictResponseSchema>;

/** Vendors may send codes this contract does not list; keep them as strings. */
export const errorBodySchema = z.object({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export type KeyAction = 'activate' | 'retire' | 'restore';

/** Path of a key's custom method; the fingerprint travels as 64 hex digits (no colons). */
export function keyActionPath(orgId: string, fingerprint: string, action: KeyAction): string {
  return `/v1/orgs/${encodeURIComponent(orgId)}/keys/${fingerprint.replace(/:/g, '').toLowerCase()}:${action}`;
}

/** A key's approval state; the fingerprint as 64 hex digits. */
export function approvalPath(orgId: string, fingerprint: string): string {
  return `/v1/orgs/${encodeURIComponent(orgId)}/keys/${fingerprint.replace(/:/g, '').toLowerCase()}/approval`;
}

export function continuityPath(orgId: string, fingerprint: string): string {
  return `/v1/orgs/${encodeURIComponent(orgId)}/keys/${fingerprint.replace(/:/g, '').toLowerCase()}:continuity`;
}

export function keysPath(orgId: string): string {
  return `/v1/orgs/${encodeURIComponent(orgId)}/keys`;
}

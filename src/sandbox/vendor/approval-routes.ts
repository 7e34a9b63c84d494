/**
 * The sandbox vendor's control routes for approvals (plain HTTP port, `/__sandbox/*`, no
 * auth: it is a sandbox). They stand in for what a vendor's provisioning team does in its
 * own tools:
 *
 *   POST /__sandbox/approvals { orgId, fingerprint, state, window?, approvedBy?, approvedAt?, reason?, rejectedBy? }
 *        -> 200 { approval }  (the key's approval state as the registry API now answers it)
 *   GET  /__sandbox/approvals -> { approvals, policies, continuity }  (decisions, standing
 *        policies by org, every continuity statement received with its verdict)
 *   PUT  /__sandbox/continuity-policies/{orgId} { policy: { name, windows } | null } -> 200 { orgId, policy }
 *
 * Returns the answer to send, or undefined for a path that is not one of these.
 */
import { z } from 'zod';
import { isRotationError } from '../../domain/errors';
import { RegistryRefusal } from './sandbox-key-registry';
import { continuityPolicySchema } from './continuity-policy';
import { fieldPath } from './fixture';
import type { SandboxApprovals } from './sandbox-approvals';

export interface ControlAnswer {
  status: number;
  body: unknown;
}

const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 instant');

const decisionSchema = z
  .object({
    orgId: z.string().min(1),
    fingerprint: z.string().min(1),
    state: z.enum(['pending', 'approved', 'rejected']),
    window: z
      .object({ start: instant, end: instant })
      .strict()
      .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'must end after it starts', path: ['end'] })
      .optional(),
    approvedBy: z.string().min(1).max(200).optional(),
    approvedAt: instant.optional(),
    reason: z.string().min(1).max(1000).optional(),
    rejectedBy: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((d) => d.state !== 'rejected' || d.reason !== undefined, { message: 'is required when "state" is "rejected"', path: ['reason'] });

const policyBodySchema = z.object({ policy: continuityPolicySchema.nullable() }).strict();

export function approvalControl(approvals: SandboxApprovals, method: string, pathname: string, rawBody: string): ControlAnswer | undefined {
  if (pathname === '/__sandbox/approvals') {
    if (method === 'GET') return { status: 200, body: approvals.snapshot() };
    if (method !== 'POST') return refusal(405, `Use GET or POST on ${pathname}.`);
    return guarded(() => {
      const decision = parse(decisionSchema, rawBody, 'Approval');
      const { orgId, fingerprint, ...rest } = decision;
      const approval = approvals.decide(orgId, fingerprint, { ...rest, ...(rest.approvedAt ? { approvedAt: new Date(rest.approvedAt).toISOString() } : {}) });
      return { status: 200, body: { orgId, approval } };
    });
  }
  const policy = /^\/__sandbox\/continuity-policies\/([^/]+)$/.exec(pathname);
  if (policy?.[1] !== undefined) {
    if (method !== 'PUT') return refusal(405, `Use PUT on ${pathname}.`);
    const orgId = safeDecode(policy[1]);
    return guarded(() => {
      const body = parse(policyBodySchema, rawBody, 'Continuity policy');
      approvals.setPolicy(orgId, body.policy);
      return { status: 200, body: { orgId, policy: body.policy } };
    });
  }
  return undefined;
}

function parse<T>(schema: z.ZodType<T>, rawBody: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new RegistryRefusal(400, 'INVALID_REQUEST', `${what}: the request body is not JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RegistryRefusal(400, 'INVALID_REQUEST', `${what} field "${issue ? fieldPath(issue.path) : '(root)'}": ${issue?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

function guarded(fn: () => ControlAnswer): ControlAnswer {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RegistryRefusal) return { status: error.status, body: { code: error.code, message: error.message } };
    if (isRotationError(error, 'INVALID_INPUT')) return refusal(400, `Field "fingerprint": ${error.message}`, 'INVALID_REQUEST');
    throw error;
  }
}

function refusal(status: number, message: string, code: 'METHOD_NOT_ALLOWED' | 'INVALID_REQUEST' = 'METHOD_NOT_ALLOWED'): ControlAnswer {
  return { status, body: { code, message } };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The key continuity statement: what the org signs inside Salesforce, with the OLD
 * certificate (the key the vendor trusts today: "the holder of the old key vouches for the
 * new one") and with the NEW certificate (proof of possession of the new key), so the
 * vendor can check cryptographically that the new key comes from the same org.
 *
 * The signed bytes are the UTF-8 of `continuityStatementText(statement)`: JSON with the
 * fields in the fixed order below, no spaces. Whoever verifies parses the text they were
 * given (`parseContinuityStatement`) and checks the signatures over exactly that text —
 * never over a re-serialisation. Signatures are RSA-SHA256 (PKCS#1 v1.5), base64.
 *
 * Workflow-safe: zod and string work only.
 */
import { z } from 'zod';
import { normalizeFingerprint } from './fingerprint';
import type { RotationWindow } from './rotation';

export const CONTINUITY_PURPOSE = 'certrot-key-continuity';
/** The statement is signed through anonymous Apex, whose signing input certrot bounds at 4096 characters. */
export const MAX_STATEMENT_LENGTH = 2_048;

export interface ContinuityStatement {
  readonly version: 1;
  readonly purpose: typeof CONTINUITY_PURPOSE;
  /** The id the vendor knows the org by. */
  readonly vendorOrgId: string;
  readonly oldSpkiFingerprint: string;
  readonly newSpkiFingerprint: string;
  /** The rotation's workflow id, e.g. `rotate/acme-prod/vendor_cert`. */
  readonly rotationId: string;
  /** ISO-8601, when the statement was made. */
  readonly issuedAt: string;
  readonly proposedWindow: RotationWindow | null;
}

/** The statement as sent: its exact text and the two signatures over it. */
export interface SignedContinuityStatement {
  readonly statement: string;
  /** By the old certificate (the key the vendor trusts today). */
  readonly oldSignature: string;
  /** By the new certificate (possession of the new key). */
  readonly newSignature: string;
}

/** The canonical text: fixed field order, no whitespace. */
export function continuityStatementText(statement: ContinuityStatement): string {
  return JSON.stringify({
    version: statement.version,
    purpose: statement.purpose,
    vendorOrgId: statement.vendorOrgId,
    oldSpkiFingerprint: statement.oldSpkiFingerprint,
    newSpkiFingerprint: statement.newSpkiFingerprint,
    rotationId: statement.rotationId,
    issuedAt: statement.issuedAt,
    proposedWindow: statement.proposedWindow ? { start: statement.proposedWindow.start, end: statement.proposedWindow.end } : null,
  });
}

function statementSchema() {
  const fingerprint = z
    .string()
    .max(200)
    .refine((v) => {
      try {
        return normalizeFingerprint(v) === v;
      } catch {
        return false;
      }
    }, 'a canonical SPKI SHA-256 fingerprint (uppercase colon hex)');
  const instant = z.string().max(40).refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO-8601 instant');
  return z
    .object({
      version: z.literal(1),
      purpose: z.literal(CONTINUITY_PURPOSE),
      vendorOrgId: z.string().min(1).max(200),
      oldSpkiFingerprint: fingerprint,
      newSpkiFingerprint: fingerprint,
      rotationId: z.string().min(1).max(400),
      issuedAt: instant,
      proposedWindow: z.object({ start: instant, end: instant }).strict().nullable(),
    })
    .strict();
}

let schema: ReturnType<typeof statementSchema> | null = null;

export type StatementParse = { readonly ok: true; readonly value: ContinuityStatement } | { readonly ok: false; readonly problem: string };

/** Parses a statement's text; never throws. The text must be exactly the canonical form. */
export function parseContinuityStatement(text: string): StatementParse {
  if (text.length === 0 || text.length > MAX_STATEMENT_LENGTH) return { ok: false, problem: `statement: must be 1-${MAX_STATEMENT_LENGTH} characters` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'statement: not JSON' };
  }
  schema ??= statementSchema();
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `statement.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const value = parsed.data as ContinuityStatement;
  if (continuityStatementText(value) !== text) return { ok: false, problem: 'statement: not in canonical form (fixed field order, no whitespace)' };
  return { ok: true, value };
}

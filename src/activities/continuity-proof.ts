/**
 * The `continuity` approval route's activity body: the org signs the key continuity
 * statement inside Salesforce (anonymous Apex, Crypto.signWithCertificate) with the OLD
 * certificate (the key the vendor trusts today vouches for the new one) and with the NEW
 * certificate (possession of the new key); certrot then checks its own statement — both
 * certificates read back from the org, their SPKI fingerprints the ones the rotation
 * names, both signatures valid over the exact text — and only then sends it. A statement
 * that fails certrot's check is never sent: the result says why.
 *
 * Retry-safe: signing changes nothing in the org, and each attempt makes a fresh statement
 * (its own `issuedAt`); the vendor call's Idempotency-Key is derived from the statement, so
 * a retried request is replayed and a new statement is a new, equally harmless, check.
 */
import { spkiFingerprint, verifyRsaSha256 } from '../certificates';
import type { ContinuityInput, ContinuityResult } from '../domain/approval-contract';
import { CONTINUITY_PURPOSE, continuityStatementText, parseContinuityStatement, type ContinuityStatement, type SignedContinuityStatement } from '../domain/continuity-statement';
import { isRotationError, RotationError } from '../domain/errors';
import { normalizeFingerprint } from '../domain/fingerprint';
import type { SalesforceOrg } from '../salesforce/org-port';
import type { KeyRegistry } from '../vendors/vendor-port';

export interface ContinuityProofDeps {
  readonly org: (alias: string) => SalesforceOrg;
  readonly registry: (vendorId: string) => KeyRegistry;
  readonly clock: () => Date;
}

export async function proveContinuity(input: ContinuityInput, deps: ContinuityProofDeps): Promise<ContinuityResult> {
  const registry = deps.registry(input.vendor);
  const org = deps.org(input.org);
  const statement: ContinuityStatement = {
    version: 1,
    purpose: CONTINUITY_PURPOSE,
    vendorOrgId: input.orgId,
    oldSpkiFingerprint: normalizeFingerprint(input.old.spkiFingerprint, 'old.spkiFingerprint'),
    newSpkiFingerprint: normalizeFingerprint(input.created.spkiFingerprint, 'created.spkiFingerprint'),
    rotationId: input.run.workflowId,
    issuedAt: deps.clock().toISOString(),
    proposedWindow: input.proposedWindow ? { start: input.proposedWindow.start, end: input.proposedWindow.end } : null,
  };
  const text = continuityStatementText(statement);
  const wellFormed = parseContinuityStatement(text);
  if (!wellFormed.ok) return { sent: false, signed: null, problem: `certrot could not make a valid continuity statement: ${wellFormed.problem}` };
  if (statement.oldSpkiFingerprint === statement.newSpkiFingerprint) {
    return { sent: false, signed: null, problem: 'the old and the new certificate have the same key: there is no continuity to prove' };
  }

  let signed: SignedContinuityStatement;
  try {
    const oldSignature = await org.signWithCertificate(input.old.uniqueName, text);
    const newSignature = await org.signWithCertificate(input.created.uniqueName, text);
    signed = { statement: text, oldSignature, newSignature };
  } catch (error) {
    // A transient failure (API limit, network) is retried; one that will not change is the result.
    if (isRotationError(error) && !error.retryable) {
      return { sent: false, signed: null, problem: `the org could not sign the continuity statement: ${error.message}` };
    }
    throw error;
  }

  const problem = await checkOwnStatement(org, input, signed);
  if (problem !== null) return { sent: false, signed, problem };
  const verdict = await registry.submitContinuity(input.orgId, statement.newSpkiFingerprint, signed, { run: input.run });
  return { sent: true, signed, verdict };
}

/** certrot's own check, as the vendor will make it; null when the statement holds. */
async function checkOwnStatement(org: SalesforceOrg, input: ContinuityInput, signed: SignedContinuityStatement): Promise<string | null> {
  const sides = [
    { role: 'old', certificate: input.old, signature: signed.oldSignature },
    { role: 'new', certificate: input.created, signature: signed.newSignature },
  ] as const;
  for (const side of sides) {
    let pem: string | null;
    try {
      pem = (await org.getCertificate(side.certificate.uniqueName, { createdAt: false })).certificatePem;
    } catch (error) {
      if (isRotationError(error) && !error.retryable) return `the ${side.role} certificate ${side.certificate.uniqueName} could not be read from the org: ${error.message}`;
      throw error;
    }
    if (pem === null) return `the ${side.role} certificate ${side.certificate.uniqueName} has no public certificate in the org (only a CSR)`;
    const actual = spkiFingerprint(pem);
    const expected = normalizeFingerprint(side.certificate.spkiFingerprint);
    if (actual !== expected) {
      return `the org's ${side.role} certificate ${side.certificate.uniqueName} has key ${actual}, not ${expected} as the rotation recorded: the statement would vouch for the wrong key`;
    }
    let valid: boolean;
    try {
      valid = verifyRsaSha256(pem, signed.statement, side.signature);
    } catch (error) {
      throw new RotationError('CERT_PARSE_FAILED', `The ${side.role} certificate ${side.certificate.uniqueName} read from the org is not usable to verify a signature: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!valid) {
      return `the org's signature with the ${side.role} certificate ${side.certificate.uniqueName} does not verify against its public key ${expected}: the statement was not signed by that key, so it is not sent`;
    }
  }
  return null;
}

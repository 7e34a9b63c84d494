/**
 * generateCertificate: Salesforce makes the key pair (self-signed, or CA-signed: CSR → the
 * configured CA → chain uploaded). A name already taken is adopted only with proof that an
 * earlier attempt of this same step made it (domain/ownership.ts); anything else is refused.
 * Also the certificate summary a rotation records (public PEM and both fingerprints).
 */
import { log } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { CertificateAuthority } from '../certificate-authorities/certificate-authority';
import type { GenerateInput } from '../domain/activity-contract';
import type { CertificateDetails, CertificateSummary } from '../domain/certificate';
import { isRotationError, RotationError } from '../domain/errors';
import { decideAdoption } from '../domain/ownership';
import type { SalesforceOrg } from '../salesforce/org-port';
import { recordCertificateExpiry } from './metrics';

export interface GeneratorDeps {
  readonly org: (alias: string) => SalesforceOrg;
  readonly ca?: CertificateAuthority;
  readonly metrics?: MetricMeter;
  readonly clock: () => Date;
}

export function summaryOf(details: CertificateDetails): CertificateSummary {
  if (details.certificatePem === null || details.fingerprintSha256 === null) {
    throw new RotationError(
      'CERT_UNUSABLE',
      `Certificate ${details.uniqueName} has no signed certificate yet (a CA-signed certificate waiting for its chain); upload the chain or choose another certificate.`,
    );
  }
  return {
    uniqueName: details.uniqueName,
    label: details.label,
    keySize: details.keySize,
    caSigned: details.caSigned,
    expiresAt: details.expiresAt,
    certificatePem: details.certificatePem,
    fingerprint: details.fingerprintSha256,
    spkiFingerprint: details.spkiFingerprintSha256,
  };
}

export function createCertificateGenerator(deps: GeneratorDeps): (input: GenerateInput) => Promise<CertificateSummary> {
  /** The existing certificate is adopted only with proof that an earlier attempt of this step made it. */
  async function adoptOrRefuse(salesforce: SalesforceOrg, input: GenerateInput, existingName: string): Promise<CertificateDetails> {
    const existing = await salesforce.getCertificate(existingName);
    const refuse = (reason: string): never => {
      throw new RotationError('CERT_ALREADY_EXISTS', `Certificate ${input.uniqueName} was not created: ${reason}.`, { details: { uniqueName: existing.uniqueName } });
    };
    if (!input.rotationStartedAt || !input.replacing) return refuse(`a certificate named ${existing.uniqueName} already exists`);
    const targets = (await salesforce.discoverReferenceTargets()).map(({ object, field, kind }) => ({ object, field, kind }));
    const references = await salesforce.findReferences(existing.uniqueName, targets);
    const decision = decideAdoption(existing, input, references.length);
    if (!decision.adopt) return refuse(decision.reason);
    log.info('adopting the certificate an earlier attempt created', { certificate: existing.uniqueName });
    return existing;
  }

  async function generateCertificate(input: GenerateInput): Promise<CertificateSummary> {
    const salesforce = deps.org(input.org);
    // A CA-signed replacement asks the CA for the subject it signed before: Salesforce copies
    // the subject of the certificate given on create into the new CSR.
    const oldPem = input.caSigned && input.replacing ? (await salesforce.getCertificate(input.replacing)).certificatePem : null;
    let details: CertificateDetails;
    try {
      details = await salesforce.createCertificate({
        uniqueName: input.uniqueName,
        label: input.label,
        keySize: input.keySize,
        caSigned: input.caSigned,
        // The key never needs to leave Salesforce: certrot shares only the public certificate.
        privateKeyExportable: false,
        ...(oldPem !== null ? { subjectFromCertificatePem: oldPem } : {}),
      });
    } catch (error) {
      if (!isRotationError(error, 'CERT_ALREADY_EXISTS')) throw error;
      // a deleted certificate holds the name (Salesforce keeps it reserved): nothing to adopt
      if (error.details.deleted === true) throw error;
      const existingName = typeof error.details.uniqueName === 'string' ? error.details.uniqueName : input.uniqueName;
      details = await adoptOrRefuse(salesforce, input, existingName);
    }
    if (input.caSigned && details.certificatePem === null) {
      if (!deps.ca) {
        throw new RotationError(
          'CONFIG_INVALID',
          'caSigned: this worker has no certificate authority configured; add "ca" to the worker configuration or rotate with caSigned false.',
        );
      }
      if (details.csrPem === null) throw new RotationError('SALESFORCE_ERROR', `Salesforce returned neither a certificate nor a CSR for ${input.uniqueName}.`);
      const chain = await deps.ca.signCsr(details.csrPem);
      details = await salesforce.uploadSignedChain(details.uniqueName, chain);
    }
    const created = summaryOf(details);
    recordCertificateExpiry(deps.metrics, input.org, created.uniqueName, created.expiresAt, deps.clock());
    return created;
  }

  return generateCertificate;
}

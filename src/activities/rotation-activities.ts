/**
 * The rotation's activities: thin wrappers that call the org and vendor ports. Every
 * activity is safe to retry — each either checks before it acts or relies on a port
 * operation that is itself idempotent (compare-and-set, idempotency keys, "create returns
 * the certificate an earlier attempt made").
 *
 * Errors leave as ApplicationFailure with `type` = the RotationError code, non-retryable
 * unless the code is transient, so the workflow and the Temporal UI can tell them apart.
 */
import { randomBytes } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { asActivity } from './failures';
import { recordCertificateExpiry } from './metrics';
import { verifyRsaSha256 } from '../certificates';
import type { CertificateAuthority } from '../certificate-authorities/certificate-authority';
import type {
  ActivateInput,
  BackupInput,
  BackupResult,
  DeleteCertificateInput,
  GenerateInput,
  PreflightInput,
  PreflightResult,
  RestoreVendorInput,
  RotationActivities,
  ShareInput,
  ShareResult,
  SwitchedAt,
  SwitchReferencesInput,
  SwitchReferencesResult,
  VendorKeyInput,
  VerifyInput,
  WithdrawInput,
} from '../domain/activity-contract';
import { isRotationError, RotationError } from '../domain/errors';
import { fingerprintsEqual } from '../domain/fingerprint';
import type { CertificateSummary, ReferenceRecord, ReferenceTarget, VerificationCheck, VerificationResult } from '../domain/rotation';
import type { CertificateDetails, SalesforceOrg } from '../salesforce/org-port';
import { ManualVendor } from '../vendors/manual-vendor';
import type { VendorKeyRegistry } from '../vendors/vendor-port';

export interface ConfiguredOrg {
  readonly org: SalesforceOrg;
  /** The id the vendor knows this org by (its Salesforce organization id, usually). */
  readonly vendorOrgId: string;
}

export interface ActivityDeps {
  readonly orgs: ReadonlyMap<string, ConfiguredOrg>;
  readonly vendors: ReadonlyMap<string, VendorKeyRegistry>;
  /** Signs the CSR of CA-signed certificates; rotations with caSigned need one. */
  readonly ca?: CertificateAuthority;
  readonly clock?: () => Date;
  /** Fresh verification nonces; random by default. */
  readonly nonce?: () => string;
  /** The worker's metric meter for product gauges (see ./metrics.ts); none = not recorded. */
  readonly metrics?: MetricMeter;
}


function summaryOf(details: CertificateDetails): CertificateSummary {
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

export function createActivities(deps: ActivityDeps): RotationActivities {
  const clock = deps.clock ?? (() => new Date());
  const nonce = deps.nonce ?? (() => `certrot-verify-${randomBytes(16).toString('hex')}`);

  function org(alias: string): ConfiguredOrg {
    const found = deps.orgs.get(alias);
    if (!found) {
      throw new RotationError(
        'CONFIG_INVALID',
        `org "${alias}" is not configured in this worker (configured: ${[...deps.orgs.keys()].join(', ') || 'none'}); add it to the worker configuration's "orgs".`,
      );
    }
    return found;
  }

  function vendor(id: string): VendorKeyRegistry {
    const found = deps.vendors.get(id);
    if (!found) {
      throw new RotationError(
        'CONFIG_INVALID',
        `vendor "${id}" is not configured in this worker (configured: ${[...deps.vendors.keys()].join(', ') || 'none'}); add it to the worker configuration's "vendors".`,
      );
    }
    return found;
  }

  async function preflight(input: PreflightInput): Promise<PreflightResult> {
    const { vendorOrgId } = org(input.org);
    const capabilities = await vendor(input.vendor).capabilities(vendorOrgId);
    if (input.strategy === 'overlap' && !capabilities.multipleActiveKeys) {
      throw new RotationError(
        'INVALID_INPUT',
        `strategy: "overlap" needs a vendor that can trust the old and the new key at once, but vendor "${input.vendor}" holds one key per org. ` +
          'Start the rotation with strategy "simultaneous".',
      );
    }
    log.info('preflight passed', { org: input.org, vendor: input.vendor, strategy: input.strategy });
    return { orgId: vendorOrgId, vendor: { multipleActiveKeys: capabilities.multipleActiveKeys, automated: capabilities.automated } };
  }

  async function backUpCertificate(input: BackupInput): Promise<BackupResult> {
    const salesforce = org(input.org).org;
    const details = await salesforce.getCertificate(input.certificate);
    const certificate = summaryOf(details);
    recordCertificateExpiry(deps.metrics, input.org, certificate.uniqueName, certificate.expiresAt, clock());
    const targets: ReferenceTarget[] = [...input.targets];
    if (input.discover) {
      const configuredObjects = [...new Set(input.targets.filter((t) => t.kind === 'custom-object').map((t) => t.object))];
      for (const found of await salesforce.discoverReferenceTargets(configuredObjects)) {
        const namesIt = found.valuesSeen.includes(details.uniqueName) || found.valuesSeen.includes(details.label);
        const known = targets.some((t) => t.object === found.object && t.field === found.field);
        if (namesIt && !known) targets.push({ object: found.object, field: found.field, kind: found.kind });
      }
    }
    const references: ReferenceRecord[] = (await salesforce.findReferences(details.uniqueName, targets)).map((reference) => ({
      object: reference.object,
      field: reference.field,
      recordId: reference.recordId,
      scope: reference.scope,
      owner: reference.ownerName,
      value: reference.value,
    }));
    log.info('backed up certificate', { certificate: details.uniqueName, references: references.length, targets: targets.length });
    return { certificate, targets, references };
  }

  async function generateCertificate(input: GenerateInput): Promise<CertificateSummary> {
    const salesforce = org(input.org).org;
    let details = await salesforce.createCertificate({
      uniqueName: input.uniqueName,
      label: input.label,
      keySize: input.keySize,
      caSigned: input.caSigned,
      // The key never needs to leave Salesforce: certrot shares only the public certificate.
      privateKeyExportable: false,
    });
    if (input.caSigned && details.certificatePem === null) {
      if (!deps.ca) {
        throw new RotationError(
          'CONFIG_INVALID',
          'caSigned: this worker has no certificate authority configured; add "ca" to the worker configuration or rotate with caSigned false.',
        );
      }
      if (details.csrPem === null) throw new RotationError('SALESFORCE_ERROR', `Salesforce returned neither a certificate nor a CSR for ${input.uniqueName}.`);
      const chain = await deps.ca.signCsr(details.csrPem);
      details = await salesforce.uploadSignedChain(input.uniqueName, chain);
    }
    const created = summaryOf(details);
    recordCertificateExpiry(deps.metrics, input.org, created.uniqueName, created.expiresAt, clock());
    return created;
  }

  async function deleteCertificate(input: DeleteCertificateInput): Promise<{ deleted: boolean }> {
    const salesforce = org(input.org).org;
    let details: CertificateDetails;
    try {
      details = await salesforce.getCertificate(input.uniqueName);
    } catch (error) {
      if (isRotationError(error, 'CERT_NOT_FOUND')) return { deleted: false };
      throw error;
    }
    if (details.fingerprintSha256 !== null && !fingerprintsEqual(details.fingerprintSha256, input.fingerprint)) {
      throw new RotationError(
        'CONFLICT',
        `Certificate ${input.uniqueName} now has fingerprint ${details.fingerprintSha256}, not ${input.fingerprint} as this rotation recorded; it was not deleted. Check who replaced it.`,
      );
    }
    await salesforce.deleteCertificate(input.uniqueName);
    return { deleted: true };
  }

  async function shareKey(input: ShareInput): Promise<ShareResult> {
    const registry = vendor(input.vendor);
    const fingerprint = await registry.stageKey(input.orgId, input.certificate.certificatePem, {
      workflowId: input.workflowId,
      ...(input.proposedWindow ? { proposedWindow: input.proposedWindow } : {}),
    });
    if (!fingerprintsEqual(fingerprint, input.certificate.spkiFingerprint)) {
      throw new RotationError(
        'KEY_REJECTED',
        `Vendor ${input.vendor} registered fingerprint ${fingerprint}, but the new certificate's key is ${input.certificate.spkiFingerprint}.`,
      );
    }
    return { fingerprint: input.certificate.spkiFingerprint, notified: registry instanceof ManualVendor ? ['provisioning team'] : [] };
  }

  async function withdrawKey(input: WithdrawInput): Promise<void> {
    const registry = vendor(input.vendor);
    if (registry instanceof ManualVendor) {
      await registry.sendCancellation(input.orgId, { fingerprint: input.fingerprint, reason: input.reason, workflowId: input.workflowId });
      return;
    }
    const key = (await registry.listKeys(input.orgId)).find((k) => fingerprintsEqual(k.fingerprint, input.fingerprint));
    if (key && key.state !== 'retired') await registry.retireKey(input.orgId, input.fingerprint, { workflowId: input.workflowId });
  }

  async function activateVendorKey(input: ActivateInput): Promise<SwitchedAt> {
    await vendor(input.vendor).activateKey(input.orgId, input.fingerprint, {
      workflowId: input.workflowId,
      replace: input.replacing !== null,
    });
    return { at: clock().toISOString() };
  }

  async function retireVendorKey(input: VendorKeyInput): Promise<SwitchedAt> {
    await vendor(input.vendor).retireKey(input.orgId, input.fingerprint, { workflowId: input.workflowId });
    return { at: clock().toISOString() };
  }

  async function restoreVendorKey(input: RestoreVendorInput): Promise<void> {
    const registry = vendor(input.vendor);
    if (registry instanceof ManualVendor) {
      await registry.restoreKey(input.orgId, input.restore, { workflowId: input.workflowId, replace: true });
      return;
    }
    const capabilities = await registry.capabilities(input.orgId);
    const keys = await registry.listKeys(input.orgId);
    const state = (fingerprint: string | null): string | undefined =>
      fingerprint === null ? undefined : keys.find((k) => fingerprintsEqual(k.fingerprint, fingerprint))?.state;
    if (state(input.restore) !== 'active') {
      await registry.restoreKey(input.orgId, input.restore, { workflowId: input.workflowId, replace: !capabilities.multipleActiveKeys });
    }
    if (capabilities.multipleActiveKeys && input.withdraw !== null && state(input.withdraw) === 'active') {
      await registry.retireKey(input.orgId, input.withdraw, { workflowId: input.workflowId });
    }
  }

  async function switchReferences(input: SwitchReferencesInput): Promise<SwitchReferencesResult> {
    const result = await org(input.org).org.updateReferences(
      input.changes.map(({ object, field, recordId, expected, value }) => ({ object, field, recordId, expected, value })),
    );
    const at = clock().toISOString();
    const full = (change: { object: string; field: string; recordId: string }) => {
      const original = input.changes.find((c) => c.object === change.object && c.field === change.field && c.recordId === change.recordId);
      if (!original) throw new RotationError('SALESFORCE_ERROR', `The org reported a change to ${change.object} ${change.recordId} that was not requested.`);
      return original;
    };
    return {
      at,
      applied: result.applied.map((change) => full(change)),
      conflicts: result.conflicts.map((conflict) => ({ ...full(conflict), actual: conflict.actual })),
    };
  }

  async function verifyRotation(input: VerifyInput): Promise<VerificationResult> {
    const salesforce = org(input.org).org;
    const registry = vendor(input.vendor);
    const checks: VerificationCheck[] = [];
    const check = (name: string, passed: boolean, detail: string): void => {
      checks.push({ name, passed, detail });
    };
    const expected = input.newCertificate;

    // 1. The certificate the references name exists, is usable, unexpired and the one we made.
    const details = await salesforce.getCertificate(expected.uniqueName);
    const unexpired = details.expiresAt !== null && Date.parse(details.expiresAt) > clock().getTime();
    check(
      'certificate',
      details.usable && unexpired && details.fingerprintSha256 !== null && fingerprintsEqual(details.fingerprintSha256, expected.fingerprint),
      `${expected.uniqueName}: usable=${String(details.usable)}, expires ${details.expiresAt ?? 'never set'}, fingerprint ${details.fingerprintSha256 ?? 'none'}`,
    );

    // 2. Every reference holds the new Unique Name (not the label); none still names the old one.
    const toNew = await salesforce.findReferences(expected.uniqueName, [...input.targets]);
    const byLabel = toNew.filter((r) => r.matchedBy === 'label');
    const toOld = await salesforce.findReferences(input.previousCertificate, [...input.targets]);
    check(
      'references',
      toNew.length >= input.expectedReferences && byLabel.length === 0 && toOld.length === 0,
      `${toNew.length} reference(s) name ${expected.uniqueName} (expected ${input.expectedReferences})` +
        (byLabel.length ? `; ${byLabel.length} hold the label instead of the Unique Name` : '') +
        (toOld.length ? `; still naming ${input.previousCertificate}: ${toOld.map((r) => `${r.object}.${r.field} ${r.scope}${r.ownerName ? ` ${r.ownerName}` : ''}`).join(', ')}` : ''),
    );

    // 3. The vendor trusts the new key.
    const manual = registry instanceof ManualVendor;
    if (manual) {
      check('vendor-key', input.vendorConfirmed, input.vendorConfirmed ? 'the provisioning team confirmed the new key' : 'no confirmation from the provisioning team');
      if (input.vendorConfirmed) registry.recordConfirmation(input.orgId, expected.spkiFingerprint, 'active', expected.certificatePem);
    } else {
      const active = (await registry.listKeys(input.orgId)).filter((k) => k.state === 'active');
      const trusted = active.some((k) => fingerprintsEqual(k.fingerprint, expected.spkiFingerprint));
      check('vendor-key', trusted, `vendor trusts ${active.length} key(s)${trusted ? ', including the new one' : ', not the new one'}`);
    }

    // 4. The org signs a fresh nonce with the certificate, and the vendor accepts the signature.
    if (input.signature) {
      const challenge = nonce();
      const signature = await salesforce.signWithCertificate(expected.uniqueName, challenge);
      const locallyValid = verifyRsaSha256(expected.certificatePem, challenge, signature);
      const atVendor = await registry.verifySignature(input.orgId, challenge, signature);
      const matched = atVendor.matchedFingerprint !== null && fingerprintsEqual(atVendor.matchedFingerprint, expected.spkiFingerprint);
      check(
        'signature',
        locallyValid && atVendor.valid && matched,
        `org signature ${locallyValid ? 'matches' : 'does NOT match'} the new public key; vendor ${atVendor.valid ? `accepted it with key ${atVendor.matchedFingerprint ?? '?'}` : 'rejected it'}`,
      );
    }

    // 5. Optional two-way TLS probe: the org calls the vendor presenting the certificate.
    if (input.calloutUrl) {
      try {
        const response = await salesforce.calloutWithCertificate(expected.uniqueName, input.calloutUrl);
        check('callout', response.statusCode >= 200 && response.statusCode < 300, `HTTPS ${response.statusCode} from ${input.calloutUrl}`);
      } catch (error) {
        if (!isRotationError(error, 'APEX_FAILED')) throw error;
        check('callout', false, error.message);
      }
    }

    return { passed: checks.every((c) => c.passed), checks, at: clock().toISOString() };
  }

  return {
    preflight: asActivity(preflight),
    backUpCertificate: asActivity(backUpCertificate),
    generateCertificate: asActivity(generateCertificate),
    deleteCertificate: asActivity(deleteCertificate),
    shareKey: asActivity(shareKey),
    withdrawKey: asActivity(withdrawKey),
    activateVendorKey: asActivity(activateVendorKey),
    retireVendorKey: asActivity(retireVendorKey),
    restoreVendorKey: asActivity(restoreVendorKey),
    switchReferences: asActivity(switchReferences),
    verifyRotation: asActivity(verifyRotation),
  };
}

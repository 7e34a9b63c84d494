/**
 * The rotation's activities: thin wrappers over the org port and the two vendor ports (a
 * key registry, or a provisioning team — chosen by `vendor.kind`, never by class). Every
 * activity is safe to retry: it checks before it acts or relies on a port operation that is
 * itself idempotent (compare-and-set, idempotency keys scoped by the rotation's run).
 *
 * Ownership: an activity only adopts, switches to or deletes a certificate the rotation
 * proved it created (src/domain/ownership.ts), and only withdraws or retires keys the
 * workflow names from its own records.
 *
 * Errors leave as ApplicationFailure with `type` = the RotationError code (./failures.ts),
 * which also heartbeats and carries the activity's cancellation signal to the adapters.
 *
 * v1 inputs: rotations started by the frozen v1 workflow (src/workflows/rotate-certificate-v1.ts)
 * send `workflowId` instead of `run` and `vendorConfirmed` instead of a confirmation; both are
 * still accepted so such a rotation finishes after the upgrade.
 */
import { randomBytes } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { asActivity } from './failures';
import { recordCertificateExpiry } from './metrics';
import { createCertificateGenerator, summaryOf } from './certificate-generation';
import { createBothSidesSwitch } from './both-sides-switch';
import { createReferenceSwitcher } from './reference-switching';
import { verifyRotation } from './verification';
import { createApprovalActivities } from './approval-activities';
import type { CertificateAuthority } from '../certificate-authorities/certificate-authority';
import type {
  ActivateInput,
  BackupInput,
  BackupResult,
  DeleteCertificateInput,
  PreflightInput,
  PreflightResult,
  RestoreVendorInput,
  RotationActivities,
  ShareInput,
  ShareResult,
  SwitchedAt,
  VendorKeyInput,
  WindowMissedInput,
  WithdrawInput,
} from '../domain/activity-contract';
import { sameUniqueName, type CertificateDetails } from '../domain/certificate';
import { isRotationError, RotationError } from '../domain/errors';
import { fingerprintsEqual } from '../domain/fingerprint';
import { switchableReferences } from '../domain/unswitchable-reference';
import type { RotationRun, VendorCapabilities } from '../domain/vendor';
import type { SalesforceOrg } from '../salesforce/org-port';
import type { Vendor } from '../vendors/vendor-port';

export interface ConfiguredOrg {
  readonly org: SalesforceOrg;
  /** The id the vendor knows this org by (its Salesforce organization id, usually). */
  readonly vendorOrgId: string;
}

export interface ActivityDeps {
  readonly orgs: ReadonlyMap<string, ConfiguredOrg>;
  readonly vendors: ReadonlyMap<string, Vendor>;
  /** Signs the CSR of CA-signed certificates; rotations with caSigned need one. */
  readonly ca?: CertificateAuthority;
  readonly clock?: () => Date;
  /** Fresh verification nonces; random by default. */
  readonly nonce?: () => string;
  /** The worker's metric meter for product gauges (see ./metrics.ts); none = not recorded. */
  readonly metrics?: MetricMeter;
  /** The approvals link key (worker configuration `approvals.linkKey`): checks link decisions. */
  readonly approvalLinkKey?: Buffer;
}

/** The run a vendor write belongs to (v1 inputs carry only the workflow id). */
function runOf(input: { run?: RotationRun; workflowId?: string }): RotationRun {
  if (input.run) return input.run;
  return { workflowId: input.workflowId ?? 'unknown', runId: 'v1' };
}

export { summaryOf } from './certificate-generation';

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

  function vendor(id: string): Vendor {
    const found = deps.vendors.get(id);
    if (!found) {
      throw new RotationError(
        'CONFIG_INVALID',
        `vendor "${id}" is not configured in this worker (configured: ${[...deps.vendors.keys()].join(', ') || 'none'}); add it to the worker configuration's "vendors".`,
      );
    }
    return found;
  }

  async function capabilitiesOf(id: string, orgId: string): Promise<VendorCapabilities> {
    const v = vendor(id);
    if (v.kind === 'team') return { kind: 'team', multipleActiveKeys: v.multipleActiveKeys };
    return { kind: 'registry', multipleActiveKeys: (await v.capabilities(orgId)).multipleActiveKeys };
  }

  async function preflight(input: PreflightInput): Promise<PreflightResult & { automated: boolean }> {
    const { org: salesforce, vendorOrgId } = org(input.org);
    const capabilities = await capabilitiesOf(input.vendor, vendorOrgId);
    if (input.strategy === 'overlap' && !capabilities.multipleActiveKeys) {
      throw new RotationError(
        'INVALID_INPUT',
        `strategy: "overlap" needs a vendor that can trust the old and the new key at once, but vendor "${input.vendor}" holds one key per org. ` +
          'Start the rotation with strategy "simultaneous".',
      );
    }
    const salesforceOrgId = await salesforce.organizationId();
    const wanted = input.newUniqueName ?? null;
    const taken = wanted === null ? undefined : (await salesforce.listCertificates()).find((c) => sameUniqueName(c.uniqueName, wanted));
    log.info('preflight passed', { org: input.org, vendor: input.vendor, strategy: input.strategy });
    // `automated` is read only by rotations of the frozen v1 workflow.
    return { orgId: vendorOrgId, salesforceOrgId, vendor: capabilities, newNameTakenBy: taken?.uniqueName ?? null, automated: capabilities.kind === 'registry' };
  }

  async function backUpCertificate(input: BackupInput): Promise<BackupResult> {
    const salesforce = org(input.org).org;
    // Only this certificate is read, and only the rows naming it (WHERE IN where a field can
    // be filtered): a backup's cost follows the org's schema, never its other certificates or rows.
    const details = await salesforce.getCertificate(input.certificate, { createdAt: false });
    const certificate = summaryOf(details);
    recordCertificateExpiry(deps.metrics, input.org, certificate.uniqueName, certificate.expiresAt, clock());
    // In one pass: the fields discovery finds naming it, then before anything changes the
    // places no API can switch (Apex code, protected settings, read-only fields), and the references.
    const found = await salesforce.findCertificatePlaces({ uniqueName: details.uniqueName, label: details.label }, [...input.targets], { discover: input.discover });
    const { targets, unswitchable } = found;
    const references = switchableReferences(found.references, unswitchable);
    log.info('backed up certificate', { certificate: details.uniqueName, references: references.length, targets: targets.length, unswitchable: unswitchable.length });
    return { certificate, targets, references, unswitchable };
  }

  async function deleteCertificate(input: DeleteCertificateInput): Promise<{ deleted: boolean }> {
    const salesforce = org(input.org).org;
    let details: CertificateDetails;
    try {
      details = await salesforce.getCertificate(input.uniqueName, { createdAt: false });
    } catch (error) {
      if (isRotationError(error, 'CERT_NOT_FOUND')) return { deleted: false };
      throw error;
    }
    if (details.fingerprintSha256 === null || !fingerprintsEqual(details.fingerprintSha256, input.fingerprint)) {
      throw new RotationError(
        'CONFLICT',
        `Certificate ${input.uniqueName} now has fingerprint ${details.fingerprintSha256 ?? '(none)'}, not ${input.fingerprint} as this rotation recorded; it was not deleted. Check who replaced it.`,
      );
    }
    await salesforce.deleteCertificate(details.uniqueName);
    return { deleted: true };
  }

  async function shareKey(input: ShareInput & { workflowId?: string }): Promise<ShareResult> {
    const v = vendor(input.vendor);
    const run = runOf(input);
    const key = input.certificate.spkiFingerprint;
    if (v.kind === 'team') {
      const notified = await v.notify({
        kind: 'stage',
        run,
        orgId: input.orgId,
        fingerprint: key,
        certificatePem: input.certificate.certificatePem,
        ...(input.proposedWindow ? { window: input.proposedWindow } : {}),
        ...(input.approvalExpiresAt ? { approval: { workflowId: run.workflowId, expiresAt: input.approvalExpiresAt } } : {}),
      });
      return { fingerprint: key, notified };
    }
    const fingerprint = await v.stageKey(input.orgId, input.certificate.certificatePem, { run, ...(input.proposedWindow ? { proposedWindow: input.proposedWindow } : {}) });
    if (!fingerprintsEqual(fingerprint, key)) {
      throw new RotationError('KEY_REJECTED', `Vendor ${input.vendor} registered fingerprint ${fingerprint}, but the new certificate's key is ${key}.`);
    }
    return { fingerprint: key, notified: [`key registry ${v.name}`] };
  }

  async function withdrawKey(input: WithdrawInput & { workflowId?: string }): Promise<void> {
    const v = vendor(input.vendor);
    const run = runOf(input);
    if (v.kind === 'team') {
      await v.notify({ kind: 'cancel', run, orgId: input.orgId, fingerprint: input.fingerprint, reason: input.reason });
      return;
    }
    const key = (await v.listKeys(input.orgId)).find((k) => fingerprintsEqual(k.fingerprint, input.fingerprint));
    if (key && key.state !== 'retired') await v.retireKey(input.orgId, input.fingerprint, { run });
  }

  async function notifyWindowMissed(input: WindowMissedInput): Promise<void> {
    const v = vendor(input.vendor);
    if (v.kind === 'registry') return; // the key stays staged; a registry has nothing to be told
    await v.notify({
      kind: 'window-missed',
      run: input.run,
      orgId: input.orgId,
      fingerprint: input.fingerprint,
      window: input.window,
      reason: `Nothing was changed. Propose a new window or approve again before ${input.waitingUntil}.`,
      approval: { workflowId: input.run.workflowId, expiresAt: input.waitingUntil },
    });
  }

  async function activateVendorKey(input: ActivateInput & { workflowId?: string }): Promise<SwitchedAt> {
    const v = vendor(input.vendor);
    const run = runOf(input);
    const replace = input.replacing !== null;
    if (v.kind === 'team') {
      await v.notify({ kind: 'activate', run, orgId: input.orgId, fingerprint: input.fingerprint, replace, ...(input.window ? { window: input.window } : {}) });
    } else {
      await v.activateKey(input.orgId, input.fingerprint, { run, replace, ...(input.window ? { window: input.window } : {}) });
    }
    return { at: clock().toISOString() };
  }

  async function retireVendorKey(input: VendorKeyInput & { workflowId?: string }): Promise<SwitchedAt> {
    const v = vendor(input.vendor);
    const run = runOf(input);
    if (v.kind === 'team') await v.notify({ kind: 'retire', run, orgId: input.orgId, fingerprint: input.fingerprint });
    else await v.retireKey(input.orgId, input.fingerprint, { run });
    return { at: clock().toISOString() };
  }

  async function restoreVendorKey(input: RestoreVendorInput & { workflowId?: string }): Promise<void> {
    const v = vendor(input.vendor);
    const run = runOf(input);
    if (v.kind === 'team') {
      await v.notify({ kind: 'restore', run, orgId: input.orgId, fingerprint: input.restore, replace: !v.multipleActiveKeys });
      return;
    }
    const { multipleActiveKeys } = await v.capabilities(input.orgId);
    const keys = await v.listKeys(input.orgId);
    const state = (fingerprint: string | null): string | undefined =>
      fingerprint === null ? undefined : keys.find((k) => fingerprintsEqual(k.fingerprint, fingerprint))?.state;
    if (state(input.restore) !== 'active') await v.restoreKey(input.orgId, input.restore, { run, replace: !multipleActiveKeys });
    if (multipleActiveKeys && input.withdraw !== null && state(input.withdraw) === 'active') await v.retireKey(input.orgId, input.withdraw, { run });
  }

  return {
    preflight: asActivity(preflight),
    backUpCertificate: asActivity(backUpCertificate),
    generateCertificate: asActivity(createCertificateGenerator({ org: (alias) => org(alias).org, ...(deps.ca ? { ca: deps.ca } : {}), ...(deps.metrics ? { metrics: deps.metrics } : {}), clock })),
    deleteCertificate: asActivity(deleteCertificate),
    shareKey: asActivity(shareKey),
    withdrawKey: asActivity(withdrawKey),
    notifyWindowMissed: asActivity(notifyWindowMissed),
    activateVendorKey: asActivity(activateVendorKey),
    retireVendorKey: asActivity(retireVendorKey),
    restoreVendorKey: asActivity(restoreVendorKey),
    switchReferences: asActivity(createReferenceSwitcher((alias) => org(alias).org, clock)),
    switchBothSides: asActivity(createBothSidesSwitch({ orgOf: (alias) => org(alias).org, switchReferences: createReferenceSwitcher((alias) => org(alias).org, clock), activateVendorKey, clock })),
    verifyRotation: asActivity((input) => verifyRotation(input, { org: (alias) => org(alias).org, vendor, clock, nonce })),
    ...createApprovalActivities({ org, vendor, clock, ...(deps.approvalLinkKey ? { linkKey: deps.approvalLinkKey } : {}) }),
  };
}

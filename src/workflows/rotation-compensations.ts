/**
 * The undo of each runbook step, as the saga records it right after the step succeeds.
 * Each says what it undoes and what a person must do if it cannot (`manual`), in words an
 * admin can follow in Setup or hand to the vendor.
 */
import type { CertificateSummary } from '../domain/certificate';
import { reverseChanges } from '../domain/reference-plan';
import type { ReferenceChange, RestoredReference } from '../domain/reference';
import type { RotationRun } from '../domain/vendor';
import { undo } from './activity-options';
import type { Compensation } from './saga';

export interface CompensationContext {
  readonly org: string;
  readonly vendor: string;
  /** The id the vendor knows the org by. */
  readonly orgId: string;
  readonly run: RotationRun;
}

export function deleteNewCertificate(ctx: CompensationContext, created: CertificateSummary): Compensation {
  return {
    what: `delete the new certificate ${created.uniqueName}`,
    manual: `Delete certificate ${created.uniqueName} (fingerprint ${created.fingerprint}) in Setup > Certificate and Key Management of org ${ctx.org}.`,
    run: async () => {
      await undo.deleteCertificate({ org: ctx.org, uniqueName: created.uniqueName, fingerprint: created.fingerprint });
      return [];
    },
  };
}

export function withdrawNewKey(ctx: CompensationContext, old: CertificateSummary, created: CertificateSummary, reason: () => string): Compensation {
  return {
    what: `withdraw the new key from vendor ${ctx.vendor}`,
    manual: `Ask vendor ${ctx.vendor} to remove key ${created.spkiFingerprint} for org ${ctx.orgId} and keep ${old.spkiFingerprint} trusted.`,
    run: async () => {
      await undo.withdrawKey({ vendor: ctx.vendor, orgId: ctx.orgId, run: ctx.run, fingerprint: created.spkiFingerprint, reason: reason() });
      return [];
    },
  };
}

/**
 * Every planned change reversed by compare-and-set, back to the old Unique Name (never a
 * label): one that was never switched still holds the old name and counts as restored.
 */
export function restoreReferences(
  ctx: CompensationContext,
  old: CertificateSummary,
  created: CertificateSummary,
  changes: readonly ReferenceChange[],
  report: (restored: RestoredReference[]) => void,
): Compensation {
  return {
    what: `restore every reference to ${old.uniqueName}`,
    manual: `Set these references back to ${old.uniqueName}: ${changes.map((c) => `${c.object}.${c.field} (${c.scope}${c.owner ? ` ${c.owner}` : ''}, ${c.recordId})`).join('; ')}.`,
    run: async () => {
      const result = await undo.switchReferences({
        org: ctx.org,
        changes: reverseChanges(changes, old.uniqueName),
        certificate: { uniqueName: old.uniqueName, fingerprint: old.fingerprint },
      });
      report([...result.applied.map((c) => ({ ...c, now: c.value })), ...result.conflicts.map((c) => ({ ...c, now: c.actual }))]);
      return result.conflicts
        .filter((c) => c.actual !== c.value)
        .map((c) => `Reference ${c.object}.${c.field} on ${c.recordId} holds "${c.actual ?? ''}", neither ${created.uniqueName} nor ${old.uniqueName}: decide its value by hand.`);
    },
  };
}

export function restoreOldKey(ctx: CompensationContext, old: CertificateSummary, created: CertificateSummary): Compensation {
  return {
    what: `trust the old key ${old.spkiFingerprint} again at vendor ${ctx.vendor}`,
    manual: `Ask vendor ${ctx.vendor} to trust key ${old.spkiFingerprint} again for org ${ctx.orgId} and stop trusting ${created.spkiFingerprint}.`,
    run: async () => {
      await undo.restoreVendorKey({ vendor: ctx.vendor, orgId: ctx.orgId, run: ctx.run, restore: old.spkiFingerprint, withdraw: created.spkiFingerprint });
      return [];
    },
  };
}

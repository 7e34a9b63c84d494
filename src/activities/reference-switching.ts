/**
 * switchReferences: compare-and-set every reference to the new (or, undoing, the old)
 * certificate, after checking that certificate still exists, is usable and is the one the
 * rotation recorded. Progress is heartbeated after each reference; an attempt that follows
 * a dead one (worker killed, heartbeat timed out) starts from those details and switches
 * only what is left — a reference the dead attempt switched without reporting it already
 * holds the new value, which compare-and-set treats as done.
 */
import { Context } from '@temporalio/activity';
import type { SwitchReferencesInput, SwitchReferencesResult } from '../domain/activity-contract';
import { isRotationError, RotationError } from '../domain/errors';
import { fingerprintsEqual } from '../domain/fingerprint';
import { referenceKey, type ReferenceChange, type ReferenceConflict } from '../domain/reference';
import { currentCallContext } from '../runtime/call-context';
import type { SalesforceOrg } from '../salesforce/org-port';

/** What an attempt heartbeats, and the next attempt resumes from. */
interface SwitchProgress {
  readonly applied: ReferenceChange[];
  readonly conflicts: ReferenceConflict[];
  readonly firstAt: string | null;
}

function previousProgress(): SwitchProgress | null {
  let details: unknown;
  try {
    details = Context.current().info.heartbeatDetails;
  } catch {
    return null;
  }
  if (details === null || typeof details !== 'object') return null;
  const { applied, conflicts, firstAt } = details as Partial<SwitchProgress>;
  if (!Array.isArray(applied) || !Array.isArray(conflicts)) return null;
  return { applied, conflicts, firstAt: typeof firstAt === 'string' ? firstAt : null };
}

export interface SwitchHow {
  readonly atOnce?: boolean;
  readonly targetChecked?: boolean;
  readonly atSwitchInstant?: () => void;
}

export function createReferenceSwitcher(orgOf: (alias: string) => SalesforceOrg, clock: () => Date) {
  /**
   * `atOnce`: records in one all-or-none request, metadata beside it, every write after every
   * read (`atSwitchInstant` hears that moment); `targetChecked`: the caller checked the certificate just before.
   */
  return async function switchReferences(input: SwitchReferencesInput, how: SwitchHow = {}): Promise<SwitchReferencesResult> {
    const salesforce = orgOf(input.org);
    if (input.certificate && !how.targetChecked) await requireTarget(salesforce, input.certificate);

    const resumed = previousProgress();
    const done = new Set([...(resumed?.applied ?? []), ...(resumed?.conflicts ?? [])].map(referenceKey));
    const remaining = input.changes.filter((change) => !done.has(referenceKey(change)));
    let firstAt = resumed?.firstAt ?? null;
    const heartbeat = currentCallContext()?.heartbeat;
    const result = await salesforce.updateReferences(remaining, (progress) => {
      if (firstAt === null && progress.applied.length > 0) firstAt = clock().toISOString();
      heartbeat?.({
        applied: [...(resumed?.applied ?? []), ...progress.applied],
        conflicts: [...(resumed?.conflicts ?? []), ...progress.conflicts],
        firstAt,
      } satisfies SwitchProgress);
    }, how.atOnce ? { atOnce: true, ...(how.atSwitchInstant ? { atSwitchInstant: how.atSwitchInstant } : {}) } : undefined);
    if (firstAt === null && result.applied.length > 0) firstAt = clock().toISOString();
    const at = clock().toISOString();
    const requested = new Map(input.changes.map((change) => [referenceKey(change), change]));
    const own = (change: ReferenceChange): ReferenceChange => {
      const original = requested.get(referenceKey(change));
      if (!original) throw new RotationError('SALESFORCE_ERROR', `The org reported a change to ${change.object} ${change.recordId} that was not requested.`);
      return original;
    };
    return {
      at,
      firstAt,
      applied: [...(resumed?.applied ?? []), ...result.applied.map(own)],
      conflicts: [...(resumed?.conflicts ?? []), ...result.conflicts.map((c) => ({ ...own(c), actual: c.actual }))],
    };
  };
}

/** Switch only to a certificate that exists, is usable and is still the one recorded. */
export async function requireTarget(salesforce: SalesforceOrg, certificate: { uniqueName: string; fingerprint: string }): Promise<void> {
  try {
    const details = await salesforce.getCertificate(certificate.uniqueName);
    if (!details.usable || details.fingerprintSha256 === null || !fingerprintsEqual(details.fingerprintSha256, certificate.fingerprint)) {
      throw new RotationError(
        'CONFLICT',
        `Certificate ${certificate.uniqueName} is not the one this rotation recorded (usable=${String(details.usable)}, fingerprint ${details.fingerprintSha256 ?? 'none'}); no reference was switched.`,
      );
    }
  } catch (error) {
    if (isRotationError(error, 'CERT_NOT_FOUND')) {
      throw new RotationError('CERT_NOT_FOUND', `Certificate ${certificate.uniqueName} no longer exists in the org; no reference was switched to it.`, { retryable: false });
    }
    throw error;
  }
}

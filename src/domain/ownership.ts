/**
 * A rotation only ever adopts, switches to or deletes a certificate it created itself.
 * When the new Unique Name is already taken, this decides whether the certificate there is
 * this rotation's own (an earlier attempt of the generate step created it and its answer
 * was lost) — proven, not assumed: created after the rotation started, with the settings
 * the rotation asked for, not the certificate being replaced, and named by no reference.
 * Anything else is someone else's, and the rotation refuses instead of taking it over.
 * Pure, workflow-safe.
 */
import { sameUniqueName } from './certificate';

export interface ExistingCertificate {
  readonly uniqueName: string;
  readonly label: string;
  readonly keySize: number;
  readonly caSigned: boolean;
  readonly createdAt: string | null;
}

export interface AdoptionRequest {
  readonly uniqueName: string;
  readonly label: string;
  readonly keySize: number;
  readonly caSigned: boolean;
  readonly rotationStartedAt: string;
  /** The certificate being rotated: never adopted. */
  readonly replacing: string;
}

export type Adoption = { readonly adopt: true } | { readonly adopt: false; readonly reason: string };

export function decideAdoption(existing: ExistingCertificate, request: AdoptionRequest, referenceCount: number): Adoption {
  const theirs = (why: string): Adoption => ({
    adopt: false,
    reason:
      `a certificate named ${existing.uniqueName} already exists and ${why}, so it is not this rotation's to take over; ` +
      'choose another newUniqueName (Unique Names are compared case-insensitively)',
  });
  if (sameUniqueName(existing.uniqueName, request.replacing)) return theirs('it is the certificate being replaced');
  if (existing.createdAt === null) return theirs('Salesforce does not say when it was created');
  const created = Date.parse(existing.createdAt);
  if (Number.isNaN(created) || created < Date.parse(request.rotationStartedAt)) {
    return theirs(`it was created at ${existing.createdAt}, before this rotation started (${request.rotationStartedAt})`);
  }
  if (existing.label !== request.label || existing.keySize !== request.keySize || existing.caSigned !== request.caSigned) {
    return theirs('its label, key size or signing differ from what this rotation asked for');
  }
  if (referenceCount > 0) return theirs(`${referenceCount} reference(s) already name it`);
  return { adopt: true };
}

/** The references that name a certificate in a sandbox world, as an admin reads them before a rotation. */
import type { CertificateNames, Reference, ReferenceChange, ReferenceTarget } from '../../src/salesforce/org-port';
import type { SandboxWorld } from '../../src/sandbox/world';

export interface NamedPlaces {
  readonly targets: ReferenceTarget[];
  readonly references: Reference[];
}

export async function placesNaming(world: SandboxWorld, certificate: CertificateNames): Promise<NamedPlaces> {
  const targets = (await world.salesforce.discoverReferenceTargets()).map(({ object, field, kind }) => ({ object, field, kind }));
  const references = await world.salesforce.findReferences(certificate.uniqueName, targets, { label: certificate.label });
  return { targets, references };
}

/** Compare-and-set changes moving `references` from `from` to `to`. */
export function changesTo(references: readonly Reference[], from: string, to: string): ReferenceChange[] {
  return references.map(({ object, field, recordId, scope, owner }) => ({ object, field, recordId, scope, owner, expected: from, value: to }));
}

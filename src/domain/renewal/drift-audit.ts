/**
 * The drift audit: references that will fail, from one org's inventory alone — a
 * reference naming a certificate the org does not have (deleted, or never created there:
 * what a sandbox refresh leaves behind), one that is not usable or has expired, and one
 * holding a label instead of a Unique Name. Each finding names the object, field, scope,
 * owner and record. Pure and workflow-safe: the clock is passed in.
 */
import type { DriftFinding, InventoryReference, OrgInventory } from './inventory-contract';

function scopeWords(ref: Pick<InventoryReference, 'object' | 'field' | 'scope' | 'owner' | 'recordId'>): string {
  const who = ref.owner ? ` ${ref.owner}` : '';
  return ref.object === 'NamedCredential' ? `named credential ${ref.recordId}` : `${ref.object}.${ref.field} (${ref.scope}${who}, ${ref.recordId})`;
}

export function auditReferences(inv: OrgInventory, now: number): DriftFinding[] {
  const byName = new Map(inv.certificates.map((c) => [c.uniqueName.toLowerCase(), c]));
  const findings: DriftFinding[] = [];
  for (const ref of inv.references) {
    const { certificate: name, ...reference } = ref;
    const cert = byName.get(name.toLowerCase());
    const where = scopeWords(ref);
    const finding = (problem: DriftFinding['problem'], detail: string): void => {
      findings.push({ org: inv.org, problem, certificate: cert?.uniqueName ?? name, reference, detail });
    };
    if (!cert) finding('missing-certificate', `${where} names certificate "${ref.value}", which does not exist in this org (a refreshed sandbox?)`);
    else if (ref.matchedBy === 'label') finding('label-not-unique-name', `${where} holds the label "${ref.value}" of certificate ${cert.uniqueName}; it must hold the Unique Name ${cert.uniqueName}`);
    else if (!cert.usable) finding('unusable-certificate', `${where} names ${cert.uniqueName}, which is not usable (a CA-signed certificate waiting for its chain)`);
    else if (cert.expiresAt !== null && Date.parse(cert.expiresAt) <= now) finding('expired-certificate', `${where} names ${cert.uniqueName}, which expired at ${cert.expiresAt}`);
  }
  return findings;
}

/**
 * Traffic (P1, P2) on the bundled world's demo certificate: every place naming it, signed
 * with whichever of it or its successor `NEXT` a reference names at that moment.
 */
import type { Reference } from '../../src/salesforce/org-port';
import { DEMO_CERTIFICATE, type SandboxWorld } from '../../src/sandbox/world';
import { placesNaming } from './references';
import { startTraffic, type Traffic } from './traffic';

/** The successor a benchmark rotation creates. */
export const NEXT = { uniqueName: 'Vendor_Signing_Next', label: 'Vendor Signing Next' } as const;

export async function demoCertificateTraffic(world: SandboxWorld, vendorOrgId: string, loops: number): Promise<{ traffic: Traffic; references: readonly Reference[] }> {
  const current = await world.salesforce.getCertificate(DEMO_CERTIFICATE);
  const { targets, references } = await placesNaming(world, { uniqueName: DEMO_CERTIFICATE, label: current.label });
  const traffic = startTraffic({
    org: world.salesforce,
    registry: world.registry,
    vendorOrgId,
    references,
    targets,
    certificates: [{ uniqueName: DEMO_CERTIFICATE, label: current.label }, NEXT],
    loops,
  });
  return { traffic, references };
}

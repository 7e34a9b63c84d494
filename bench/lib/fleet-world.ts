/**
 * A sandbox world holding a fleet: the demo org plus `size` certificates `Fleet_0001` ...,
 * each named by one row of the list custom setting `Fleet_Options__c`, and the sandbox
 * vendor trusting every fleet certificate in the multi-key (overlap) vendor org. The
 * benchmarks and bench/profile-fleet.ts rotate these certificates.
 *
 *   const world = await startFleetWorld({ size: 50, dir });
 *   const before = await world.apiCalls();   // the sandbox's own DailyApiRequests counter
 */
import { spkiFingerprint } from '../../src/certificates';
import { startSandboxWorld, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';

export const FLEET_SETTING = 'Fleet_Options__c';
export const FLEET_FIELD = 'Fleet_Certificate__c';

export function fleetCertificate(i: number): string {
  return `Fleet_${String(i + 1).padStart(4, '0')}`;
}

export interface FleetWorldOptions {
  readonly size: number;
  readonly dir: string;
  /** Sandbox behaviour switches to set (e.g. `{ pregeneratedKeys: 8 }`). */
  readonly behaviour?: Record<string, unknown>;
}

export interface FleetWorld extends SandboxWorld {
  readonly certificates: readonly string[];
  /** Salesforce API calls the sandbox org has counted so far (DailyApiRequests used). */
  apiCalls(): Promise<number>;
}

/** The demo fixture with the fleet added. */
export function withFleet(demo: Record<string, unknown>, size: number, behaviour: Record<string, unknown> = {}): Record<string, unknown> {
  const names = Array.from({ length: size }, (_, i) => fleetCertificate(i));
  const certificates = [...((demo.certificates as unknown[] | undefined) ?? []), ...names.map((uniqueName) => ({ uniqueName, label: uniqueName.replace('_', ' '), keySize: 2048, caSigned: false, privateKeyExportable: false }))];
  const setting = {
    apiName: FLEET_SETTING,
    label: 'Fleet Options',
    settingType: 'list',
    fields: [
      { name: FLEET_FIELD, label: 'Certificate', type: 'string', length: 80 },
      { name: 'Fleet_Endpoint__c', label: 'Endpoint', type: 'string', length: 255 },
    ],
    records: names.map((name, i) => ({ name: `Fleet ${i + 1}`, values: { [FLEET_FIELD]: name, Fleet_Endpoint__c: `https://fleet-${i + 1}.vendor.example/api` } })),
  };
  const customSettings = [...((demo.customSettings as unknown[] | undefined) ?? []), setting];
  const existing = (demo.behaviour as Record<string, unknown> | undefined) ?? {};
  return { ...demo, certificates, customSettings, behaviour: { ...existing, ...behaviour } };
}

export async function startFleetWorld(options: FleetWorldOptions): Promise<FleetWorld> {
  const world = await startSandboxWorld({ dir: options.dir, orgFixture: (demo) => withFleet(demo, options.size, options.behaviour) });
  try {
    const names = Array.from({ length: options.size }, (_, i) => fleetCertificate(i));
    const run = { workflowId: 'fleet-seed', runId: 'seed' };
    for (const name of names) {
      const current = await world.salesforce.getCertificate(name);
      if (!current.certificatePem) throw new Error(`fleet certificate ${name} has no certificate`);
      const fingerprint = await world.registry.stageKey(WORLD_ORGS.multiKey.vendorOrgId, current.certificatePem, { run });
      if (fingerprint !== spkiFingerprint(current.certificatePem)) throw new Error('the sandbox vendor registered another fingerprint');
      await world.registry.activateKey(WORLD_ORGS.multiKey.vendorOrgId, fingerprint, { run });
    }
  } catch (error) {
    await world.close();
    throw error;
  }
  const limitsUrl = new URL('/__sandbox/limits', world.org.url).toString();
  return {
    ...world,
    certificates: Array.from({ length: options.size }, (_, i) => fleetCertificate(i)),
    async apiCalls() {
      const response = await fetch(limitsUrl);
      const body = (await response.json()) as { dailyApiRequests: { used: number } };
      return body.dailyApiRequests.used;
    },
  };
}

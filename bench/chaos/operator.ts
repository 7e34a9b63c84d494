/**
 * What happens between two rotations of a chain: the chain moves on to the certificate its
 * references name now, and — when the rotation left manual steps — the operator does them
 * (retires the vendor keys no reference uses, deletes certificates of this chain that no
 * reference names), with faults off, so the next rotation starts from a clean world and its
 * invariants judge only what it did. A chain whose references no longer agree is not
 * rotated again.
 */
import { spkiFingerprint } from '../../src/certificates';
import type { RotationStatus } from '../../src/domain/rotation';
import type { Chain, ChaosWorld } from './chaos-world';
import { faultsOff, faultsOn } from './fault-plan';
import { activeKeys, liveCertificate, placesNaming, textPlaces, type WorldView } from './sandbox-state';

export async function afterRotation(
  world: ChaosWorld,
  chain: Chain,
  run: { before: WorldView; after: WorldView; status: RotationStatus | null; newUniqueName: string; index: number; log: (line: string) => void },
): Promise<void> {
  const places = placesNaming(textPlaces(run.before.org), chain.current);
  const now = textPlaces(run.after.org);
  const named = [...new Set(places.map((place) => now.get(place) ?? '(gone)'))];
  const live = named.length === 1 ? liveCertificate(run.after.org, named[0] ?? '') : undefined;
  if (!live?.certificatePem || run.status?.outcome == null) {
    chain.broken = `after rotation ${run.index} its references name ${named.join(', ')}${run.status?.outcome == null ? ' and the rotation did not end' : ''}`;
    run.log(`   chain ${chain.id} is not rotated again: ${chain.broken}`);
    return;
  }
  const previous = chain.current;
  chain.current = live.uniqueName;
  if (!run.status.manualSteps.length) return;

  // The operator's manual steps: the world as a clean completed (or rolled-back) rotation leaves it.
  const steps: string[] = [];
  const wasFaulty = world.sandbox.org.faults.list().length > 0;
  if (wasFaulty) await faultsOff(world);
  try {
    const inUse = spkiFingerprint(live.certificatePem);
    const operator = { run: { workflowId: 'chaos-operator', runId: String(run.index) } };
    for (const key of activeKeys(run.after.vendor, chain.vendorOrgId).filter((k) => k !== inUse)) {
      await world.sandbox.registry.retireKey(chain.vendorOrgId, key, operator);
      steps.push(`retired ${key}`);
    }
    const ours = new Set([previous.toLowerCase(), run.newUniqueName.toLowerCase()]);
    for (const certificate of run.after.org.certificates) {
      const name = certificate.uniqueName.toLowerCase();
      if (certificate.deleted || !ours.has(name) || name === live.uniqueName.toLowerCase()) continue;
      if (placesNaming(now, certificate.uniqueName).length > 0) continue;
      await world.sandbox.salesforce.deleteCertificate(certificate.uniqueName);
      steps.push(`deleted ${certificate.uniqueName}`);
    }
  } finally {
    if (wasFaulty) await faultsOn(world);
  }
  run.log(`   operator did the ${run.status.manualSteps.length} manual step(s): ${steps.join('; ') || 'nothing left to do'}`);
}

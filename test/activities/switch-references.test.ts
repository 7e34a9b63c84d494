import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SwitchReferencesInput } from '../../src/domain/activity-contract';
import { RotationError } from '../../src/domain/errors';
import type { ReferenceChange, ReferenceConflict } from '../../src/domain/reference';
import type { CertificateDetails } from '../../src/salesforce/org-port';
import { activitiesWith, certificate, fakeOrg, isFailureOfType, mockEnv, run } from './fakes';

const OLD = 'Vendor_Cert_2024';
const NEW = 'Vendor_Cert_2025';
const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i + 10).toString(16).toUpperCase().padStart(2, '0')).join(':');

function change(recordId: string): ReferenceChange {
  return { object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', recordId, scope: 'record', owner: null, expected: OLD, value: NEW };
}

const CHANGES = [change('a01000000000001AAA'), change('a01000000000002AAA'), change('a01000000000003AAA')];
const INPUT: SwitchReferencesInput = { org: 'prod', changes: CHANGES, certificate: { uniqueName: NEW, fingerprint: FINGERPRINT } };

interface HeartbeatProgress {
  applied: ReferenceChange[];
  conflicts: ReferenceConflict[];
  firstAt: string | null;
}

/** An org whose records hold `values` (recordId -> value); updateReferences is compare-and-set. */
function orgWithRecords(target: CertificateDetails | RotationError, values: Map<string, string>) {
  const requested: ReferenceChange[][] = [];
  const org = fakeOrg({
    getCertificate: () => (target instanceof RotationError ? Promise.reject(target) : Promise.resolve(target)),
    updateReferences(changes, progress) {
      requested.push([...changes]);
      const applied: ReferenceChange[] = [];
      const conflicts: ReferenceConflict[] = [];
      for (const c of changes) {
        const actual = values.get(c.recordId) ?? null;
        if (actual === c.expected) {
          values.set(c.recordId, c.value);
          applied.push(c);
        } else {
          conflicts.push({ ...c, actual });
        }
        progress?.({ applied: [...applied], conflicts: [...conflicts] });
      }
      return Promise.resolve({ applied, conflicts });
    },
  });
  return { org, requested };
}

const TARGET = certificate({ uniqueName: NEW, fingerprintSha256: FINGERPRINT, usable: true });
const allOld = () => new Map(CHANGES.map((c) => [c.recordId, OLD]));
const clock = () => new Date('2025-06-02T12:00:00.000Z');

describe('switchReferences', () => {
  it('refuses with CERT_NOT_FOUND before any write when the target certificate is gone', async () => {
    const { org, requested } = orgWithRecords(new RotationError('CERT_NOT_FOUND', 'gone'), allOld());
    await assert.rejects(run(mockEnv(), activitiesWith(org).switchReferences, INPUT), isFailureOfType('CERT_NOT_FOUND'));
    assert.equal(requested.length, 0);
  });

  it('refuses with CONFLICT before any write when the target certificate is unusable', async () => {
    const { org, requested } = orgWithRecords({ ...TARGET, usable: false }, allOld());
    await assert.rejects(run(mockEnv(), activitiesWith(org).switchReferences, INPUT), isFailureOfType('CONFLICT'));
    assert.equal(requested.length, 0);
  });

  it('refuses with CONFLICT before any write when the target certificate has another fingerprint', async () => {
    const { org, requested } = orgWithRecords({ ...TARGET, fingerprintSha256: Array(32).fill('FF').join(':') }, allOld());
    await assert.rejects(run(mockEnv(), activitiesWith(org).switchReferences, INPUT), isFailureOfType('CONFLICT'));
    assert.equal(requested.length, 0);
  });

  it('heartbeats its progress after each reference and sets firstAt', async () => {
    const values = allOld();
    values.set(CHANGES[1]!.recordId, 'Someone_Else');
    const { org } = orgWithRecords({ ...TARGET, fingerprintSha256: FINGERPRINT.toLowerCase() }, values);
    const env = mockEnv();
    const beats: HeartbeatProgress[] = [];
    env.on('heartbeat', (details: HeartbeatProgress) => beats.push(details));
    const result = await run(env, activitiesWith(org, {}, { clock }).switchReferences, INPUT);

    assert.deepEqual(
      beats.map((b) => [b.applied.length, b.conflicts.length]),
      [
        [1, 0],
        [1, 1],
        [2, 1],
      ],
    );
    assert.ok(beats.every((b) => b.firstAt === '2025-06-02T12:00:00.000Z'));
    assert.equal(result.firstAt, '2025-06-02T12:00:00.000Z');
    assert.deepEqual(result.applied, [CHANGES[0], CHANGES[2]]);
    assert.deepEqual(result.conflicts, [{ ...CHANGES[1], actual: 'Someone_Else' }]);
    assert.equal(values.get(CHANGES[0]!.recordId), NEW);
  });

  it('resumes from the heartbeat details of a previous attempt: switches only the rest and returns the union', async () => {
    const values = allOld();
    values.set(CHANGES[0]!.recordId, NEW); // the dead attempt switched it and reported it
    const previous: HeartbeatProgress = { applied: [CHANGES[0]!], conflicts: [], firstAt: '2025-06-02T11:59:00.000Z' };
    const { org, requested } = orgWithRecords(TARGET, values);
    const env = mockEnv({ heartbeatDetails: previous });
    const beats: HeartbeatProgress[] = [];
    env.on('heartbeat', (details: HeartbeatProgress) => beats.push(details));
    const result = await run(env, activitiesWith(org, {}, { clock }).switchReferences, INPUT);

    assert.deepEqual(requested, [[CHANGES[1], CHANGES[2]]]);
    assert.deepEqual(result.applied, CHANGES);
    assert.deepEqual(result.conflicts, []);
    assert.equal(result.firstAt, '2025-06-02T11:59:00.000Z', 'the mismatch window started with the earlier attempt');
    assert.deepEqual(beats.at(-1), { applied: CHANGES, conflicts: [], firstAt: '2025-06-02T11:59:00.000Z' });
  });
});

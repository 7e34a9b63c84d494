/**
 * The sweep's own pure decisions (the renewal policy and windows have their unit tests in
 * test/unit): the jitter fraction (a hash, never stored), the choice of maintenance window, and what the
 * renewal asks for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInventoryConfig } from '../../src/domain/inventory-config';
import type { InventoryCertificate } from '../../src/domain/renewal/inventory-contract';
import { certificateJitterFraction } from '../../src/domain/renewal/jitter';
import { rotationRequest } from '../../src/domain/renewal/renewal-request';
import { APPROVAL_LEAD_MS, chooseWindow } from '../../src/domain/renewal/window-choice';

const HOUR = 3_600_000;

function integration(window: string, freezePeriods: { start: string; end: string; reason: string }[] = []) {
  const config = parseInventoryConfig({
    orgs: { prod: { integrations: [{ certificatePattern: 'Vendor_*', vendor: 'acme', strategy: 'overlap', window, renewal: { freezePeriods } }] } },
  });
  return config.orgs.prod!.integrations[0]!;
}

describe('renewal sweep decisions', () => {
  it('keeps one jitter fraction per certificate: same at every sweep, new for a renewed certificate', () => {
    const first = certificateJitterFraction('prod', 'Vendor_Signing', '2027-11-25T00:00:00.000Z');
    assert.equal(certificateJitterFraction('prod', 'Vendor_Signing', '2027-11-25T00:00:00.000Z'), first);
    assert.equal(certificateJitterFraction('PROD', 'vendor_signing', '2027-11-25T00:00:00.000Z'), first, 'aliases and Unique Names are case-insensitive');
    assert.notEqual(certificateJitterFraction('prod', 'Vendor_Signing', '2028-11-24T00:00:00.000Z'), first);
    assert.notEqual(certificateJitterFraction('uat', 'Vendor_Signing', '2027-11-25T00:00:00.000Z'), first);
    const fractions = Array.from({ length: 200 }, (_, i) => certificateJitterFraction('prod', `Vendor_${i}`, '2027-11-25T00:00:00.000Z'));
    assert.ok(fractions.every((f) => f >= 0 && f < 1));
    assert.ok(fractions.filter((f) => f < 0.5).length > 70 && fractions.filter((f) => f < 0.5).length < 130, 'spread over [0, 1)');
  });

  it('picks the first whole window at least a day ahead, outside freezes, before expiry', () => {
    const now = Date.parse('2027-06-02T12:00:00Z'); // a Wednesday
    const far = Date.parse('2028-01-01T00:00:00Z');
    assert.deepEqual(chooseWindow(integration('daily 02:00-04:00 UTC'), far, now), { start: '2027-06-04T02:00:00.000Z', end: '2027-06-04T04:00:00.000Z' });
    const window = chooseWindow(integration('Saturdays 02:00-04:00 Europe/London'), far, now)!;
    assert.equal(window.start, '2027-06-05T01:00:00.000Z', 'local time, summer offset');
    assert.ok(Date.parse(window.start) >= now + APPROVAL_LEAD_MS);
    const frozen = integration('Saturdays 02:00-04:00 UTC', [{ start: '2027-06-05T00:00:00Z', end: '2027-06-10T00:00:00Z', reason: 'release' }]);
    assert.equal(chooseWindow(frozen, far, now)?.start, '2027-06-12T02:00:00.000Z', 'a window in a freeze is passed over');
    assert.equal(chooseWindow(integration('Saturdays 02:00-04:00 UTC'), now + 30 * HOUR, now), null, 'no window before expiry: none');
  });

  it('renews a certificate with its own key size: 2048, 3072 and 4096 stay as they are', () => {
    const now = Date.parse('2027-06-02T12:00:00Z');
    const cert = (keySize: number): InventoryCertificate => ({
      uniqueName: 'Vendor_Signing',
      label: 'Vendor Signing',
      keySize,
      caSigned: false,
      usable: true,
      expiresAt: '2027-07-01T00:00:00.000Z',
      notBefore: '2027-03-23T00:00:00.000Z',
      notBeforeSource: 'certificate',
    });
    const keySizeFor = (keySize: number) => rotationRequest('prod', cert(keySize), integration('daily 02:00-04:00 UTC'), null, now).keySize;
    assert.equal(keySizeFor(2048), 2048);
    assert.equal(keySizeFor(3072), 3072, 'a 3072-bit certificate is not weakened to 2048');
    assert.equal(keySizeFor(4096), 4096);
    // An imported key Salesforce cannot create (1024, 8192): the nearest size it can that is no weaker, else its largest.
    assert.equal(keySizeFor(1024), 2048);
    assert.equal(keySizeFor(8192), 4096);
  });
});

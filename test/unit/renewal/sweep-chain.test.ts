/**
 * The sweep's decisions without a server: the one check chain (a reason constant per
 * outcome), the per-org budget in window order, the room a policy leaves, and the plan of
 * an org from its inventory.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInventoryConfig } from '../../../src/domain/inventory-config';
import { parseWindowPolicy } from '../../../src/domain/maintenance-window';
import { activeCount, applyBudget, windowOrder } from '../../../src/domain/renewal/budget';
import { decideCertificate, RenewalReason, type CertificateFacts } from '../../../src/domain/renewal/decision';
import type { InventoryCertificate, OrgInventory } from '../../../src/domain/renewal/inventory-contract';
import { planOrg, type PlannedCertificate } from '../../../src/domain/renewal/org-plan';
import { inventoryRoomProblems, roomNeeded, roomProblem } from '../../../src/domain/renewal/room';
import { longestWindowWait } from '../../../src/domain/renewal/window-choice';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse('2027-06-02T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/** A 100-day certificate, `used` of its lifetime passed at NOW. */
function facts(used: number, extra: Partial<CertificateFacts> = {}): CertificateFacts {
  const notBefore = NOW - used * 100 * DAY;
  return { uniqueName: 'Vendor_Signing', usable: true, notBefore: iso(notBefore), expiresAt: iso(notBefore + 100 * DAY), jitterFraction: 0, policy: {}, references: 2, newer: null, ...extra };
}

describe('the renewal chain', () => {
  const table: { name: string; cert: CertificateFacts; reason: RenewalReason; due: boolean; message: RegExp }[] = [
    { name: 'no integration', cert: facts(0.9, { policy: null }), reason: RenewalReason.noIntegration, due: false, message: /no integration/ },
    { name: 'a CSR waiting for its chain', cert: facts(0.9, { usable: false, expiresAt: null, notBefore: null }), reason: RenewalReason.unusable, due: false, message: /waiting for its chain/ },
    { name: 'half its life', cert: facts(0.5), reason: RenewalReason.notYetDue, due: false, message: /^renews at .*two thirds of its 100-day lifetime/ },
    { name: 'past two thirds', cert: facts(0.7), reason: RenewalReason.due, due: true, message: /^due: two thirds of its 100-day lifetime passed/ },
    {
      name: 'due in a freeze that ends before expiry',
      cert: facts(0.7, { policy: { freezePeriods: [{ start: iso(NOW - DAY), end: iso(NOW + 5 * DAY), reason: 'release' }] } }),
      reason: RenewalReason.frozen,
      due: false,
      message: /in freeze period 'release' until/,
    },
    {
      name: 'due in a freeze that outlasts the certificate',
      cert: facts(0.7, { policy: { freezePeriods: [{ start: iso(NOW - DAY), end: iso(NOW + 60 * DAY), reason: 'release' }] } }),
      reason: RenewalReason.due,
      due: true,
      message: /freeze period 'release' is overridden/,
    },
    { name: 'nothing names it and a newer one exists', cert: facts(0.9, { references: 0, newer: { uniqueName: 'Vendor_Signing_2', expiresAt: iso(NOW + 90 * DAY) } }), reason: RenewalReason.superseded, due: false, message: /Vendor_Signing_2/ },
    { name: 'expired', cert: facts(1.05), reason: RenewalReason.expired, due: true, message: /^expired 5 days ago — rotate now/ },
    { name: 'a policy that cannot be evaluated', cert: facts(0.7, { policy: { jitterMaxHours: 1e300 } }), reason: RenewalReason.configError, due: false, message: /^jitterMaxHours: 1e\+300 must be a number of hours from 0 to 168/ },
  ];
  for (const row of table) {
    it(`${row.name}: ${row.reason}`, () => {
      const decision = decideCertificate(row.cert, NOW);
      assert.equal(decision.reason, row.reason);
      assert.equal(decision.due, row.due);
      assert.match(decision.message, row.message);
    });
  }

  it('the jitter moves the renewal earlier by the certificate\'s own fraction, never more than jitterMaxHours', () => {
    const plain = decideCertificate(facts(0.5), NOW).renewAt!;
    const jittered = decideCertificate(facts(0.5, { jitterFraction: 0.5, policy: { jitterMaxHours: 10 } }), NOW);
    assert.equal(Date.parse(plain) - Date.parse(jittered.renewAt!), 5 * HOUR);
    assert.match(jittered.message, /5 h earlier by its jitter/);
  });
});

function planned(name: string, window: string | null, expiresAt = '2027-07-01T00:00:00.000Z'): PlannedCertificate {
  const cert: InventoryCertificate = { uniqueName: name, label: name, keySize: 2048, caSigned: false, usable: true, expiresAt, notBefore: '2027-03-23T00:00:00.000Z', notBeforeSource: 'certificate' };
  return {
    cert,
    integration: null,
    decision: { reason: RenewalReason.due, due: true, message: 'due', renewAt: '2027-06-01T00:00:00.000Z', daysLeft: 28 },
    references: 1,
    window: window ? { start: window, end: iso(Date.parse(window) + 2 * HOUR) } : null,
    urgent: window === null,
    room: null,
  };
}

describe('the per-org budget', () => {
  const due = [planned('C_Late', '2027-06-12T02:00:00.000Z'), planned('B_Soon', '2027-06-05T02:00:00.000Z'), planned('A_Urgent', null), planned('D_Running', '2027-06-05T02:00:00.000Z')];

  it('orders by window: urgent first, then window start, then expiry', () => {
    assert.deepEqual([...due].sort(windowOrder).map((p) => p.cert.uniqueName), ['A_Urgent', 'B_Soon', 'D_Running', 'C_Late']);
  });

  it('starts in window order while the budget has room, counting rotations already running', () => {
    const { start, held } = applyBudget('prod', due, new Set(['d_running']), 1, 3);
    assert.deepEqual(start.map((p) => p.cert.uniqueName), ['A_Urgent', 'B_Soon'], '3 minus the one running');
    assert.deepEqual(
      held.map((h) => [h.planned.cert.uniqueName, h.reason]),
      [
        ['D_Running', RenewalReason.alreadyRunning],
        ['C_Late', RenewalReason.overBudget],
      ],
    );
    assert.match(held[0]!.message, /rotation already running \(rotate\/prod\/d_running\)/);
    assert.match(held[1]!.message, /its budget is 3 \(maxActiveRotations\).*place 1 in window order/);
  });

  it('starts nothing when the org is at its budget, and everything when the budget is large', () => {
    assert.equal(applyBudget('prod', due, new Set(['x', 'y']), 2, 2).start.length, 0);
    assert.equal(applyBudget('prod', due, new Set(), 0, 25).start.length, 4);
  });

  it('does not count a rotation waiting out its grace period', () => {
    assert.equal(activeCount([{ phase: 'grace-period' }, { phase: 'scheduled' }, { phase: null }]), 2);
    assert.equal(applyBudget('prod', due, new Set(['x', 'y']), activeCount([{ phase: 'grace-period' }, { phase: 'grace-period' }]), 2).start.length, 2);
  });
});

describe('room for a renewal', () => {
  it('adds the sweep interval, the approval lead, the longest wait for a window and the window', () => {
    const weekly = parseWindowPolicy('Saturdays 02:00-04:00 UTC');
    assert.deepEqual(longestWindowWait(weekly), { waitMs: 7 * DAY + HOUR, windowMs: 2 * HOUR });
    assert.equal(roomNeeded(weekly).ms, 2 * DAY + 7 * DAY + HOUR + 2 * HOUR);
    assert.equal(longestWindowWait(parseWindowPolicy('Tue,Thu 22:00-23:30 Europe/London')).waitMs, 5 * DAY + HOUR);
    assert.equal(roomProblem(NOW, NOW + 15 * DAY, roomNeeded(weekly)), null);
    assert.match(roomProblem(NOW, NOW + 5 * DAY, roomNeeded(weekly))!, /^it renews 5 days before it expires, but a renewal needs up to 9.1 days/);
  });

  const config = (renewal: Record<string, unknown>, window = 'Saturdays 02:00-04:00 UTC') =>
    parseInventoryConfig({ orgs: { prod: { integrations: [{ certificatePattern: 'Vendor_*', vendor: 'acme', strategy: 'overlap', window, renewal }] } } });

  it('says at config load when a policy leaves no room for today\'s lifetimes (error) or later, shorter ones (warning)', () => {
    const today = new Date('2026-12-02T00:00:00Z');
    assert.deepEqual(inventoryRoomProblems(config({}), today), [], 'two thirds of 47 days leaves 15.7 days: room for a weekly window');
    const [late] = inventoryRoomProblems(config({ renewBeforePercent: 90 }), today);
    assert.equal(late?.severity, 'warning', '90% of 200 days leaves 20 days, of 100 days 10, of 47 days 4.7');
    assert.match(late.message, /^orgs\.prod\.integrations\[0\]\.renewal: for a 47-day certificate \(Salesforce's longest from 2029-03-15\) it renews 4\.7 days before it expires/);
    const [wrong] = inventoryRoomProblems(config({ renewBeforeDays: 3 }), today);
    assert.equal(wrong?.severity, 'error');
    assert.match(wrong.message, /for a 200-day certificate \(the longest Salesforce creates today\) it renews 3 days before it expires, but a renewal needs up to 9\.1 days/);
    assert.deepEqual(inventoryRoomProblems(config({ renewBeforeDays: 3 }, 'daily 02:00-04:00 UTC'), today).map((f) => f.severity), ['error'], 'daily windows need 3.1 days');
  });
});

describe('the plan of an org', () => {
  it('decides each certificate from the inventory alone, most urgent first, with its window and room', () => {
    const config = parseInventoryConfig({
      orgs: { prod: { maxActiveRotations: 2, integrations: [{ certificatePattern: 'Vendor_*', vendor: 'acme', strategy: 'overlap', window: 'daily 02:00-04:00 UTC' }] } },
    });
    const cert = (uniqueName: string, used: number): InventoryCertificate => {
      const notBefore = NOW - used * 47 * DAY;
      return { uniqueName, label: uniqueName, keySize: 2048, caSigned: false, usable: true, notBefore: iso(notBefore), expiresAt: iso(notBefore + 47 * DAY), notBeforeSource: 'certificate' };
    };
    const inv: OrgInventory = {
      org: 'prod',
      takenAt: iso(NOW),
      certificates: [cert('Vendor_New', 0.1), cert('Other', 0.9), cert('Vendor_Old', 0.8)],
      references: [{ certificate: 'Vendor_Old', object: 'NamedCredential', field: 'certificate', recordId: 'Vendor_API', scope: 'named-credential', owner: null, value: 'Vendor_Old', matchedBy: 'unique-name' }],
      missing: [],
      targets: [],
    };
    const plan = planOrg(config, inv, NOW);
    assert.deepEqual(
      plan.certificates.map((p) => [p.cert.uniqueName, p.decision.reason]),
      [
        ['Other', RenewalReason.noIntegration],
        ['Vendor_Old', RenewalReason.due],
        ['Vendor_New', RenewalReason.notYetDue],
      ],
    );
    const old = plan.certificates[1]!;
    assert.equal(old.references, 1);
    assert.ok(old.window && Date.parse(old.window.start) >= NOW + DAY, 'a window at least a day ahead');
    assert.equal(old.room, null);
    assert.equal(config.orgs.prod!.maxActiveRotations, 2);
  });
});

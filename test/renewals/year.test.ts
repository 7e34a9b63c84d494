// test-timeout-minutes: 12
/**
 * A simulated year of automatic renewals across two orgs: the renewal sweep runs every
 * week on the time-skipping server; the test plays the provisioning team and approves each
 * staged key. Certificates last what Salesforce gives on the day they are made (the
 * CA/Browser Forum schedule: 200 days from 2026-03-15, 100 from 2027-03-15, 47 from
 * 2029-03-15), so a renewed certificate comes due again within the year, and its own
 * renewal follows: every certificate of every integration is renewed exactly once, by the
 * first sweep after its policy says so — two thirds of its own lifetime unless configured
 * otherwise — inside its maintenance window, outside the freeze, before it expires; none
 * lapses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCertificate } from '../../src/certificates';
import type { KeySize } from '../../src/domain/certificate';
import { salesforceLifetimeDays } from '../../src/domain/certificate-lifetime';
import { parseWindowPolicy, windowContains } from '../../src/domain/maintenance-window';
import type { RotationStatus } from '../../src/domain/rotation';
import { certificateJitterFraction } from '../../src/domain/renewal/jitter';
import type { renewalSweep, RenewalSweepResult, StartedRotation } from '../../src/workflows/renewal-sweep';
import { APPROVER, DAY_MS, madeAgo, useRenewalHarness } from './support';

const ALPHA_WINDOW = 'Saturdays 02:00-04:00 UTC';
const BETA_WINDOW = 'Tue,Thu 22:00-23:30 Europe/London';
const STEP_DAYS = 7;
const YEAR_DAYS = 365;
const HOUR_MS = 3_600_000;

interface Held {
  readonly org: string;
  readonly uniqueName: string;
  readonly keySize: number;
  readonly notBefore: number;
  readonly notAfter: number;
}

function held(org: string, uniqueName: string, pem: string): Held {
  const info = parseCertificate(pem);
  return { org, uniqueName, keySize: info.keySize, notBefore: info.notBefore.getTime(), notAfter: info.notAfter.getTime() };
}

function lifetimeOf(cert: Held): number {
  return Math.round((cert.notAfter - cert.notBefore) / DAY_MS);
}

describe('automatic renewals over a simulated year', () => {
  const harness = useRenewalHarness();

  it('renews every certificate of every integration once, at its own time, in its window, before it expires', { timeout: 600_000 }, async () => {
    const env = harness.env();
    const t0 = await env.currentTimeMs();
    // Stages of life at the start, whatever lifetime the day each was made gives it.
    const age = (keySize: KeySize, at: { used: number } | { leftDays: number }) => madeAgo(keySize, t0, at);
    const ages = {
      Alpha_Orders: age(2048, { used: 0.5 }),
      Alpha_Billing: age(4096, { used: 0.6 }),
      Alpha_New: age(2048, { used: 0 }),
      Beta_Gateway: age(4096, { used: 0.3 }),
      Beta_Portal: age(3072, { leftDays: 60 }),
      Beta_Unmanaged: age(2048, { used: 0.25 }),
    };
    // The freeze covers Beta_Gateway's two-thirds point: it must wait for the freeze to end.
    const gatewayBorn = t0 - ages.Beta_Gateway * DAY_MS;
    const gatewayDue = gatewayBorn + (salesforceLifetimeDays(4096, new Date(gatewayBorn)) * DAY_MS * 2) / 3;
    const freeze = { start: new Date(gatewayDue - 5 * DAY_MS).toISOString(), end: new Date(gatewayDue + 15 * DAY_MS).toISOString(), reason: 'year-end freeze' };

    const world = await harness.world({
      orgs: [
        { alias: 'alpha', fixture: 'alpha-org.json', ageDays: { Alpha_Orders: ages.Alpha_Orders, Alpha_Billing: ages.Alpha_Billing, Alpha_New: ages.Alpha_New } },
        { alias: 'beta', fixture: 'beta-org.json', ageDays: { Beta_Gateway: ages.Beta_Gateway, Beta_Portal: ages.Beta_Portal, Beta_Unmanaged: ages.Beta_Unmanaged } },
      ],
      inventory: {
        orgs: {
          alpha: {
            integrations: [
              {
                certificatePattern: 'Alpha_Orders*',
                vendor: 'acme',
                strategy: 'overlap',
                references: { targets: [{ object: 'acme__Gateway__c', field: 'acme__Certificate__c', kind: 'hierarchy-setting' }] },
                approvers: [APPROVER],
                window: ALPHA_WINDOW,
                renewal: { jitterMaxHours: 72 },
              },
              {
                certificatePattern: 'Alpha_Billing*',
                vendor: 'acme',
                strategy: 'overlap',
                references: { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] },
                approvers: [APPROVER],
                window: ALPHA_WINDOW,
              },
              {
                certificatePattern: 'Alpha_New*',
                vendor: 'acme',
                strategy: 'overlap',
                references: { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] },
                approvers: [APPROVER],
                window: ALPHA_WINDOW,
                renewal: { renewBeforePercent: 75 },
              },
            ],
          },
          beta: {
            integrations: [
              { certificatePattern: 'Beta_Gateway*', vendor: 'acme', strategy: 'overlap', references: { discover: true }, approvers: [APPROVER], window: BETA_WINDOW, renewal: { freezePeriods: [freeze] } },
              { certificatePattern: 'Beta_Portal*', vendor: 'acme', strategy: 'overlap', references: { discover: true }, approvers: [APPROVER], window: BETA_WINDOW, renewal: { renewBeforeDays: 30 } },
            ],
          },
        },
      },
    });

    /** When the integration's policy wants `cert` renewed, from the certificate's own validity. */
    const renewAtOf = (cert: Held): number => {
      const lifetime = cert.notAfter - cert.notBefore;
      if (cert.uniqueName.startsWith('Beta_Portal')) return cert.notAfter - 30 * DAY_MS; // renewBeforeDays 30
      if (cert.uniqueName.startsWith('Alpha_New')) return cert.notBefore + lifetime * 0.75; // renewBeforePercent 75
      const twoThirds = cert.notBefore + (lifetime * 2) / 3;
      if (!cert.uniqueName.startsWith('Alpha_Orders')) return twoThirds;
      // jitterMaxHours 72: up to 3 days earlier, by the certificate's own fixed fraction
      const fraction = certificateJitterFraction(cert.org, cert.uniqueName, new Date(cert.notAfter).toISOString());
      return twoThirds - Math.round(fraction * 72 * HOUR_MS);
    };
    const frozen = (cert: Held, at: number): boolean =>
      cert.uniqueName.startsWith('Beta_Gateway') && at >= Date.parse(freeze.start) && at < Date.parse(freeze.end) && cert.notAfter > Date.parse(freeze.end);

    const originals: Held[] = [];
    for (const org of Object.values(world.orgs)) {
      for (const c of await org.salesforce.listCertificates()) {
        if (c.uniqueName !== 'Beta_Unmanaged') originals.push(held(org.alias, c.uniqueName, (await org.salesforce.getCertificate(c.uniqueName)).certificatePem!));
      }
    }

    const started: (StartedRotation & { sweptAt: string })[] = [];
    const sweeps: RenewalSweepResult[] = [];
    for (let d = 0; d < YEAR_DAYS; d += STEP_DAYS) {
      const result = await harness.client().workflow.execute<typeof renewalSweep>('renewalSweep', { taskQueue: world.taskQueue, workflowId: `sweep-year-${d}`, args: [{}] });
      sweeps.push(result);
      assert.deepEqual(result.orgs.map((o) => o.error), [null, null], `day ${d}: ${JSON.stringify(result.orgs)}`);
      assert.deepEqual(result.drift, [], `day ${d}: no reference drift expected`);
      for (const rotation of result.started) {
        started.push({ ...rotation, sweptAt: result.sweptAt });
        harness.track(rotation.workflowId);
        await harness.approve(world, rotation.workflowId);
      }
      await harness.advance(STEP_DAYS * DAY_MS);
    }
    await harness.advance(30 * DAY_MS); // the last grace periods end
    const sweptAt = sweeps.map((s) => Date.parse(s.sweptAt));

    // Never twice for one certificate; never the unmanaged one.
    assert.equal(new Set(started.map((s) => s.certificate.toLowerCase())).size, started.length, JSON.stringify(started.map((s) => [s.certificate, s.sweptAt])));
    assert.ok(sweeps.every((s) => s.skipped.some((k) => k.certificate === 'Beta_Unmanaged' && k.kind === 'no-integration')));
    assert.ok(sweeps.some((s) => s.skipped.some((k) => k.kind === 'frozen' && k.certificate === 'Beta_Gateway')), 'Beta_Gateway waited for the freeze to end');
    assert.ok(sweeps.some((s) => s.skipped.some((k) => k.kind === 'already-running' || k.kind === 'superseded')), 'later sweeps left running rotations alone');

    // Follow each integration's certificates through the year: each renewed by the first sweep
    // at or after its renewal time (outside the freeze), its successor the same way.
    const chains: string[] = [];
    let followed = 0;
    for (const original of originals) {
      const lifetimes: number[] = [];
      for (let cert: Held | null = original; cert !== null; ) {
        lifetimes.push(lifetimeOf(cert));
        const current: Held = cert;
        const renewAt = renewAtOf(current);
        const firstSweep = sweptAt.find((at) => at >= renewAt - 60_000 && !frozen(current, at));
        const rotation = started.find((s) => s.certificate === current.uniqueName);
        if (firstSweep === undefined) {
          assert.equal(rotation, undefined, `${current.uniqueName} renews at ${new Date(renewAt).toISOString()}, after the last sweep`);
          assert.ok(current.notAfter > sweptAt[sweptAt.length - 1]!, `${current.uniqueName} did not lapse`);
          cert = null;
          continue;
        }
        assert.ok(rotation, `${current.uniqueName} (${lifetimeOf(current)} days) was due at ${new Date(renewAt).toISOString()} and renewed`);
        followed += 1;
        assert.equal(Date.parse(rotation.sweptAt), firstSweep, `${current.uniqueName} started by the first sweep after ${new Date(renewAt).toISOString()}`);
        assert.ok(Math.abs(Date.parse(rotation.renewAt) - renewAt) < 1_000, `${current.uniqueName}: renewAt ${rotation.renewAt}, expected ${new Date(renewAt).toISOString()} from its own ${lifetimeOf(current)}-day lifetime`);

        const status = (await harness.client().workflow.getHandle(rotation.workflowId).result()) as RotationStatus;
        assert.equal(status.outcome, 'completed', `${rotation.workflowId}: ${status.reason ?? ''} ${status.errors.join('; ')}`);
        assert.equal(status.approval?.approver, APPROVER);
        const applying = Date.parse(status.timeline.find((t) => t.phase === 'applying')!.at);
        const window = rotation.window!;
        assert.ok(!rotation.urgent && window, `${current.uniqueName} had a maintenance window`);
        assert.ok(applying >= Date.parse(window.start) && applying < Date.parse(window.end), `${current.uniqueName} applied at ${new Date(applying).toISOString()}, window ${window.start} → ${window.end}`);
        assert.ok(windowContains(parseWindowPolicy(current.org === 'alpha' ? ALPHA_WINDOW : BETA_WINDOW), new Date(window.start)), `${window.start} is one of ${current.org}'s windows`);
        assert.ok(applying < current.notAfter, `${current.uniqueName} renewed before it expired at ${new Date(current.notAfter).toISOString()}`);
        if (frozen(current, renewAt)) assert.ok(Date.parse(window.start) >= Date.parse(freeze.end), 'not applied during the freeze');

        // Salesforce: the old certificate is gone; the new one has the same key size and the
        // lifetime Salesforce gives on the day it was made.
        const listed = await world.orgs[current.org]!.salesforce.listCertificates();
        assert.ok(!listed.some((c) => c.uniqueName === current.uniqueName), `${current.uniqueName} was deleted`);
        const renewed = held(current.org, status.newCertificate!.uniqueName, status.newCertificate!.certificatePem);
        assert.equal(renewed.keySize, current.keySize, `${renewed.uniqueName} keeps the ${current.keySize}-bit key size`);
        assert.equal(lifetimeOf(renewed), salesforceLifetimeDays(current.keySize as KeySize, new Date(renewed.notBefore)));
        assert.ok(renewed.notAfter > current.notAfter);
        cert = renewed;
      }
      chains.push(`${original.uniqueName} ${lifetimes.join(' → ')} days`);
    }
    assert.equal(followed, started.length, 'every rotation started renewed a certificate of an integration');
    assert.ok(started.length > originals.length, 'renewed certificates came due again within the year');
    console.log(`simulated year: ${sweeps.length} sweeps, ${started.length} rotations; lifetimes: ${chains.join('; ')}`);
  });
});

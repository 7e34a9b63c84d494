// test-timeout-minutes: 25
/**
 * Two simulated years of 47-day certificates (what Salesforce creates from 2029-03-15 on)
 * across three orgs, on the time-skipping server with the real adapters: the renewal sweep
 * runs every SWEEP_DAYS, the test plays the provisioning team and approves each staged key.
 * Every certificate of every integration is renewed before it expires, inside a window of
 * its integration, never by two rotations at once, and no org ever has more rotations
 * running (outside their grace period) than its maxActiveRotations: certificates that
 * come due together queue, in window order, and start as rotations end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCertificate } from '../../src/certificates';
import { parseWindowPolicy, windowContains } from '../../src/domain/maintenance-window';
import type { RotationStatus } from '../../src/domain/rotation';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/domain/search-attributes';
import type { renewalSweep, StartedRotation } from '../../src/workflows/renewal-sweep';
import { APPROVER, DAY_MS, useRenewalHarness } from './support';

const SWEEP_DAYS = 3;
const DAYS = 730;
const START = Date.parse('2029-04-20T00:00:00Z');
const WINDOWS = { alpha: 'daily 02:00-04:00 UTC', beta: 'daily 22:00-23:30 Europe/London', gamma: 'Mon,Wed,Fri 01:00-03:00 UTC' } as const;
const BUDGET = { alpha: 2, beta: 3, gamma: 1 } as const;
type Org = keyof typeof WINDOWS;

describe('two years of 47-day certificates', () => {
  const harness = useRenewalHarness();

  it('renews every certificate before it expires, in its windows, one rotation per certificate at a time, within each org\'s budget', { timeout: 1_200_000 }, async () => {
    const env = harness.env();
    await env.sleep(START - (await env.currentTimeMs())); // into the 47-day era
    const integration = (org: Org, pattern: string, references: Record<string, unknown>) => ({
      certificatePattern: pattern,
      vendor: 'acme',
      strategy: 'overlap',
      references,
      approvers: [APPROVER],
      window: WINDOWS[org],
    });
    const gateway = { targets: [{ object: 'acme__Gateway__c', field: 'acme__Certificate__c', kind: 'hierarchy-setting' }] };
    const credential = { targets: [{ object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' }] };
    const world = await harness.world({
      orgs: [
        // Made the same day: all three come due together, and alpha may run two at once.
        { alias: 'alpha', fixture: 'alpha-org.json', ageDays: { Alpha_Orders: 30, Alpha_Billing: 30, Alpha_New: 30 } },
        { alias: 'beta', fixture: 'beta-org.json', ageDays: { Beta_Gateway: 12, Beta_Portal: 33, Beta_Unmanaged: 5 } },
        // One at a time, certificates two days apart: each waits for the one before.
        { alias: 'gamma', fixture: 'alpha-org.json', orgId: '00D000000000033EAA', ageDays: { Alpha_Orders: 28, Alpha_Billing: 26, Alpha_New: 24 } },
      ],
      inventory: {
        orgs: {
          alpha: { maxActiveRotations: BUDGET.alpha, integrations: [integration('alpha', 'Alpha_Orders*', gateway), integration('alpha', 'Alpha_Billing*', credential), integration('alpha', 'Alpha_New*', credential)] },
          beta: { maxActiveRotations: BUDGET.beta, integrations: [integration('beta', 'Beta_Gateway*', { discover: true }), integration('beta', 'Beta_Portal*', { discover: true })] },
          gamma: { maxActiveRotations: BUDGET.gamma, integrations: [integration('gamma', 'Alpha_Orders*', gateway), integration('gamma', 'Alpha_Billing*', credential), integration('gamma', 'Alpha_New*', credential)] },
        },
      },
    });

    const started: (StartedRotation & { sweptAt: number })[] = [];
    let queued = 0;
    let sweeps = 0;
    for (let day = 0; day < DAYS; day += SWEEP_DAYS) {
      const result = await harness.client().workflow.execute<typeof renewalSweep>('renewalSweep', { taskQueue: world.taskQueue, workflowId: `sweep-two-years-${day}`, args: [{}] });
      sweeps += 1;
      assert.deepEqual(result.orgs.map((o) => o.error), [null, null, null], `day ${day}: ${JSON.stringify(result.orgs)}`);
      assert.deepEqual(result.drift, [], `day ${day}: no drift`);
      queued += result.skipped.filter((s) => s.kind === 'over-budget').length;
      for (const rotation of result.started) {
        assert.ok(!started.some((s) => s.certificate.toLowerCase() === rotation.certificate.toLowerCase() && s.org === rotation.org), `${rotation.workflowId} started once`);
        started.push({ ...rotation, sweptAt: Date.parse(result.sweptAt) });
        harness.track(rotation.workflowId);
      }
      // The budget: rotations of each org running outside their grace period, right after the sweep.
      for (const org of Object.keys(BUDGET) as Org[]) {
        let active = 0;
        for (const s of started.filter((r) => r.org === org)) {
          const description = await harness.client().workflow.getHandle(s.workflowId).describe();
          if (description.status.name === 'RUNNING' && description.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.RotationPhase) !== 'grace-period') active += 1;
        }
        assert.ok(active <= BUDGET[org], `day ${day}: ${active} rotations active in ${org}, budget ${BUDGET[org]}`);
      }
      for (const rotation of result.started) await harness.approve(world, rotation.workflowId);
      await harness.advance(SWEEP_DAYS * DAY_MS);
    }
    await harness.advance(10 * DAY_MS); // the last grace periods end

    // Follow each certificate: renewed by a rotation that applied inside a window of its org
    // before it expired; the renewed one the same way, until the end of the two years.
    const end = await env.currentTimeMs();
    let followed = 0;
    for (const org of Object.keys(WINDOWS) as Org[]) {
      for (const original of ['Alpha_Orders', 'Alpha_Billing', 'Alpha_New', 'Beta_Gateway', 'Beta_Portal']) {
        const first = started.find((s) => s.org === org && s.certificate === original);
        if (!first && (org === 'beta') === original.startsWith('Beta')) assert.fail(`${org}/${original} was never renewed`);
        for (let rotation = first; rotation; ) {
          const status = (await harness.client().workflow.getHandle(rotation.workflowId).result()) as RotationStatus;
          assert.equal(status.outcome, 'completed', `${rotation.workflowId}: ${status.reason ?? ''} ${status.errors.join('; ')}`);
          const old = parseCertificate(status.oldCertificate!.certificatePem);
          const renewed = parseCertificate(status.newCertificate!.certificatePem);
          assert.equal(Math.round((renewed.notAfter.getTime() - renewed.notBefore.getTime()) / DAY_MS), 47, 'a 47-day certificate');
          const applying = Date.parse(status.timeline.find((t) => t.phase === 'applying')!.at);
          assert.ok(applying < old.notAfter.getTime(), `${rotation.workflowId} applied at ${new Date(applying).toISOString()}, before ${old.notAfter.toISOString()}`);
          assert.ok(windowContains(parseWindowPolicy(WINDOWS[org]), new Date(applying)), `${rotation.workflowId} applied inside a ${WINDOWS[org]} window`);
          followed += 1;
          const next = started.find((s) => s.org === org && s.certificate === status.newCertificate!.uniqueName);
          if (!next) assert.ok(renewed.notAfter.getTime() > end, `${status.newCertificate!.uniqueName} (expires ${renewed.notAfter.toISOString()}) was renewed in turn, or is not due yet`);
          rotation = next;
        }
      }
    }
    assert.equal(followed, started.length, 'every rotation renewed a certificate of an integration');
    assert.ok(queued > 0, 'certificates due together queued behind an org budget');
    console.log(`two simulated years: ${sweeps} sweeps, ${started.length} rotations, ${queued} queued sweep decisions`);
  });
});

/**
 * History per rotation (issue #15): an overlap rotation started as `certrot rotate` starts it
 * (with its search attributes) records no search-attribute upsert that changes nothing, at
 * most one per workflow task (a phase entered and left in one task is never visible), and
 * no certificate PEM in the verification step's input. Prints the events and bytes by type.
 * And the renewal sweep's bounded org results (pure), as `certrot expiring` prints them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { completeReport, formatExpiring } from '../../src/cli/expiring-report';
import { rotationWorkflowId, type RotationRequest, type RotationStatus } from '../../src/domain/rotation';
import { boundedOrgResult, MAX_ORG_DETAILS, orgCounts, type CertificateRow, type OrgSweepResult, type RenewalSweepResult } from '../../src/domain/renewal/sweep-result';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/domain/search-attributes';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';
import { approveUpdate } from '../../src/workflows/messages';
import { rotateCertificate } from '../../src/workflows/rotate-certificate';
import { census, formatCensus, searchAttributeUpserts } from '../replay/history-census';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';

describe('history per rotation', () => {
  const harness = useRotationHarness();

  it('an overlap rotation upserts its search attributes only when a value changes, once per workflow task, and verifies without carrying the PEM', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const org = WORLD_ORGS.multiKey;
    const request: RotationRequest = { org: org.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'overlap', gracePeriod: '3 days' };
    // as src/cli/commands/rotation.ts starts it
    const handle = await harness.env().client.workflow.start(rotateCertificate, {
      taskQueue,
      workflowId: rotationWorkflowId(org.alias, DEMO_CERTIFICATE),
      args: [request],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: DEMO_CERTIFICATE },
        { key: SEARCH_ATTRIBUTE_KEYS.OrgAlias, value: org.alias },
        { key: SEARCH_ATTRIBUTE_KEYS.RotationPhase, value: 'backing-up' },
      ],
    });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status: RotationStatus = await handle.result();
    assert.equal(status.outcome, 'completed', status.reason ?? status.errors.join('; '));

    const history = await handle.fetchHistory();
    const upserts = searchAttributeUpserts(history);
    console.log(formatCensus('overlap rotation', census(history)));
    for (const u of upserts) console.log(`  upsert #${u.eventId} (task ${u.task}): ${JSON.stringify(u.values)}`);

    // every upsert changes a value Temporal did not hold already (the start's attributes included)
    assert.deepEqual(upserts.filter((u) => u.changed.length === 0).map((u) => u.values), [], 'upserts that change nothing');
    // one upsert per workflow task: a value only seen inside one task is never visible
    const tasks = upserts.map((u) => u.task);
    assert.equal(new Set(tasks).size, tasks.length, `several upserts in one workflow task: ${JSON.stringify(upserts.map((u) => [u.task, u.values]))}`);
    // the distinct successive phases the rotation went through, each seen by Temporal
    const phases = upserts.map((u) => u.values[SEARCH_ATTRIBUTE_KEYS.RotationPhase.name]).filter((p): p is string => p !== undefined).map((p) => JSON.parse(p) as string);
    assert.deepEqual(phases.at(-1), 'completed');
    for (let i = 1; i < phases.length; i += 1) assert.notEqual(phases[i], phases[i - 1], 'the same phase upserted twice in a row');

    // verifyRotation names the new certificate; the PEM it checks against is read from the org
    const verify = (history.events ?? []).find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'verifyRotation')?.activityTaskScheduledEventAttributes;
    assert.ok(verify?.input?.payloads?.[0], 'verifyRotation was scheduled');
    const input = defaultPayloadConverter.fromPayload<{ newCertificate: Record<string, unknown> }>(verify.input.payloads[0]);
    assert.equal(input.newCertificate.uniqueName, status.newCertificate!.uniqueName);
    assert.equal('certificatePem' in input.newCertificate, false, 'the verify input carries no PEM');
    assert.ok(status.verification?.passed, 'verification passed with the PEM read from the org');
    assert.ok(status.verification.checks.some((c) => c.name === 'signature' && c.passed), 'the org signature was checked');
  });
});

describe('bounded sweep results', () => {
  const org = 'big';
  const row = (i: number, reason: CertificateRow['reason']): CertificateRow => ({
    org,
    uniqueName: `Cert_${i}`,
    label: `Cert ${i}`,
    keySize: 2048,
    usable: true,
    expiresAt: '2027-01-01T00:00:00.000Z',
    daysLeft: 30,
    vendor: 'acme',
    renewAt: null,
    references: 1,
    reason,
    decision: reason,
    room: null,
  });
  const many = MAX_ORG_DETAILS + 50;
  const full: OrgSweepResult = {
    org,
    workflowId: `sweep/${org}`,
    certificates: [...Array.from({ length: many }, (_, i) => row(i, 'not-due')), row(many, 'over-budget')],
    references: 0,
    started: [],
    skipped: [...Array.from({ length: many }, (_, i) => ({ org, certificate: `Cert_${i}`, kind: 'not-due' as const, reason: 'not yet' })), { org, certificate: `Cert_${many}`, kind: 'over-budget', reason: 'budget' }],
    drift: [],
    running: 0,
    maxActiveRotations: 1,
    alert: null,
    error: null,
  };

  it('an org result counts everything and lists at most MAX_ORG_DETAILS of each kind; a real sweep asks for fewer rows and routine skips, never fewer queued ones', () => {
    const bounded = boundedOrgResult(full);
    assert.equal(bounded.certificates.length, MAX_ORG_DETAILS);
    assert.equal(bounded.truncated, true);
    assert.deepEqual(bounded.counts, { certificates: many + 1, started: 0, skipped: many + 1, drift: 0, queued: 1, byReason: { 'not-due': many, 'over-budget': 1 } });
    assert.deepEqual(orgCounts(full), bounded.counts, 'an older, unbounded result is counted from its lists');
    const lean = boundedOrgResult(full, { certificates: 0, notDue: 0 });
    assert.deepEqual({ rows: lean.certificates.length, skipped: lean.skipped.map((s) => s.kind) }, { rows: 0, skipped: ['over-budget'] });
    assert.equal(JSON.stringify(lean).length < 2_000, true, 'an org result past the parent’s room is its counts');
    assert.equal(boundedOrgResult({ ...full, certificates: full.certificates.slice(0, 3), skipped: full.skipped.slice(0, 3) }).truncated, false);
  });

  it('certrot expiring names an org whose result lists fewer rows than it counted', () => {
    const bounded = boundedOrgResult(full);
    const sweep: RenewalSweepResult = {
      version: 2,
      sweptAt: '2026-12-01T00:00:00.000Z',
      dryRun: true,
      runs: 1,
      orgs: [{ org, workflowId: bounded.workflowId, certificates: many + 1, references: 0, started: 0, queued: 1, running: 0, drift: 0, alert: null, error: null }],
      totals: { certificates: many + 1, started: 0, skipped: many + 1, drift: 0 },
      started: [],
      skipped: [],
      drift: [],
      certificates: [],
      truncated: true,
      warnings: [],
    };
    const report = completeReport(sweep, [bounded]);
    assert.equal(report.truncated, true);
    assert.match(formatExpiring(report), new RegExp(`big: ${MAX_ORG_DETAILS} of ${many + 1} certificates, 0 of 0 starts, 0 of 0 findings listed \\(see the org's sweep sweep/big\\)`));
    assert.doesNotMatch(formatExpiring(completeReport({ ...sweep, truncated: false }, [boundedOrgResult({ ...full, certificates: full.certificates.slice(0, 2), skipped: [] })])), /fewer|only counted/);
  });
});

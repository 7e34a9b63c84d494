/**
 * The three approval routes on the time-skipping server, with the real sandbox org and
 * vendor: a person through the approval service's signed link (proof checked by the
 * worker), the vendor registry's approval state (polled through the activity's retry
 * policy), and key continuity (the vendor's verdict on the signed statement). The registry
 * poll and the continuity proof are scripted stand-ins here (the real activities are
 * tested against the sandbox vendor on their own); everything else is real.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { decisionProof, newLinkId } from '../../src/approvals/link-token';
import type { RotationActivities } from '../../src/domain/activity-contract';
import { APPROVAL_PENDING, type ContinuityResult, type RegistryApprovalInput } from '../../src/domain/approval-contract';
import type { RegistryApprovalState } from '../../src/domain/approval-route';
import type { RotationRequest, RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';
import { createAdapters } from '../../src/workers/adapters';
import { approveSignal, approveUpdate, rejectSignal, statusQuery } from '../../src/workflows/messages';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';

const ORG = WORLD_ORGS.singleKey;
const BASE: RotationRequest = { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', gracePeriod: '1 hour' };

/** Polls the status (real time, bounded) until `ready` holds. */
async function statusWhen(handle: WorkflowHandle, ready: (s: RotationStatus) => boolean, what: string): Promise<RotationStatus> {
  const deadline = Date.now() + 60_000;
  let last: RotationStatus | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery);
    if (ready(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not reached; last phase ${last?.phase ?? '?'}, timeline ${JSON.stringify(last?.timeline.slice(-3))}`);
}

async function scheduledActivities(handle: WorkflowHandle, type: string): Promise<number> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type).length;
}

describe('approval routes', () => {
  const harness = useRotationHarness();

  it('a link approval with a valid proof counts, recorded via link with the address it was sent to', async () => {
    const world = await harness.world();
    const key = randomBytes(32);
    const { taskQueue } = await harness.worker(world, { ...createAdapters(world.config), approvalLinkKey: key });
    const handle = await harness.start(taskQueue, BASE);
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    assert.equal(waiting.approvalMode, 'manual');
    assert.equal(waiting.vendorOrgId, ORG.vendorOrgId);
    assert.ok(waiting.approvalDeadline && Date.parse(waiting.approvalDeadline) > Date.parse(waiting.timeline[0]!.at) + 6 * 86_400_000);
    assert.equal(waiting.proposedWindow, null);
    const fingerprint = waiting.newCertificate!.spkiFingerprint;
    const claims = { workflowId: handle.workflowId, fingerprint, sentTo: 'provisioning@acme.test', linkId: newLinkId() };
    const link = { linkId: claims.linkId, sentTo: claims.sentTo, proof: decisionProof(key, claims, 'approve') };
    const answer = await handle.executeUpdate(approveUpdate, { args: [{ approver: 'Ann at Acme', fingerprint, link }] });
    assert.equal(answer.accepted, true);
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.approval?.via, 'link');
    assert.deepEqual(status.approval?.authentication, { method: 'signed-link', sentTo: 'provisioning@acme.test', linkId: claims.linkId, proof: link.proof });
    assert.equal(await scheduledActivities(handle, 'checkApprovalLink'), 1);
  });

  it('a forged link proof is refused and records nothing; a malformed link by signal does not wedge the rotation', async () => {
    const world = await harness.world();
    const key = randomBytes(32);
    const { taskQueue } = await harness.worker(world, { ...createAdapters(world.config), approvalLinkKey: key });
    const handle = await harness.start(taskQueue, BASE);
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const fingerprint = waiting.newCertificate!.spkiFingerprint;
    const claims = { workflowId: handle.workflowId, fingerprint, sentTo: 'provisioning@acme.test', linkId: newLinkId() };
    // Signed with another key, and a proof for a reject passed off as an approval.
    const forged = [decisionProof(randomBytes(32), claims, 'approve'), decisionProof(key, claims, 'reject')];
    for (const proof of forged) {
      await assert.rejects(handle.executeUpdate(approveUpdate, { args: [{ approver: 'mallory', fingerprint, link: { linkId: claims.linkId, sentTo: claims.sentTo, proof } }] }), (error: unknown) => {
        assert.ok(error instanceof WorkflowUpdateFailedError);
        assert.match((error.cause as Error).message, /approval link refused, nothing was recorded: .*did not come from the approval service/);
        return true;
      });
    }
    assert.equal((await handle.query(statusQuery)).approval, null);

    // Signals: a malformed link (refused by the parse) and a forged one (refused after the check).
    const raw = (link: unknown) => ({ approver: 'mallory', fingerprint, link }) as never;
    await handle.signal(approveSignal, raw('not-an-object'));
    await handle.signal(approveSignal, raw({ linkId: 'x'.repeat(500), sentTo: 1, proof: '%%' }));
    await handle.signal(approveSignal, raw({ linkId: claims.linkId, sentTo: claims.sentTo, proof: forged[0] }));
    const refused = await statusWhen(handle, (s) => s.ignoredMessages.length >= 3, 'three refused signals');
    assert.equal(refused.approval, null);
    assert.equal(refused.phase, 'awaiting-approval');
    assert.match(refused.ignoredMessages[0]!.reason, /^link: /);
    assert.match(refused.ignoredMessages[1]!.reason, /link\.linkId: at most 64/);
    assert.match(refused.ignoredMessages[2]!.reason, /approval link refused/);

    await handle.signal(rejectSignal, { approver: 'vendor-team', reason: 'wrong key' });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.equal(status.rejection?.via, 'signal');
    assert.deepEqual(status.rejection?.authentication, { method: 'temporal' });
  });

  it('registry mode: the poll is the activity\'s retry policy; an approval of the new key counts, via registry', async () => {
    const world = await harness.world();
    const polls: RegistryApprovalInput[] = [];
    const pollRegistryApproval = (input: RegistryApprovalInput): Promise<RegistryApprovalState> => {
      polls.push(input);
      if (polls.length < 3) return Promise.reject(ApplicationFailure.retryable('the registry has not decided yet', APPROVAL_PENDING));
      return Promise.resolve({ state: 'approved', fingerprint: input.fingerprint, window: null, approvedBy: 'bob@acme.test', at: null });
    };
    const { taskQueue } = await harness.worker(world, undefined, undefined, { pollRegistryApproval });
    const handle = await harness.start(taskQueue, { ...BASE, approval: { mode: 'registry', pollInterval: '10 seconds' } });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.approvalMode, 'registry');
    assert.equal(status.approval?.via, 'registry');
    assert.equal(status.approval?.approver, 'vendor acme (bob@acme.test)');
    assert.deepEqual(status.approval?.authentication, { method: 'vendor-api', vendor: 'acme', approvedBy: 'bob@acme.test' });
    assert.equal(polls.length, 3);
    assert.ok(polls.every((p) => p.untilDecided === true && p.orgId === ORG.vendorOrgId && p.fingerprint === status.newCertificate!.spkiFingerprint));
    assert.equal(await scheduledActivities(handle, 'pollRegistryApproval'), 1, 'one scheduled activity for all polls');
  });

  it('registry mode: a person deciding first cancels the poll (no activity is left polling)', async () => {
    const world = await harness.world();
    let polls = 0;
    const pollRegistryApproval = (): Promise<RegistryApprovalState> => {
      polls += 1;
      return Promise.reject(ApplicationFailure.retryable('the registry has not decided yet', APPROVAL_PENDING));
    };
    const { taskQueue } = await harness.worker(world, undefined, undefined, { pollRegistryApproval });
    const handle = await harness.start(taskQueue, { ...BASE, approval: { mode: 'registry', pollInterval: '10 seconds' } });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await statusWhen(handle, () => polls > 0, 'the first poll');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'ops', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.approval?.via, 'update');
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.activityTaskCancelRequestedEventAttributes).length, 1, 'the poll was cancelled');
  });

  it('registry mode: a registry approval of another key does not count, and a person can still approve', async () => {
    const world = await harness.world();
    const pollRegistryApproval = (): Promise<RegistryApprovalState> =>
      Promise.resolve({ state: 'approved', fingerprint: 'AB:'.repeat(31) + 'AB', window: null, approvedBy: null, at: null });
    const { taskQueue } = await harness.worker(world, undefined, undefined, { pollRegistryApproval });
    const handle = await harness.start(taskQueue, { ...BASE, approval: { mode: 'registry' } });
    const noted = await statusWhen(handle, (s) => s.timeline.some((t) => /the registry approved, but its approval does not count/.test(t.note ?? '')), 'the refused registry approval noted');
    assert.equal(noted.approval, null);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'ops', fingerprint: noted.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.approval?.via, 'update');
  });

  it('registry mode: a registry rejection rolls back as a person\'s does', async () => {
    const world = await harness.world();
    const pollRegistryApproval = (input: RegistryApprovalInput): Promise<RegistryApprovalState> =>
      Promise.resolve({ state: 'rejected', fingerprint: input.fingerprint, reason: 'key size policy', rejectedBy: 'carol' });
    const { taskQueue } = await harness.worker(world, undefined, undefined, { pollRegistryApproval });
    const handle = await harness.start(taskQueue, { ...BASE, approval: { mode: 'registry' } });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
    assert.equal(status.reason, 'rejected by vendor acme (carol): key size policy');
    assert.equal(status.rejection?.via, 'registry');
    assert.deepEqual(status.rejection?.authentication, { method: 'vendor-api', vendor: 'acme', approvedBy: 'carol' });
  });

  it('continuity mode: a verified statement under a standing approval approves, via continuity', async () => {
    const world = await harness.world();
    const signed = { statement: '{"version":1}', oldSignature: 'b2xk', newSignature: 'bmV3' };
    const proveContinuity: RotationActivities['proveContinuity'] = () =>
      Promise.resolve({ sent: true, signed, verdict: { verified: true, problem: null, approval: 'approved', window: null, policy: 'standing-2026' } });
    const { taskQueue } = await harness.worker(world, undefined, undefined, { proveContinuity });
    const handle = await harness.start(taskQueue, { ...BASE, approval: { mode: 'continuity' } });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.approval?.via, 'continuity');
    assert.equal(status.approval?.approver, 'vendor acme (continuity policy standing-2026)');
    assert.deepEqual(status.approval?.authentication, { method: 'continuity', vendor: 'acme', policy: 'standing-2026' });
    assert.deepEqual(status.continuity?.signed, signed);
    assert.equal(status.continuity?.problem, null);
  });

  it('continuity mode: a proof that failed never approves, whatever the verdict says; a person decides', async () => {
    const world = await harness.world();
    const results: ContinuityResult[] = [];
    const proveContinuity: RotationActivities['proveContinuity'] = () => {
      const result: ContinuityResult = { sent: true, signed: { statement: '{}', oldSignature: 'eA', newSignature: 'eQ' }, verdict: { verified: false, problem: 'old signature does not verify', approval: 'approved', window: null, policy: 'standing' } };
      results.push(result);
      return Promise.resolve(result);
    };
    const { taskQueue } = await harness.worker(world, undefined, undefined, { proveContinuity });
    const handle = await harness.start(taskQueue, { ...BASE, approval: { mode: 'continuity' } });
    const waiting = await statusWhen(handle, (s) => s.continuity !== null && s.continuity !== undefined, 'the continuity verdict recorded');
    assert.equal(waiting.approval, null);
    assert.equal(waiting.phase, 'awaiting-approval');
    assert.match(waiting.continuity!.problem ?? '', /vendor acme did not verify the continuity statement: old signature does not verify/);
    assert.ok(waiting.timeline.some((t) => /^continuity: .*waiting for a person/.test(t.note ?? '')));
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'ops', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? '');
    assert.equal(status.approval?.via, 'update');
    assert.deepEqual(status.approval?.authentication, { method: 'temporal' });
    assert.equal(results.length, 1);
  });

  it('refuses registry mode for a provisioning team (people, no API), naming approval.mode and the fix', async () => {
    const world = await harness.world({
      extraVendors: {
        'acme-team': { kind: 'manual', manual: { vendorName: 'Acme provisioning', email: { host: '127.0.0.1', port: 9, from: 'certrot@customer.test', to: ['provisioning@acme.test'] } } },
      },
    });
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { ...BASE, vendor: 'acme-team', approval: { mode: 'registry' } });
    const { message, status } = await harness.refusal(handle);
    assert.match(message, /Rotation refused, nothing was changed: approval\.mode: "registry" needs a vendor with a key registry API, but vendor acme-team is a provisioning team/);
    assert.match(message, /use approval\.mode "manual"/);
    assert.equal(status.newCertificate, null);
  });
});

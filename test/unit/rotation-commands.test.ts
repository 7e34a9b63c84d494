// The rotation commands' pure parts and their error handling, against a hand-made client:
// what an operator reads when a message is refused, when the rotation has ended, and when
// the id never existed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describeEnded, explainFailure, isNotRunningError, noSuchRotation, readStatus, sendUpdate, workflowIdOf, type Ending } from '../../src/cli/commands/rotation';
import type { RotationStatus } from '../../src/domain/rotation';
import { approveUpdate } from '../../src/workflows/messages';

const ID = 'rotate/prod/vendor_signing';

function endedStatus(overrides: Partial<RotationStatus> = {}): RotationStatus {
  return {
    workflowId: ID,
    org: 'prod',
    vendor: 'acme',
    strategy: 'simultaneous',
    phase: 'rolled-back',
    timeline: [],
    oldCertificate: null,
    newCertificate: null,
    window: null,
    approval: null,
    rejection: null,
    referencesFound: [],
    referencesChanged: [],
    conflicts: [],
    vendorAppliedAt: null,
    verification: null,
    mismatchWindowMs: null,
    errors: [],
    ignoredMessages: [],
    manualSteps: [],
    outcome: 'rolled-back',
    endedAt: '2026-12-01T10:00:00.123Z',
    reason: 'rejected by alice: wrong key',
    ...overrides,
  };
}

interface FakeRotation {
  /** null: the id never existed. */
  execution: { status: string; closeTime?: Date } | null;
  result?: () => Promise<unknown>;
  query?: () => Promise<unknown>;
  update?: (name: string, args: unknown[]) => Promise<unknown>;
}

function fakeHandle(fake: FakeRotation): WorkflowHandle {
  const notFound = (): WorkflowNotFoundError => new WorkflowNotFoundError(`workflow not found for ID: ${ID}`, ID, undefined);
  return {
    workflowId: ID,
    describe: () => (fake.execution ? Promise.resolve({ status: { name: fake.execution.status }, closeTime: fake.execution.closeTime }) : Promise.reject(notFound())),
    result: () => (fake.result ? fake.result() : Promise.reject(notFound())),
    query: () => (fake.query ? fake.query() : Promise.reject(notFound())),
    executeUpdate: (def: { name: string } | string, options: { args: unknown[] }) =>
      fake.update ? fake.update(typeof def === 'string' ? def : def.name, options.args) : Promise.reject(notFound()),
  } as unknown as WorkflowHandle;
}

function fakeClient(handle: WorkflowHandle, seen: string[] = []): Client {
  return {
    workflow: {
      getHandle: (workflowId: string) => {
        seen.push(workflowId);
        return handle;
      },
    },
  } as unknown as Client;
}

const failedWith = (status: RotationStatus | null, message = 'rotation rolled back: rejected by alice: wrong key'): WorkflowFailedError =>
  new WorkflowFailedError(
    'Workflow execution failed',
    ApplicationFailure.create({ message, type: 'ROTATION_REFUSED', nonRetryable: true, details: status ? [status] : [] }),
    'NON_RETRYABLE_FAILURE',
  );

describe('workflowIdOf', () => {
  const cases: { name: string; flags: Parameters<typeof workflowIdOf>[0]; expected: string | RegExp }[] = [
    { name: 'org and certificate give the canonical id', flags: { org: 'prod', certificate: 'vendor_signing' }, expected: ID },
    { name: 'case-insensitively', flags: { org: 'PROD', certificate: 'Vendor_Signing' }, expected: ID },
    { name: '--workflow-id as given', flags: { workflowId: 'rotate/legacy/Vendor_Signing' }, expected: 'rotate/legacy/Vendor_Signing' },
    { name: 'both, when they agree', flags: { workflowId: ID, org: 'Prod', certificate: 'VENDOR_SIGNING' }, expected: ID },
    { name: 'both, when they disagree', flags: { workflowId: 'rotate/prod/other', org: 'prod', certificate: 'Vendor_Signing' }, expected: /is not the rotation of Vendor_Signing in org prod \(rotate\/prod\/vendor_signing\)/ },
    { name: 'only --org', flags: { org: 'prod' }, expected: /give both --org and --certificate/ },
    { name: 'nothing', flags: {}, expected: /say which rotation/ },
  ];
  for (const { name, flags, expected } of cases) {
    it(name, () => {
      if (typeof expected === 'string') assert.equal(workflowIdOf(flags), expected);
      else assert.throws(() => workflowIdOf(flags), expected);
    });
  }
});

describe('describeEnded', () => {
  const closeTime = new Date('2026-12-01T10:00:00Z');
  const cases: { name: string; ending: Ending; expected: string }[] = [
    {
      name: 'the outcome from the status, the time from Temporal',
      ending: { workflowId: ID, executionStatus: 'FAILED', closeTime, status: endedStatus(), failure: 'rotation rolled back: rejected by alice: wrong key' },
      expected: `rotation ${ID} already ended: rolled-back at 2026-12-01T10:00:00Z (reason: rejected by alice: wrong key); see \`certrot status --workflow-id ${ID}\``,
    },
    {
      name: 'completed with manual steps',
      ending: { workflowId: ID, executionStatus: 'COMPLETED', closeTime, status: endedStatus({ phase: 'completed', outcome: 'completed-with-manual-steps', reason: null, manualSteps: ['a', 'b'] }), failure: null },
      expected: `rotation ${ID} already ended: completed-with-manual-steps at 2026-12-01T10:00:00Z; 2 manual steps left; see \`certrot status --workflow-id ${ID}\``,
    },
    {
      name: 'no status (terminated): the execution status and the failure message',
      ending: { workflowId: ID, executionStatus: 'TERMINATED', closeTime, status: null, failure: 'stuck\x1b[2J' },
      expected: `rotation ${ID} already ended: terminated at 2026-12-01T10:00:00Z (reason: stuck\\x1b[2J); see \`certrot status --workflow-id ${ID}\``,
    },
    {
      name: 'no close time: the status says when',
      ending: { workflowId: ID, executionStatus: 'FAILED', closeTime: null, status: endedStatus({ outcome: 'failed', reason: null }), failure: null },
      expected: `rotation ${ID} already ended: failed at 2026-12-01T10:00:00.123Z; see \`certrot status --workflow-id ${ID}\``,
    },
  ];
  for (const { name, ending, expected } of cases) it(name, () => assert.equal(describeEnded(ending), expected));
});

describe('noSuchRotation', () => {
  it('names the id, and hints at lower case for a mixed-case rotation id', () => {
    assert.equal(noSuchRotation(ID), `no such rotation: ${ID} (\`certrot list\` shows the rotations)`);
    assert.match(noSuchRotation('rotate/prod/Vendor_Signing'), /did you mean rotate\/prod\/vendor_signing\?/);
  });
});

describe('isNotRunningError', () => {
  const grpc = (code: number, details: string): Error => Object.assign(new Error(details), { code, details, metadata: {} });
  const cases: { name: string; error: unknown; expected: boolean }[] = [
    { name: 'WorkflowNotFoundError', error: new WorkflowNotFoundError('workflow execution already completed', ID, undefined), expected: true },
    { name: 'raw gRPC NOT_FOUND', error: grpc(5, 'workflow execution already completed'), expected: true },
    { name: 'an update raced with the ending', error: new WorkflowUpdateFailedError('Workflow Update failed', new Error('Workflow Update failed because the Workflow completed before the Update completed.')), expected: true },
    { name: 'a refusal', error: new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message: 'fingerprint: not the new key' })), expected: false },
    { name: 'another gRPC error', error: grpc(14, 'unavailable'), expected: false },
  ];
  for (const { name, error, expected } of cases) it(name, () => assert.equal(isNotRunningError(error), expected));
});

describe('sending an operator update', () => {
  it('sends the update to the canonical id and returns its answer', async () => {
    const sent: unknown[] = [];
    const seen: string[] = [];
    const handle = fakeHandle({
      execution: { status: 'RUNNING' },
      update: (name, args) => {
        sent.push(name, ...args);
        return Promise.resolve({ accepted: true, window: { start: 's', end: 'e' } });
      },
    });
    const result = await sendUpdate(fakeClient(handle, seen), workflowIdOf({ org: 'Prod', certificate: 'Vendor_Signing' }), approveUpdate, [{ approver: 'alice', fingerprint: 'AB' }]);
    assert.deepEqual(result, { accepted: true, window: { start: 's', end: 'e' } });
    assert.deepEqual(seen, [ID]);
    assert.deepEqual(sent, ['approve', { approver: 'alice', fingerprint: 'AB' }]);
  });

  it("a refusal says refused and gives the workflow's reason, printable", async () => {
    const handle = fakeHandle({
      execution: { status: 'RUNNING' },
      update: () => Promise.reject(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message: "fingerprint: AB is not the new certificate's SPKI fingerprint\n\x1b[2J" }))),
    });
    await assert.rejects(sendUpdate(fakeClient(handle), ID, approveUpdate, [{ approver: 'a', fingerprint: 'AB' }]), {
      message: "refused: fingerprint: AB is not the new certificate's SPKI fingerprint\\n\\x1b[2J",
    });
  });

  it('on an ended rotation: how (from the failure details) and when (from describe)', async () => {
    const handle = fakeHandle({
      execution: { status: 'FAILED', closeTime: new Date('2026-12-01T10:00:00Z') },
      result: () => Promise.reject(failedWith(endedStatus())),
      update: () => Promise.reject(new WorkflowNotFoundError('workflow execution already completed', ID, undefined)),
    });
    await assert.rejects(sendUpdate(fakeClient(handle), ID, approveUpdate, [{ approver: 'a', fingerprint: 'AB' }]), {
      message: `rotation ${ID} already ended: rolled-back at 2026-12-01T10:00:00Z (reason: rejected by alice: wrong key); see \`certrot status --workflow-id ${ID}\``,
    });
  });

  it('on a rotation that completed while the update was on its way: the outcome from the result', async () => {
    const handle = fakeHandle({
      execution: { status: 'COMPLETED', closeTime: new Date('2026-12-08T10:00:00Z') },
      result: () => Promise.resolve(endedStatus({ phase: 'completed', outcome: 'completed', reason: null })),
      update: () => Promise.reject(new WorkflowUpdateFailedError('Workflow Update failed', new Error('Workflow Update failed because the Workflow completed before the Update completed.'))),
    });
    await assert.rejects(sendUpdate(fakeClient(handle), ID, approveUpdate, [{ approver: 'a', fingerprint: 'AB' }]), {
      message: `rotation ${ID} already ended: completed at 2026-12-08T10:00:00Z; see \`certrot status --workflow-id ${ID}\``,
    });
  });

  it('only an id that never existed is "no such rotation"', async () => {
    const handle = fakeHandle({ execution: null });
    await assert.rejects(sendUpdate(fakeClient(handle), ID, approveUpdate, [{ approver: 'a', fingerprint: 'AB' }]), { message: noSuchRotation(ID) });
  });

  it('an unexpected error is passed on, printable', async () => {
    const error = await explainFailure(fakeHandle({ execution: { status: 'RUNNING' } }), new Error('boom\x1b]0;t\x07'));
    assert.equal(error.message, 'boom\\x1b]0;t\\x07');
  });
});

describe('readStatus', () => {
  it('queries a running rotation', async () => {
    const status = endedStatus({ phase: 'awaiting-approval', outcome: null });
    assert.deepEqual(await readStatus(fakeHandle({ execution: { status: 'RUNNING' }, query: () => Promise.resolve(status) })), status);
  });

  it("reads an ended rotation's status from its result or from its failure's details", async () => {
    const completed = endedStatus({ phase: 'completed', outcome: 'completed' });
    assert.deepEqual(await readStatus(fakeHandle({ execution: { status: 'COMPLETED' }, result: () => Promise.resolve(completed) })), completed);
    const rolledBack = endedStatus();
    assert.deepEqual(await readStatus(fakeHandle({ execution: { status: 'FAILED' }, result: () => Promise.reject(failedWith(rolledBack)) })), rolledBack);
  });

  it('a rotation that ended without a status (e.g. refused input) says how and when', async () => {
    const handle = fakeHandle({
      execution: { status: 'FAILED', closeTime: new Date('2026-12-01T10:00:00Z') },
      result: () => Promise.reject(failedWith(null, 'INVALID_INPUT: certificate: "Vendor Signing" is not a Salesforce Unique Name')),
    });
    await assert.rejects(readStatus(handle), { message: /^rotation rotate\/prod\/vendor_signing ended without a status: failed at 2026-12-01T10:00:00Z \(reason: INVALID_INPUT: certificate[^`]*$/ });
  });

  it('an id that never existed', async () => {
    await assert.rejects(readStatus(fakeHandle({ execution: null })), { message: noSuchRotation(ID) });
  });
});

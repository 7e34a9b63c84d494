/**
 * Messages that cannot hurt: anyone who can signal a workflow can send anything, without
 * the codec key. Each payload below used to throw inside a handler on the first release,
 * failing every workflow task of the rotation for good (status, abort and the approval
 * timeout all stopped). Now each is refused — an update answers the sender, a signal is
 * recorded — and the rotation still answers `status` and can still be aborted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { MESSAGE_NAMES, parseMessage, type MessageName } from '../../src/domain/operator-messages';
import type { RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';
import { abortUpdate, statusQuery } from '../../src/workflows/messages';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';
import { seededPrng } from '../../bench/chaos/prng';

const ORG = WORLD_ORGS.singleKey;
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Sends a signal with raw payloads, as a client without (or forging) the codec would. */
async function rawSignal(env: TestWorkflowEnvironment, workflowId: string, signalName: string, payload: { encoding: string; data: Uint8Array }): Promise<void> {
  await env.client.workflowService.signalWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId },
    signalName,
    identity: 'attacker',
    input: { payloads: [{ metadata: { encoding: utf8(payload.encoding) }, data: payload.data }] },
  });
}

/** A deterministic generator of malformed payloads (no Math.random: a failure replays). */
function malformedPayloads(name: MessageName, count: number, seed: number): unknown[] {
  const { next, pick } = seededPrng(seed);
  const strings = ['', ' ', '\u001b[2J', 'x'.repeat(5_000), 'AB:CD', '2026-13-45T99:99:99Z', '+275760-09-13T00:00:00Z', '\u202e', 'null'];
  const scalar = (): unknown => pick<() => unknown>([() => null, () => next() * 1e308, () => -1, () => true, () => pick(strings), () => [], () => ({ toString: 1 }), () => [pick(strings)]])();
  const fields = ['approver', 'fingerprint', 'window', 'reason', 'by', 'start', 'end', '__proto__', 'constructor'];
  const values: unknown[] = [];
  while (values.length < count) {
    const shape = next();
    let value: unknown;
    if (shape < 0.25) value = scalar();
    else if (shape < 0.85) {
      const object: Record<string, unknown> = {};
      const n = 1 + Math.floor(next() * 4);
      for (let i = 0; i < n; i++) object[pick(fields)] = next() < 0.3 ? { start: scalar(), end: scalar() } : scalar();
      value = object;
    } else value = [scalar(), scalar()];
    // Only malformed payloads: one that happens to parse could, say, really abort.
    if (!parseMessage(name, value).ok) values.push(value);
  }
  return values;
}

async function refusedUpdate(handle: WorkflowHandle, name: string, payload: unknown): Promise<void> {
  await assert.rejects(handle.executeUpdate(name, { args: [payload] }), (error: unknown) => error instanceof WorkflowUpdateFailedError);
}

async function stillAlive(handle: WorkflowHandle): Promise<void> {
  const status = await handle.query(statusQuery);
  assert.equal(status.phase, 'awaiting-approval', 'the rotation still answers status and still waits');
  await handle.executeUpdate(abortUpdate, { args: [{ reason: 'after the attack', by: 'ops' }] });
  const ended = (await handle.result()) as RotationStatus;
  assert.equal(ended.outcome, 'rolled-back', ended.reason ?? '');
  assert.equal(ended.reason, 'aborted by ops: after the attack');
}

describe('messages that cannot hurt', () => {
  const harness = useRotationHarness();

  it('refuses each malformed payload seen in the field, by signal and by update, and the rotation carries on', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const key = waiting.newCertificate!.spkiFingerprint;
    const cases: [string, unknown][] = [
      ['reject', null],
      ['abort', { reason: { toString: 1 } }],
      ['approve', { approver: 'vendor-team', fingerprint: [key] }],
      ['reject', { approver: 'vendor-team', reason: 'r'.repeat(700 * 1024) }],
      ['reschedule', { window: { start: '2027-01-01T00:00:00Z', end: '9999-12-31T00:00:00Z' } }],
      ['approve', { approver: 'vendor-team', fingerprint: key, window: { start: '2027-01-01T00:00:00Z', end: '+275760-09-13T00:00:00Z' } }],
      ['vendorApplied', 'yes'],
      ['rollback', []],
    ];
    for (const [name, payload] of cases) {
      await refusedUpdate(handle, name, payload);
      await handle.signal(name, payload);
    }
    // A payload that cannot be decoded at all: a forged encrypted one, and bytes that are not JSON.
    await rawSignal(harness.env(), handle.workflowId, 'approve', { encoding: 'binary/encrypted', data: utf8('not really ciphertext') });
    await rawSignal(harness.env(), handle.workflowId, 'abort', { encoding: 'json/plain', data: utf8('{"reason":') });

    const status = await handle.query(statusQuery);
    assert.equal(status.refusedCount, cases.length + 2, 'every signal was refused and recorded');
    assert.ok(status.ignoredMessages.some((m) => /could not be decoded/.test(m.reason)), 'the forged payloads are named as undecodable');
    assert.ok(JSON.stringify(status).length < 100_000, 'a 700 KB reason is not copied into the status');
    assert.equal(status.rejection, null);
    assert.equal(status.approval, null);
    await stillAlive(handle);
  });

  it('fuzz: a few hundred generated malformed payloads to every message, as signals and updates', async () => {
    const world = await harness.world();
    const { taskQueue } = await harness.worker(world);
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    await waitForPhase(handle, 'awaiting-approval');
    let sent = 0;
    for (const [index, name] of MESSAGE_NAMES.entries()) {
      const payloads = malformedPayloads(name, 40, 20261201 + index);
      // Updates concurrently (a refused update leaves no history); signals in one burst.
      await Promise.all(payloads.map((payload) => refusedUpdate(handle, name, payload)));
      await Promise.all(payloads.map((payload) => handle.signal(name, payload)));
      sent += payloads.length;
    }
    const status = await handle.query(statusQuery);
    assert.equal(status.refusedCount, sent, 'every generated signal was refused');
    assert.ok(status.ignoredMessages.length <= 50, 'only the latest refusals are kept in the status');
    console.log(`fuzz: ${sent} signals and ${sent} updates with malformed payloads, all refused`);
    await stillAlive(handle);
  });
});

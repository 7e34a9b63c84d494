/**
 * What Temporal actually stores: run a workflow through a real (time-skipping) server with the
 * encryption codec on the client and the worker, then read the raw history with a client that
 * has NO codec and look for the secret in every byte and string of it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { dataConverterFor } from '../../src/codec/data-converter';
import { ENCRYPTED_ENCODING, EncryptionCodec, type KeyRing } from '../../src/codec/encryption-codec';
import { useTemporalEnv } from '../support/temporal';
import { appendSignal, type echoWorkflow } from './fixtures/echo-workflow';

const MARKER = '-----BEGIN PRIVATE KEY----- secret-marker';
const TASK_QUEUE = 'encrypted-history';

/** Every string and byte array anywhere in a (protobuf) object, with where it was found. */
function* leaves(value: unknown, path = 'history'): Generator<{ path: string; text: string }> {
  if (value == null) return;
  if (typeof value === 'string') {
    yield { path, text: value };
  } else if (value instanceof Uint8Array) {
    yield { path, text: Buffer.from(value).toString('latin1') };
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* leaves(item, `${path}[${i}]`);
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) yield* leaves(item, `${path}.${key}`);
  }
}

/** Every Payload in the history: objects with a `metadata` map and `data` bytes. */
function* payloads(value: unknown): Generator<Payload> {
  if (value == null || typeof value !== 'object' || value instanceof Uint8Array) return;
  const candidate = value as { metadata?: unknown; data?: unknown };
  if (candidate.data instanceof Uint8Array && candidate.metadata != null && typeof candidate.metadata === 'object') {
    yield candidate as Payload;
    return;
  }
  for (const item of Array.isArray(value) ? value : Object.values(value)) yield* payloads(item);
}

describe('workflow history with the encryption codec', () => {
  const keyRing: KeyRing = { keys: [{ id: 'history-test', key: randomBytes(32) }], current: 'history-test' };
  const dataConverter = dataConverterFor(keyRing);
  const env = useTemporalEnv('time-skipping', { dataConverter });

  it('stores no secret in plain text, and the codec recovers it', async () => {
    const worker = await Worker.create({
      connection: env().nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowsPath: require.resolve('./fixtures/echo-workflow'),
      dataConverter,
    });
    const workflowId = `encrypted-history-${Date.now()}`;
    const result = await worker.runUntil(async () => {
      const handle = await env().client.workflow.start<typeof echoWorkflow>('echoWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [{ note: MARKER }],
        memo: { secret: `memo ${MARKER}` },
      });
      await handle.signal(appendSignal, `signal ${MARKER}`);
      return handle.result();
    });
    // Through the codec-aware client everything reads back as sent.
    assert.deepEqual(result, { echoed: `${MARKER} | signal ${MARKER}` });

    const plainClient = new Client({ connection: env().connection, namespace: env().namespace ?? 'default' });
    const history = await plainClient.workflow.getHandle(workflowId).fetchHistory();
    assert.ok((history.events?.length ?? 0) > 0, 'the history is empty');

    const needles = ['secret-marker', 'PRIVATE KEY', Buffer.from(MARKER).toString('base64')];
    for (const { path, text } of leaves(history)) {
      for (const needle of needles) assert.equal(text.includes(needle), false, `"${needle}" is readable at ${path}`);
    }
    const json = JSON.stringify(history, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));
    assert.equal(json.includes('secret-marker'), false);

    // Input, memo, signal and result: each stored encrypted, each recoverable with the key.
    const stored = [...payloads(history)];
    const encrypted = stored.filter((p) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString() === ENCRYPTED_ENCODING);
    assert.ok(encrypted.length >= 4, `expected at least 4 encrypted payloads, found ${encrypted.length} of ${stored.length}`);
    assert.equal(encrypted.length, stored.length, 'some payloads were stored without encryption');
    const decoded = await new EncryptionCodec(keyRing).decode(encrypted);
    const values = decoded.map((p) => JSON.stringify(defaultPayloadConverter.fromPayload(p)));
    for (const expected of [{ note: MARKER }, `memo ${MARKER}`, `signal ${MARKER}`, { echoed: `${MARKER} | signal ${MARKER}` }]) {
      assert.ok(values.includes(JSON.stringify(expected)), `${JSON.stringify(expected)} not recovered from history; got ${values.join(', ')}`);
    }
  });
});

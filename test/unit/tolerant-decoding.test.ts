/**
 * A worker must not be wedged by a payload it cannot decode: anyone who can signal a
 * workflow can send forged "encrypted" bytes without the codec key. The worker's codec
 * layer turns such a payload into a marker the message handlers refuse, and decodes every
 * genuine payload exactly as the strict codec does; the workflow's payload converter does
 * the same for payloads in an encoding it does not know.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../src/codec/encryption-codec';
import { payloadConverter } from '../../src/codec/payload-converter';
import { TolerantDecoding } from '../../src/codec/tolerant-decoding';
import { parseMessage, UNDECODABLE_PAYLOAD } from '../../src/domain/operator-messages';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('tolerant decoding on workers', () => {
  const codec = new EncryptionCodec({ keys: [{ id: 'k1', key: randomBytes(32) }], current: 'k1' });
  const tolerant = new TolerantDecoding(codec);

  it('decodes genuine payloads exactly as the strict codec does', async () => {
    const plain = defaultPayloadConverter.toPayload({ approver: 'vendor-team', fingerprint: 'AB' });
    const [encrypted] = await codec.encode([plain]);
    const [decoded] = await tolerant.decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { approver: 'vendor-team', fingerprint: 'AB' });
  });

  for (const [name, forged] of [
    ['unknown key id', { metadata: { encoding: utf8('binary/encrypted'), 'encryption-key-id': utf8('stolen') }, data: randomBytes(64) }],
    ['altered ciphertext under the right key id', { metadata: { encoding: utf8('binary/encrypted'), 'encryption-key-id': utf8('k1') }, data: randomBytes(64) }],
    ['no key id at all', { metadata: { encoding: utf8('binary/encrypted') }, data: utf8('not really ciphertext') }],
  ] as const) {
    it(`turns a forged payload (${name}) into a marker the message rules refuse, without throwing`, async () => {
      await assert.rejects(codec.decode([forged]), 'the strict codec refuses it');
      const [marked] = await tolerant.decode([forged]);
      const value: unknown = defaultPayloadConverter.fromPayload(marked!);
      assert.ok(value !== null && typeof value === 'object' && UNDECODABLE_PAYLOAD in value);
      const parsed = parseMessage('approve', value);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.problem, /could not be decoded/);
    });
  }

  it('the workflow payload converter marks an unknown encoding and bytes that are not JSON', () => {
    for (const payload of [
      { metadata: { encoding: utf8('binary/encrypted') }, data: utf8('x') },
      { metadata: { encoding: utf8('json/plain') }, data: utf8('{"reason":') },
    ]) {
      assert.throws(() => defaultPayloadConverter.fromPayload(payload), 'the default converter throws');
      const value: unknown = payloadConverter.fromPayload(payload);
      assert.ok(value !== null && typeof value === 'object' && UNDECODABLE_PAYLOAD in value);
    }
    assert.deepEqual(payloadConverter.fromPayload(payloadConverter.toPayload({ a: 1 })), { a: 1 });
  });
});

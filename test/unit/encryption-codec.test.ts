import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { RotationError } from '../../src/domain/errors';
import { dataConverterFor } from '../../src/codec/data-converter';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  PayloadDecryptionError,
  generateKey,
  loadKeyRing,
  type KeyRing,
} from '../../src/codec/encryption-codec';

const MARKER = '-----BEGIN PRIVATE KEY----- secret-marker';

function ring(...ids: string[]): KeyRing {
  return { keys: ids.map((id) => ({ id, key: randomBytes(32) })), current: ids[ids.length - 1]! };
}

function text(bytes: Uint8Array | null | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
}

function toPayload(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}

async function encodeOne(codec: EncryptionCodec, payload: Payload): Promise<Payload> {
  const [encoded] = await codec.encode([payload]);
  return encoded!;
}

async function decodeOne(codec: EncryptionCodec, payload: Payload): Promise<Payload> {
  const [decoded] = await codec.decode([payload]);
  return decoded!;
}

describe('EncryptionCodec', () => {
  it('round-trips payloads, including their metadata and empty data', async () => {
    const codec = new EncryptionCodec(ring('k1'));
    const originals = [toPayload({ pem: MARKER, n: 1 }), toPayload(undefined), toPayload(new Uint8Array([0, 1, 2, 255]))];
    const encoded = await codec.encode(originals);
    assert.equal(encoded.length, 3);
    const decoded = await codec.decode(encoded);
    assert.deepEqual(decoded.map((p) => defaultPayloadConverter.fromPayload(p)), [{ pem: MARKER, n: 1 }, undefined, new Uint8Array([0, 1, 2, 255])]);
    for (const [i, payload] of decoded.entries()) {
      assert.deepEqual(Object.keys(payload.metadata ?? {}).sort(), Object.keys(originals[i]!.metadata ?? {}).sort());
      assert.equal(text(payload.metadata?.encoding), text(originals[i]!.metadata?.encoding));
    }
  });

  it('writes the documented wire format: encoding, key id, IV || ciphertext || tag', async () => {
    const codec = new EncryptionCodec(ring('k1'));
    const original = toPayload(MARKER);
    const encoded = await encodeOne(codec, original);
    assert.deepEqual(Object.keys(encoded.metadata ?? {}).sort(), ['encoding', 'encryption-key-id']);
    assert.equal(text(encoded.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encoded.metadata?.['encryption-key-id']), 'k1');
    // The plaintext is the whole serialised Payload (metadata too), so the data is longer
    // than the original data by at least IV (12) + tag (16).
    assert.ok(encoded.data!.length >= original.data!.length + 28);
  });

  it('leaves no plaintext in the ciphertext (nor the original encoding) and never repeats an IV', async () => {
    const codec = new EncryptionCodec(ring('k1'));
    const original = toPayload({ pem: MARKER });
    const first = await encodeOne(codec, original);
    const second = await encodeOne(codec, original);
    for (const encoded of [first, second]) {
      const bytes = Buffer.from(encoded.data!);
      assert.equal(bytes.includes('secret-marker'), false);
      assert.equal(bytes.includes('PRIVATE KEY'), false);
      assert.equal(bytes.includes('json/plain'), false);
    }
    assert.notDeepEqual(Buffer.from(first.data!).subarray(0, 12), Buffer.from(second.data!).subarray(0, 12));
  });

  it('passes payloads that are not encrypted through decode untouched', async () => {
    const codec = new EncryptionCodec(ring('k1'));
    const plain = toPayload({ hello: 'world' });
    const [decoded] = await codec.decode([plain]);
    assert.equal(decoded, plain);
  });

  for (const [what, offsetFromEnd] of [
    ['the IV', -1],
    ['the ciphertext', 20],
    ['the tag', 1],
  ] as const) {
    it(`rejects a payload with ${what} altered`, async () => {
      const codec = new EncryptionCodec(ring('k1'));
      const encoded = await encodeOne(codec, toPayload({ pem: MARKER }));
      const data = Buffer.from(encoded.data!);
      const index = offsetFromEnd < 0 ? 0 : data.length - offsetFromEnd;
      data[index] = data[index]! ^ 0x01;
      await assert.rejects(decodeOne(codec, { ...encoded, data }), (error: unknown) => {
        assert.ok(error instanceof PayloadDecryptionError);
        assert.match(error.message, /authentication failed/);
        assert.match(error.message, /"k1"/);
        return true;
      });
    });
  }

  it('rejects truncated data and a missing key id', async () => {
    const codec = new EncryptionCodec(ring('k1'));
    const encoded = await encodeOne(codec, toPayload('x'));
    await assert.rejects(decodeOne(codec, { ...encoded, data: encoded.data!.subarray(0, 20) }), /too short/);
    const { ['encryption-key-id']: _dropped, ...withoutId } = encoded.metadata!;
    await assert.rejects(decodeOne(codec, { ...encoded, metadata: withoutId }), /no "encryption-key-id" metadata/);
  });

  it('rotates keys: old payloads still decode, new payloads use the new current key', async () => {
    const old = ring('2024-q4');
    const before = new EncryptionCodec(old);
    const oldPayload = await encodeOne(before, toPayload({ pem: MARKER }));

    const rotated: KeyRing = { keys: [...old.keys, { id: '2025-q1', key: randomBytes(32) }], current: '2025-q1' };
    const after = new EncryptionCodec(rotated);
    assert.equal(after.currentKeyId, '2025-q1');
    assert.deepEqual(defaultPayloadConverter.fromPayload(await decodeOne(after, oldPayload)), { pem: MARKER });

    const newPayload = await encodeOne(after, toPayload('new'));
    assert.equal(text(newPayload.metadata?.['encryption-key-id']), '2025-q1');
    // The old codec (without the new key) cannot read what the new one wrote.
    await assert.rejects(decodeOne(before, newPayload), /unknown encryption key id "2025-q1"/);
  });

  it('names an unknown key id in the error, and no key material', async () => {
    const writer = new EncryptionCodec(ring('retired-key'));
    const readerRing = ring('k-live');
    const reader = new EncryptionCodec(readerRing);
    const encoded = await encodeOne(writer, toPayload(MARKER));
    await assert.rejects(decodeOne(reader, encoded), (error: unknown) => {
      assert.ok(error instanceof PayloadDecryptionError);
      assert.equal(error.keyId, 'retired-key');
      assert.match(error.message, /unknown encryption key id "retired-key"/);
      assert.match(error.message, /CERTROT_CODEC_KEYS/);
      assert.equal(error.message.includes(readerRing.keys[0]!.key.toString('base64')), false);
      return true;
    });
  });

  it('refuses an invalid key ring', () => {
    assert.throws(() => new EncryptionCodec({ keys: [], current: 'a' }), /no keys/);
    assert.throws(() => new EncryptionCodec({ keys: [{ id: 'a', key: randomBytes(16) }], current: 'a' }), /must be 32 bytes \(got 16\)/);
    assert.throws(
      () => new EncryptionCodec({ keys: [{ id: 'a', key: randomBytes(32) }, { id: 'a', key: randomBytes(32) }], current: 'a' }),
      /"a" is used more than once/,
    );
    assert.throws(() => new EncryptionCodec({ keys: [{ id: 'a', key: randomBytes(32) }], current: 'b' }), /current codec key/);
  });

  it('is what dataConverterFor puts in payloadCodecs', async () => {
    const keyRing = ring('k1');
    const converter = dataConverterFor(keyRing);
    assert.equal(converter.payloadCodecs?.length, 1);
    const codec = converter.payloadCodecs[0]!;
    const [encoded] = await codec.encode([toPayload(MARKER)]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(await decodeOne(new EncryptionCodec(keyRing), encoded!)), MARKER);
  });
});

describe('loadKeyRing', () => {
  const key1 = randomBytes(32).toString('base64');
  const key2 = randomBytes(32).toString('base64');

  /** Runs loadKeyRing expecting a CONFIG_INVALID error; checks no key material leaks. */
  function configError(env: NodeJS.ProcessEnv, pattern: RegExp, secrets: string[] = [key1, key2]): void {
    assert.throws(
      () => loadKeyRing(env),
      (error: unknown) => {
        assert.ok(error instanceof RotationError);
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.message, pattern);
        for (const secret of secrets) {
          assert.equal(error.message.includes(secret), false, `the message leaks key material: ${error.message}`);
          assert.equal(error.message.includes(secret.slice(0, 12)), false, `the message leaks part of a key: ${error.message}`);
        }
        return true;
      },
    );
  }

  it('reads "id:base64key" entries, oldest first, the last one current by default', () => {
    const keyRing = loadKeyRing({ CERTROT_CODEC_KEYS: ` old:${key1} , new:${key2} ,` });
    assert.deepEqual(
      keyRing.keys.map((k) => k.id),
      ['old', 'new'],
    );
    assert.deepEqual(keyRing.keys[0]!.key, Buffer.from(key1, 'base64'));
    assert.equal(keyRing.current, 'new');
  });

  it('honours CERTROT_CODEC_CURRENT_KEY', () => {
    const keyRing = loadKeyRing({ CERTROT_CODEC_KEYS: `old:${key1},new:${key2}`, CERTROT_CODEC_CURRENT_KEY: 'old' });
    assert.equal(keyRing.current, 'old');
  });

  it('accepts URL-safe base64 without padding', () => {
    const urlSafe = Buffer.from(key1, 'base64').toString('base64url');
    assert.deepEqual(loadKeyRing({ CERTROT_CODEC_KEYS: `a:${urlSafe}` }).keys[0]!.key, Buffer.from(key1, 'base64'));
  });

  it('explains a missing or empty variable', () => {
    configError({}, /CERTROT_CODEC_KEYS is not set/);
    configError({ CERTROT_CODEC_KEYS: '  ' }, /CERTROT_CODEC_KEYS is not set/);
    configError({ CERTROT_CODEC_KEYS: ' , ' }, /CERTROT_CODEC_KEYS lists no keys/);
  });

  it('names a short key by entry and id, without printing it', () => {
    const short = randomBytes(16).toString('base64');
    configError({ CERTROT_CODEC_KEYS: `a:${key1},b:${short}` }, /CERTROT_CODEC_KEYS entry 2 \(key id "b"\): the key must be 32 bytes.*16 bytes/, [key1, short]);
  });

  it('names a duplicate id without printing either key', () => {
    configError({ CERTROT_CODEC_KEYS: `a:${key1},a:${key2}` }, /CERTROT_CODEC_KEYS entry 2: key id "a" is already used by entry 1/);
  });

  it('rejects an entry without an id, or a key pasted where the id belongs, without echoing it', () => {
    configError({ CERTROT_CODEC_KEYS: key1 }, /CERTROT_CODEC_KEYS entry 1 is not of the form "id:base64key"/);
    configError({ CERTROT_CODEC_KEYS: `${key1}:a` }, /CERTROT_CODEC_KEYS entry 1: the key id must be/);
    const urlSafe = Buffer.from(key2, 'base64').toString('base64url');
    configError({ CERTROT_CODEC_KEYS: `${urlSafe}:${key1}` }, /entry 1: the key id must be/, [key1, urlSafe]);
  });

  it('rejects a key that is not base64', () => {
    configError({ CERTROT_CODEC_KEYS: `a:${key1},b:not base64!` }, /entry 2 \(key id "b"\): the key is not base64/);
  });

  it('rejects a current key id that is not listed, without echoing the value', () => {
    configError({ CERTROT_CODEC_KEYS: `a:${key1}`, CERTROT_CODEC_CURRENT_KEY: key2 }, /CERTROT_CODEC_CURRENT_KEY must be one of the key ids listed in CERTROT_CODEC_KEYS \(a\)/);
  });
});

describe('generateKey', () => {
  it('makes a loadable 32-byte key with a dated id, different every time', () => {
    const first = generateKey(new Date('2025-01-31T12:00:00Z'));
    const second = generateKey(new Date('2025-01-31T12:00:00Z'));
    assert.match(first.id, /^k20250131-[0-9a-f]{4}$/);
    assert.equal(Buffer.from(first.base64, 'base64').length, 32);
    assert.notEqual(first.base64, second.base64);
    const keyRing = loadKeyRing({ CERTROT_CODEC_KEYS: `${first.id}:${first.base64}` });
    assert.equal(keyRing.current, first.id);
  });
});

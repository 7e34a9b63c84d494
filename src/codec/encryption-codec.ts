/**
 * AES-256-GCM payload codec: Temporal stores workflow history as plain text, so every payload
 * certrot sends (workflow inputs, results, signals, memos, activity arguments) is encrypted on
 * the client/worker side before it reaches the server.
 *
 * Wire format of an encrypted payload (kept deliberately simple so another SDK or a codec
 * server in another language can read it):
 *   metadata.encoding          = "binary/encrypted"
 *   metadata.encryption-key-id = the id of the key that encrypted it
 *   data                       = IV (12 bytes) || ciphertext || GCM tag (16 bytes)
 * where the plaintext is the ORIGINAL payload serialised as a `temporal.api.common.v1.Payload`
 * protobuf, so its own metadata (encoding, message type, ...) is hidden too.
 *
 * The codec itself rotates keys: a key ring holds every key that may still be needed to read
 * old histories, and one current key that encrypts everything new. Error messages may name
 * key ids and environment variables, never key material.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
// @temporalio/proto is the protobuf package @temporalio/common itself depends on (same pinned
// version); it is the canonical serialiser for a Payload.
import { temporal } from '@temporalio/proto';
import { RotationError } from '../domain/errors';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

/**
 * Key ids travel in payload metadata and in `id:key,id:key` lists: keep them plain, and short
 * enough (<= 40) that a 32-byte key pasted in the wrong place (43+ base64 characters) can never
 * pass for an id and be echoed in an error message.
 */
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;

export const KEYS_VARIABLE = 'CERTROT_CODEC_KEYS';
export const CURRENT_KEY_VARIABLE = 'CERTROT_CODEC_CURRENT_KEY';

export interface CodecKey {
  id: string;
  /** 32 bytes of AES-256 key material. */
  key: Buffer;
}

export interface KeyRing {
  keys: CodecKey[];
  /** Id of the key that encrypts new payloads; every other key only decrypts. */
  current: string;
}

/** A payload could not be decrypted: unknown key id, malformed data, or altered ciphertext. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
  /** The key id the payload names (as found in its metadata), if any. */
  readonly keyId: string | undefined;

  constructor(message: string, keyId?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.keyId = keyId;
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Quotes a string taken from untrusted input so an error message stays one readable line. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

/**
 * Checks a key ring and returns a copy safe to keep (key buffers copied, so a caller zeroing or
 * reusing its own buffer cannot change the codec's keys).
 */
export function validateKeyRing(keyRing: KeyRing): KeyRing {
  if (keyRing.keys.length === 0) {
    throw new RotationError('CONFIG_INVALID', 'the codec key ring holds no keys');
  }
  const seen = new Set<string>();
  const keys = keyRing.keys.map(({ id, key }, index) => {
    if (!KEY_ID_PATTERN.test(id)) {
      // Not echoed: a malformed id may be key material pasted into the wrong place.
      throw new RotationError('CONFIG_INVALID', `codec key ${index + 1}: the key id must be 1-40 letters, digits, ".", "_" or "-"`);
    }
    if (seen.has(id)) {
      throw new RotationError('CONFIG_INVALID', `codec key ${index + 1}: key id "${id}" is used more than once`);
    }
    seen.add(id);
    if (key.length !== KEY_BYTES) {
      throw new RotationError('CONFIG_INVALID', `codec key "${id}" must be ${KEY_BYTES} bytes (got ${key.length})`);
    }
    return { id, key: Buffer.from(key) };
  });
  if (!seen.has(keyRing.current)) {
    throw new RotationError('CONFIG_INVALID', `the current codec key is not one of the key ids in the ring (${[...seen].join(', ')})`);
  }
  return { keys, current: keyRing.current };
}

/**
 * Reads the key ring from the environment:
 *   CERTROT_CODEC_KEYS        = id1:base64key1,id2:base64key2   (oldest first)
 *   CERTROT_CODEC_CURRENT_KEY = id that encrypts new payloads  (default: the last listed)
 */
export function loadKeyRing(env: NodeJS.ProcessEnv = process.env): KeyRing {
  const raw = env[KEYS_VARIABLE];
  if (raw === undefined || raw.trim() === '') {
    throw new RotationError(
      'CONFIG_INVALID',
      `${KEYS_VARIABLE} is not set: give it "id:base64key" entries separated by commas (each key 32 random bytes, base64)`,
    );
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const keys: CodecKey[] = [];
  const positionOf = new Map<string, number>();
  entries.forEach((entry, index) => {
    const where = `${KEYS_VARIABLE} entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      throw new RotationError('CONFIG_INVALID', `${where} is not of the form "id:base64key"`);
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      throw new RotationError('CONFIG_INVALID', `${where}: the key id must be 1-40 letters, digits, ".", "_" or "-"`);
    }
    const earlier = positionOf.get(id);
    if (earlier !== undefined) {
      throw new RotationError('CONFIG_INVALID', `${where}: key id "${id}" is already used by entry ${earlier}`);
    }
    positionOf.set(id, index + 1);
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
      throw new RotationError('CONFIG_INVALID', `${where} (key id "${id}"): the key is not base64`);
    }
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new RotationError(
        'CONFIG_INVALID',
        `${where} (key id "${id}"): the key must be ${KEY_BYTES} bytes, base64-encoded (it decodes to ${key.length} bytes)`,
      );
    }
    keys.push({ id, key });
  });
  if (keys.length === 0) {
    throw new RotationError('CONFIG_INVALID', `${KEYS_VARIABLE} lists no keys`);
  }

  const requested = env[CURRENT_KEY_VARIABLE]?.trim();
  const current = requested === undefined || requested === '' ? keys[keys.length - 1]!.id : requested;
  if (!positionOf.has(current)) {
    // The value itself is not echoed: someone may have pasted a key where the id belongs.
    throw new RotationError(
      'CONFIG_INVALID',
      `${CURRENT_KEY_VARIABLE} must be one of the key ids listed in ${KEYS_VARIABLE} (${keys.map((k) => k.id).join(', ')})`,
    );
  }
  return { keys, current };
}

/**
 * A fresh random key and a date-based id, e.g. `{ id: "k20250131-9f3a", base64: "..." }`:
 * append `${id}:${base64}` to CERTROT_CODEC_KEYS to rotate the codec key.
 */
export function generateKey(now: Date = new Date()): { id: string; base64: string } {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return { id: `k${day}-${randomBytes(2).toString('hex')}`, base64: randomBytes(KEY_BYTES).toString('base64') };
}

function metadataString(payload: Payload, name: string): string | undefined {
  const value = payload.metadata?.[name];
  return value == null ? undefined : fromUtf8.decode(value);
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly currentId: string;
  private readonly currentKey: Buffer;

  constructor(keyRing: KeyRing) {
    const ring = validateKeyRing(keyRing);
    this.keys = new Map(ring.keys.map(({ id, key }) => [id, key]));
    this.currentId = ring.current;
    this.currentKey = this.keys.get(ring.current)!;
  }

  /** Id of the key that encrypts new payloads. */
  get currentKeyId(): string {
    return this.currentId;
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // Decryption errors are thrown synchronously inside; surface them as a rejected promise.
    try {
      return Promise.resolve(payloads.map((payload) => this.decrypt(payload)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private encrypt(payload: Payload): Payload {
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.currentKey, iv, { authTagLength: TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING]: utf8.encode(ENCRYPTED_ENCODING),
        [METADATA_KEY_ID]: utf8.encode(this.currentId),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    if (metadataString(payload, METADATA_ENCODING) !== ENCRYPTED_ENCODING) return payload;

    const keyId = metadataString(payload, METADATA_KEY_ID);
    if (keyId === undefined) {
      throw new PayloadDecryptionError(`cannot decrypt payload: it is "${ENCRYPTED_ENCODING}" but has no "${METADATA_KEY_ID}" metadata`);
    }
    const key = this.keys.get(keyId);
    if (key === undefined) {
      throw new PayloadDecryptionError(
        `cannot decrypt payload: unknown encryption key id ${quoted(keyId)} (known: ${[...this.keys.keys()].join(', ')}); ` +
          `add that key to ${KEYS_VARIABLE}`,
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`cannot decrypt payload under key id ${quoted(keyId)}: data is too short (${data.length} bytes)`, keyId);
    }
    const iv = data.subarray(0, IV_BYTES);
    const ciphertext = data.subarray(IV_BYTES, data.length - TAG_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch (error) {
      throw new PayloadDecryptionError(
        `cannot decrypt payload under key id ${quoted(keyId)}: authentication failed (the data was altered or encrypted with a different key)`,
        keyId,
        { cause: error },
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plaintext);
    } catch (error) {
      throw new PayloadDecryptionError(`cannot decrypt payload under key id ${quoted(keyId)}: the plaintext is not a Payload`, keyId, { cause: error });
    }
  }
}

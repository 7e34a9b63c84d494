/**
 * The one data converter certrot's Worker and Client share: the default JSON payload
 * converter followed by the encryption codec. Both sides must use it — a client without it
 * would write plain-text payloads, a worker without it could not read encrypted ones.
 *
 * Payload codecs run in the worker's main thread, outside the workflow sandbox, so nothing
 * here is bundled with the workflow code.
 *
 * Not covered by any payload codec (Temporal stores them as they are): workflow ids, types
 * and task queues, search attributes, and failure messages/stack traces unless the failure
 * converter is told to encode them. Keep secrets out of all of those.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, loadKeyRing, type KeyRing } from './encryption-codec';
import { TolerantDecoding } from './tolerant-decoding';

export function dataConverterFor(keyRing: KeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyRing)] };
}

/**
 * The worker's side: the same codec, but a payload it cannot decode (forged, or under an
 * unknown key) becomes a marker the workflow refuses, instead of failing every workflow
 * task (./tolerant-decoding.ts); workflow code reads payloads with ./payload-converter.ts.
 */
export function workerDataConverter(base: DataConverter | undefined): DataConverter {
  return {
    payloadConverterPath: require.resolve('./payload-converter'),
    payloadCodecs: (base?.payloadCodecs ?? []).map((codec) => new TolerantDecoding(codec)),
  };
}

/** `dataConverterFor` with the key ring from CERTROT_CODEC_KEYS / CERTROT_CODEC_CURRENT_KEY. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter {
  return dataConverterFor(loadKeyRing(env));
}

/**
 * The encrypting converter when CERTROT_CODEC_KEYS is set, else undefined (plain JSON
 * payloads, as on a laptop dev server). Worker and CLI call this so they always agree.
 */
export function dataConverterFromEnvIfConfigured(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const keys = env.CERTROT_CODEC_KEYS;
  return keys !== undefined && keys.trim() !== '' ? dataConverterFromEnv(env) : undefined;
}

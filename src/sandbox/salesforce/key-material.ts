/**
 * Key material the sandbox org makes the way Salesforce does: an RSA key pair generated
 * inside the org, then a self-signed certificate that lasts what Salesforce gives on the
 * day it is created (src/domain/certificate-lifetime.ts: by key size, capped by the
 * CA/Browser Forum maximum) or, for a CA-signed certificate, a CSR that waits for the
 * signed chain. Given an existing certificate, the new one takes its X.509 subject.
 */
import { createCsr, createSelfSignedCertificate, findLeaf, generateRsaKeyPair, spkiFingerprint, spkiFingerprintOfPrivateKey, type CsrSubject } from '../../certificates';
import type { KeySize } from '../../domain/certificate';
import { salesforceLifetimeDays } from '../../domain/certificate-lifetime';
import { isRotationError } from '../../domain/errors';

export interface NewKeyMaterial {
  uniqueName: string;
  keySize: KeySize;
  orgId: string;
  /** When the org creates it (the org's clock): the certificate's notBefore, and the day its lifetime is decided. */
  createdAt: Date;
  /** An existing certificate (PEM) whose subject the new one copies. */
  subjectFromCertificatePem?: string | undefined;
  /** `behaviour.pregeneratedKeys` (a speed switch): take the key pair from the pool made ahead of time, when it has one. */
  fromKeyPool?: boolean;
}

/**
 * Under `behaviour.pregeneratedKeys` (a benchmark-speed switch, no Salesforce behaviour):
 * RSA key pairs generated ahead of time, per key size, for the certificates later created
 * through the API. Each is handed out once — every new certificate still has a key of its
 * own, never seen before — and once the pool is empty keys are generated on demand as
 * without the switch. The pool belongs to the process (every sandbox org in it draws from
 * it). Real Salesforce makes keys on its own servers: this keeps the sandbox's key
 * generation out of a measurement of certrot.
 */
const keyPools = new Map<KeySize, Promise<string | null>[]>();

/** Generates keys until the pool of `keySize` holds `count` (at once: node:crypto runs them on its thread pool). */
export async function fillKeyPool(keySize: KeySize, count: number): Promise<void> {
  const pool = keyPools.get(keySize) ?? [];
  keyPools.set(keySize, pool);
  while (pool.length < count) {
    // a failed generation is kept as null: the certificate taking it generates its own
    pool.push(generateRsaKeyPair(keySize).then((pair) => pair.privateKeyPem, () => null));
  }
  await Promise.all(pool);
}

async function freshPrivateKey(input: NewKeyMaterial): Promise<string> {
  const pooled = input.fromKeyPool ? await keyPools.get(input.keySize)?.shift() : undefined;
  return pooled ?? (await generateRsaKeyPair(input.keySize)).privateKeyPem;
}

function subjectFor(input: NewKeyMaterial): CsrSubject {
  if (input.subjectFromCertificatePem !== undefined) return { copiedFromCertificatePem: input.subjectFromCertificatePem };
  return { commonName: input.uniqueName, organization: 'certrot sandbox', organizationalUnit: input.orgId.slice(0, 15) };
}

export async function makeSelfSigned(input: NewKeyMaterial) {
  const privateKeyPem = await freshPrivateKey(input);
  const certificatePem = createSelfSignedCertificate({
    privateKeyPem,
    subject: subjectFor(input),
    validityDays: salesforceLifetimeDays(input.keySize, input.createdAt),
    notBefore: input.createdAt,
  });
  return { privateKeyPem, certificatePem };
}

export async function makeCsr(input: NewKeyMaterial) {
  const privateKeyPem = await freshPrivateKey(input);
  return { privateKeyPem, csrPem: createCsr({ privateKeyPem, subject: subjectFor(input) }) };
}

/**
 * Fixture key material under `behaviour.shareFixtureKeyMaterial` (a test-speed switch, no
 * Salesforce behaviour): made once per process for each key size and notBefore (a pending
 * CSR: per key size), by the first fixture certificate asking, and handed to every later
 * one — whose content's subject then names that first certificate and its org, not
 * itself. Lifetime and notAfter follow from key size and notBefore, so they are the same as made apart.
 * A failed generation is forgotten, so the next one asking tries again.
 */
const sharedSelfSignedMaterial = new Map<string, Promise<{ privateKeyPem: string; certificatePem: string }>>();
const sharedCsrMaterial = new Map<string, Promise<{ privateKeyPem: string; csrPem: string }>>();

function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let made = cache.get(key);
  if (!made) {
    made = make();
    cache.set(key, made);
    made.catch(() => cache.delete(key));
  }
  return made;
}

export function sharedSelfSigned(input: NewKeyMaterial): Promise<{ privateKeyPem: string; certificatePem: string }> {
  return once(sharedSelfSignedMaterial, `${input.keySize} ${input.createdAt.toISOString()}`, () => makeSelfSigned(input));
}

export function sharedCsr(input: NewKeyMaterial): Promise<{ privateKeyPem: string; csrPem: string }> {
  return once(sharedCsrMaterial, String(input.keySize), () => makeCsr(input));
}

/** Why `pem` cannot give a new certificate its subject (it must be one readable certificate), or null. */
export function subjectSourceProblem(pem: string): string | null {
  try {
    findLeaf(pem);
    return null;
  } catch {
    return 'The content is not a PEM or base64 certificate whose subject could be copied.';
  }
}

/** The certificate of an uploaded chain (in any order) that carries the key of the pending CSR, else why not. */
export function leafMatchingKey(chainPem: string, csrPem: string): { leafPem: string } | { problem: string } {
  try {
    return { leafPem: findLeaf(chainPem, { spkiFingerprintSha256: spkiFingerprint(csrPem) }) };
  } catch (error) {
    if (isRotationError(error, 'KEY_MISMATCH')) return { problem: "None of the certificates matches the certificate signing request's key." };
    return { problem: 'The content is not a PEM certificate chain.' };
  }
}

/** The leaf of a stored chain (any order): the certificate carrying the org's private key. */
export function leafForPrivateKey(chainPem: string, privateKeyPem: string): string {
  return findLeaf(chainPem, { spkiFingerprintSha256: spkiFingerprintOfPrivateKey(privateKeyPem) });
}

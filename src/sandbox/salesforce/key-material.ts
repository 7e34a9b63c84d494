/**
 * Key material the sandbox org makes the way Salesforce does: an RSA key pair generated
 * inside the org, then a self-signed certificate (2048 bits -> 1 year, 4096 -> 2 years) or,
 * for a CA-signed certificate, a CSR that waits for the signed chain.
 */
import { createCsr, createSelfSignedCertificate, generateRsaKeyPair, spkiFingerprint, splitPemBlocks } from '../../certificates';

export function validityDaysFor(keySize: 2048 | 4096): number {
  return keySize === 4096 ? 730 : 365;
}

function subjectFor(uniqueName: string, orgId: string) {
  return { commonName: uniqueName, organization: 'certrot sandbox', organizationalUnit: orgId.slice(0, 15) };
}

export async function makeSelfSigned(input: { uniqueName: string; keySize: 2048 | 4096; orgId: string; notBefore?: Date }) {
  const { privateKeyPem } = await generateRsaKeyPair(input.keySize);
  const certificatePem = createSelfSignedCertificate({
    privateKeyPem,
    subject: subjectFor(input.uniqueName, input.orgId),
    validityDays: validityDaysFor(input.keySize),
    ...(input.notBefore ? { notBefore: input.notBefore } : {}),
  });
  return { privateKeyPem, certificatePem };
}

export async function makeCsr(input: { uniqueName: string; keySize: 2048 | 4096; orgId: string }) {
  const { privateKeyPem } = await generateRsaKeyPair(input.keySize);
  return { privateKeyPem, csrPem: createCsr({ privateKeyPem, subject: subjectFor(input.uniqueName, input.orgId) }) };
}

/** The leaf of an uploaded chain if it carries the key of the pending CSR, else why not. */
export function leafMatchingKey(chainPem: string, csrPem: string): { leafPem: string } | { problem: string } {
  let blocks;
  try {
    blocks = splitPemBlocks(chainPem).filter((b) => b.type === 'CERTIFICATE');
  } catch {
    return { problem: 'The content is not a PEM certificate chain.' };
  }
  const leaf = blocks[0];
  if (!leaf) return { problem: 'The content holds no certificate.' };
  try {
    if (spkiFingerprint(leaf.pem) !== spkiFingerprint(csrPem)) {
      return { problem: "The signed certificate doesn't match the certificate signing request's key." };
    }
  } catch {
    return { problem: 'The first certificate of the chain cannot be read.' };
  }
  return { leafPem: leaf.pem };
}

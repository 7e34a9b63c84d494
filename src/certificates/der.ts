/**
 * Just enough DER to cut exact byte ranges out of a certificate or CSR: the signed part
 * (to verify signatures over the bytes as they were signed, not a re-encoding) and the
 * SubjectPublicKeyInfo (to learn the key type before forge, which only knows RSA, sees it).
 */

export type DerElement = { tag: number; start: number; contentStart: number; end: number };

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** The element that starts at `offset`; `limit` is where the enclosing element ends. */
export function readElement(der: Uint8Array, offset = 0, limit = der.length): DerElement {
  if (offset + 2 > limit) throw new DerError(`DER element at byte ${offset} is cut short`);
  const tag = der[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte DER tags are not supported (byte ${offset})`);
  const first = der[offset + 1] ?? 0;
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new DerError(`bad DER length at byte ${offset}`);
    if (contentStart + count > limit) throw new DerError(`DER length at byte ${offset} is cut short`);
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (der[contentStart + i] ?? 0);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`DER element at byte ${offset} runs past its container (${end} > ${limit})`);
  return { tag, start: offset, contentStart, end };
}

/** The direct children of a constructed element. */
export function childrenOf(der: Uint8Array, parent: DerElement): DerElement[] {
  if ((parent.tag & 0x20) === 0) throw new DerError(`DER element at byte ${parent.start} is not constructed`);
  const children: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readElement(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function bytesOf(der: Uint8Array, element: DerElement): Buffer {
  return Buffer.from(der.subarray(element.start, element.end));
}

const SEQUENCE = 0x30;
const BIT_STRING = 0x03;

/**
 * The pieces of a signed object (Certificate or CertificationRequest): the signed bytes,
 * the signature, and the SubjectPublicKeyInfo found at `spkiIndex` inside them (after an optional `[0]`
 * version, which only certificates carry).
 */
export function signedObjectParts(der: Uint8Array, kind: 'certificate' | 'csr'): { tbs: Buffer; spki: Buffer; signature: Buffer } {
  const outer = readElement(der);
  if (outer.tag !== SEQUENCE || outer.end !== der.length) throw new DerError('not a single DER SEQUENCE');
  const [tbs, , signatureBits] = childrenOf(der, outer);
  if (signatureBits === undefined || signatureBits.tag !== BIT_STRING || signatureBits.end - signatureBits.contentStart < 2) {
    throw new DerError('the signature is missing');
  }
  if (tbs === undefined || tbs.tag !== SEQUENCE) throw new DerError('the signed part is missing');
  const fields = childrenOf(der, tbs);
  // Certificate: [0] version?, serial, signature, issuer, validity, subject, spki
  // CertificationRequestInfo: version, subject, spki, [0] attributes
  const index = kind === 'certificate' ? (fields[0]?.tag === 0xa0 ? 6 : 5) : 2;
  const spki = fields[index];
  if (spki === undefined || spki.tag !== SEQUENCE) throw new DerError('the SubjectPublicKeyInfo is missing');
  // A signature BIT STRING starts with its count of unused bits, always 0 here.
  const signature = Buffer.from(der.subarray(signatureBits.contentStart + 1, signatureBits.end));
  return { tbs: bytesOf(der, tbs), spki: bytesOf(der, spki), signature };
}

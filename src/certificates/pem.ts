/**
 * PEM text: finding the blocks, checking their base64, and asking for a block of the type
 * the caller needs. Everything else in this folder reads its input through here, so a bad
 * paste fails once, with one kind of message.
 */
import { RotationError } from '../domain/errors';

export type PemBlock = { type: string; pem: string };

const BEGIN = /-----BEGIN ([A-Z0-9 #]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/** What a block of each type is, in words, for "pass X, not Y" messages. */
const BLOCK_NOUNS: Record<string, string> = {
  CERTIFICATE: 'a certificate',
  'CERTIFICATE REQUEST': 'the CSR',
  'NEW CERTIFICATE REQUEST': 'the CSR',
  'PRIVATE KEY': 'a private key',
  'RSA PRIVATE KEY': 'a private key',
  'ENCRYPTED PRIVATE KEY': 'an encrypted private key',
  'EC PRIVATE KEY': 'an EC private key',
  'PUBLIC KEY': 'a bare public key',
  'RSA PUBLIC KEY': 'a bare public key',
  PKCS7: 'a PKCS#7 bundle',
};

/**
 * Every PEM block in `text`, in order, re-wrapped at 64 columns with `\n` line ends.
 * Text between blocks (openssl's "subject=" lines, "Bag Attributes") is ignored.
 */
export function splitPemBlocks(text: string): PemBlock[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new RotationError('PEM_INVALID', 'Expected PEM text but got an empty value; pass the PEM block including its "-----BEGIN ...-----" line.');
  }
  const normalized = text.replace(/\r\n?/g, '\n');
  const blocks: PemBlock[] = [];
  for (const match of normalized.matchAll(BEGIN)) {
    const type = match[1] ?? '';
    const bodyStart = (match.index ?? 0) + match[0].length;
    const endMarker = `-----END ${type}-----`;
    const end = normalized.indexOf(endMarker, bodyStart);
    const nextBegin = normalized.indexOf('-----BEGIN ', bodyStart);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      throw new RotationError(
        'PEM_INVALID',
        `The PEM block "${type}" (block ${blocks.length + 1}) has no matching "${endMarker}" line; the text looks truncated. Paste the whole block.`,
        { details: { blockType: type, blockIndex: blocks.length } },
      );
    }
    blocks.push({ type, pem: rebuildBlock(type, normalized.slice(bodyStart, end), blocks.length) });
  }
  if (blocks.length === 0) {
    throw new RotationError(
      'PEM_INVALID',
      `Expected PEM text (a "-----BEGIN ...-----" block) but found none in ${text.length} characters; pass the PEM file's contents, not a file name, DER bytes or base64 alone.`,
      { details: { length: text.length } },
    );
  }
  return blocks;
}

function rebuildBlock(type: string, rawBody: string, index: number): string {
  const lines = rawBody.split('\n').map((line) => line.trim());
  // RFC 1421 headers (e.g. "Proc-Type: 4,ENCRYPTED") precede a blank line; keep them as they are.
  const headers: string[] = [];
  while (lines.length > 0 && (lines[0] === '' || (lines[0] ?? '').includes(':'))) {
    const line = lines.shift() ?? '';
    if (line !== '') headers.push(line);
  }
  const body = lines.join('').replace(/\s+/g, '');
  if (body === '' || !BASE64_BODY.test(body) || body.length % 4 !== 0) {
    throw new RotationError(
      'PEM_INVALID',
      `The PEM block "${type}" (block ${index + 1}) does not hold valid base64 (${body.length} characters${body.length % 4 === 0 ? '' : ', not a multiple of 4'}); it was probably truncated or edited. Paste the whole block again.`,
      { details: { blockType: type, blockIndex: index, base64Length: body.length } },
    );
  }
  const wrapped = body.match(/.{1,64}/g) ?? [];
  const head = headers.length > 0 ? `${headers.join('\n')}\n\n` : '';
  return `-----BEGIN ${type}-----\n${head}${wrapped.join('\n')}\n-----END ${type}-----\n`;
}

/** The base64 body of a block as DER bytes. */
export function pemToDer(block: PemBlock): Buffer {
  const body = block.pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----') && !line.includes(':'))
    .join('');
  return Buffer.from(body, 'base64');
}

export function derToPem(type: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${type}-----\n${(base64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${type}-----\n`;
}

/** forge writes `\r\n`; everything this folder hands out uses `\n`. */
export function withUnixNewlines(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/**
 * The blocks of `text` whose type is one of `accepted`. Throws PEM_WRONG_TYPE naming both
 * the expected and the found types when there is none.
 */
export function blocksOfType(text: string, accepted: readonly string[], what: string): PemBlock[] {
  const blocks = splitPemBlocks(text);
  const matching = blocks.filter((block) => accepted.includes(block.type));
  if (matching.length > 0) return matching;
  const found = [...new Set(blocks.map((block) => block.type))];
  const noun = found.map((type) => BLOCK_NOUNS[type]).find((n) => n !== undefined);
  throw new RotationError(
    'PEM_WRONG_TYPE',
    `Expected a PEM ${accepted.map((t) => `"${t}"`).join(' or ')} block but found ${found.map((t) => `"${t}"`).join(', ')}; pass ${what}${noun === undefined ? '' : `, not ${noun}`}.`,
    { details: { expected: accepted.join(','), found: found.join(',') } },
  );
}

/** The first block of `text` whose type is one of `accepted` (see blocksOfType). */
export function firstBlockOfType(text: string, accepted: readonly string[], what: string): PemBlock {
  const [first] = blocksOfType(text, accepted, what);
  if (first === undefined) throw new Error('unreachable: blocksOfType returned no block');
  return first;
}

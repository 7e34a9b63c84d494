import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintsEqual, normalizeFingerprint, splitPemBlocks } from '../../../src/certificates';
import { assertRotationError } from './openssl-oracle';

// A syntactically valid block: the toolkit's PEM layer checks base64, not contents.
const BODY = 'MIIBszCCAVmgAwIBAgIUQe1tq6nZ'.padEnd(64, 'A') + '\n' + 'QUJDRA==';
const block = (type: string, body = BODY): string => `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----\n`;

describe('splitPemBlocks', () => {
  it('returns every block in order with its type, ignoring text around them', () => {
    const text = `subject=CN=leaf\n${block('CERTIFICATE')}Bag Attributes\n  friendlyName: x\n${block('PRIVATE KEY')}trailing words`;
    const blocks = splitPemBlocks(text);
    assert.deepEqual(
      blocks.map((b) => b.type),
      ['CERTIFICATE', 'PRIVATE KEY'],
    );
    assert.equal(blocks[0]?.pem, block('CERTIFICATE'));
  });

  it('normalizes CRLF line ends and re-wraps long base64 lines at 64 columns', () => {
    const oneLine = `-----BEGIN CERTIFICATE-----\r\n${BODY.replace('\n', '')}\r\n-----END CERTIFICATE-----\r\n`;
    const [only] = splitPemBlocks(oneLine);
    assert.equal(only?.pem, block('CERTIFICATE'));
    assert.ok(!only?.pem.includes('\r'));
  });

  const bad: { name: string; text: string; code: string; message: RegExp }[] = [
    { name: 'empty text', text: '', code: 'PEM_INVALID', message: /empty/ },
    { name: 'not PEM at all', text: 'hello, this is not a certificate', code: 'PEM_INVALID', message: /found none/ },
    { name: 'bare base64 without armour', text: BODY, code: 'PEM_INVALID', message: /BEGIN/ },
    { name: 'missing END line (truncated file)', text: block('CERTIFICATE').split('\n').slice(0, 2).join('\n'), code: 'PEM_INVALID', message: /no matching "-----END CERTIFICATE-----".*truncated/ },
    { name: 'base64 cut short inside the block', text: block('CERTIFICATE', BODY.slice(0, 61)), code: 'PEM_INVALID', message: /not hold valid base64.*61 characters, not a multiple of 4/ },
    { name: 'non-base64 characters', text: block('CERTIFICATE', 'not*base64!'), code: 'PEM_INVALID', message: /"CERTIFICATE".*not hold valid base64/ },
    { name: 'empty body', text: block('CERTIFICATE', ''), code: 'PEM_INVALID', message: /valid base64/ },
  ];
  for (const { name, text, code, message } of bad) {
    it(`rejects ${name} with ${code}`, () => {
      assertRotationError(() => splitPemBlocks(text), code, message);
    });
  }
});

describe('normalizeFingerprint', () => {
  const canonical = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
  const bare = canonical.replace(/:/g, '');
  const accepted: { name: string; input: string }[] = [
    { name: 'canonical form', input: canonical },
    { name: 'lower case with colons', input: canonical.toLowerCase() },
    { name: 'no colons', input: bare },
    { name: 'sha256: prefix', input: `sha256:${bare.toLowerCase()}` },
    { name: 'SHA256: prefix and colons', input: `SHA256:${canonical}` },
    { name: 'the line openssl x509 -fingerprint prints', input: `sha256 Fingerprint=${canonical}\n` },
    { name: 'surrounding spaces', input: `  ${bare}  ` },
  ];
  for (const { name, input } of accepted) {
    it(`accepts ${name}`, () => {
      assert.equal(normalizeFingerprint(input), canonical);
    });
  }

  const rejected: { name: string; input: string; message: RegExp }[] = [
    { name: 'empty', input: '', message: /found 0 characters/ },
    { name: 'garbage', input: 'not a fingerprint', message: /"not a fingerprint" is not a SHA-256 fingerprint.*non-hex/ },
    { name: 'SHA-1 length (20 bytes)', input: bare.slice(0, 40), message: /32 bytes of hex.*found 40 characters/ },
    { name: 'one digit too many', input: `${bare}0`, message: /found 65 characters/ },
    { name: 'non-hex digit', input: `${bare.slice(0, 63)}G`, message: /non-hex/ },
  ];
  for (const { name, input, message } of rejected) {
    it(`rejects ${name} with INVALID_INPUT`, () => {
      assertRotationError(() => normalizeFingerprint(input), 'INVALID_INPUT', message);
    });
  }
});

describe('fingerprintsEqual', () => {
  const a = '00'.repeat(31) + 'ff';
  it('compares fingerprints regardless of case, colons and prefix', () => {
    assert.equal(fingerprintsEqual(a, `SHA256:${a.toUpperCase().match(/.{2}/g)?.join(':') ?? ''}`), true);
    assert.equal(fingerprintsEqual(a, '00'.repeat(31) + 'fe'), false);
  });

  it('refuses to compare something that is not a fingerprint', () => {
    assertRotationError(() => fingerprintsEqual(a, 'abc'), 'INVALID_INPUT', /"abc"/);
  });
});

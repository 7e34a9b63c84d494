import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertKeyMatchesCertificate,
  assertValidAt,
  certificateFingerprint,
  createCsr,
  createSelfSignedCertificate,
  generateRsaKeyPair,
  parseCertificate,
  parseCertificateChain,
  publicKeyPemOf,
  spkiFingerprint,
  validityAt,
} from '../../../src/certificates';
import {
  DAY_MS,
  Workdir,
  assertRotationError,
  openssl,
  opensslCertFingerprint,
  opensslDate,
  opensslField,
  opensslResult,
  opensslSpkiFingerprint,
  opensslText,
  pemBody,
} from './openssl-oracle';

const NOT_BEFORE = new Date('2030-01-01T00:00:00Z');

describe('certificates: X.509 parsing and self-signed issuance, checked against openssl', () => {
  const work = new Workdir();
  let key: { privateKeyPem: string; publicKeyPem: string };
  let otherKey: { privateKeyPem: string; publicKeyPem: string };
  let opensslCertPem: string;
  let ours: string;

  before(async () => {
    [key, otherKey] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    openssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
      '-keyout', work.file('openssl.key'), '-out', work.file('openssl.pem'),
      '-subj', '/C=US/ST=California/O=Acme, Inc./CN=sf.example.com',
      '-days', '90',
      '-addext', 'subjectAltName=DNS:sf.example.com,IP:192.168.1.10',
    ]);
    opensslCertPem = work.read('openssl.pem');
    ours = createSelfSignedCertificate({
      privateKeyPem: key.privateKeyPem,
      subject: {
        commonName: 'Rotation Test',
        organization: 'Acme, Inc.',
        organizationalUnit: 'Integration',
        locality: 'Zürich',
        state: 'ZH',
        country: 'ch',
        email: 'ops@example.com',
      },
      validityDays: 365,
      notBefore: NOT_BEFORE,
      serialNumber: '0A:1B:2C',
      subjectAltNames: ['api.example.com', '10.1.2.3', 'www.example.com'],
    });
    work.write('ours.pem', ours);
    work.write('ours.key', key.privateKeyPem);
  });

  after(() => work.remove());

  describe('a certificate made by openssl req -x509', () => {
    it('parses with the subject, issuer, serial, dates and key size openssl reports', () => {
      const info = parseCertificate(opensslCertPem);
      const file = work.file('openssl.pem');
      assert.equal(info.subject, 'CN=sf.example.com,O=Acme\\, Inc.,ST=California,C=US');
      assert.equal(info.subject, opensslField(file, 'subject'));
      assert.equal(info.issuer, opensslField(file, 'issuer'));
      assert.equal(info.commonName, 'sf.example.com');
      assert.equal(info.serialNumber, opensslField(file, 'serial'));
      assert.equal(info.notBefore.getTime(), opensslDate(file, 'startdate').getTime());
      assert.equal(info.notAfter.getTime(), opensslDate(file, 'enddate').getTime());
      assert.equal(info.notAfter.getTime() - info.notBefore.getTime(), 90 * DAY_MS);
      assert.ok(Math.abs(info.notBefore.getTime() - Date.now()) < 5 * 60 * 1000, 'openssl starts the certificate now');
      assert.equal(info.keyAlgorithm, 'RSA');
      assert.equal(info.keySize, 2048);
      assert.deepEqual(info.subjectAltNames, ['sf.example.com', '192.168.1.10']);
      assert.equal(info.selfSigned, true);
      // openssl's default req config marks a -x509 certificate as a CA.
      assert.equal(info.isCa, /CA:TRUE/.test(opensslText(file)));
      assert.equal(info.isCa, true);
    });

    it('has the SHA-256 fingerprint openssl x509 -fingerprint prints', () => {
      const expected = opensslCertFingerprint(work.file('openssl.pem'));
      assert.match(expected, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.equal(certificateFingerprint(opensslCertPem), expected);
      assert.equal(parseCertificate(opensslCertPem).fingerprintSha256, expected);
    });

    it('has the SPKI fingerprint of openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256', () => {
      const expected = opensslSpkiFingerprint(work.file('openssl.pem'));
      assert.equal(spkiFingerprint(opensslCertPem), expected);
      assert.equal(parseCertificate(opensslCertPem).spkiFingerprintSha256, expected);
      assert.notEqual(expected, certificateFingerprint(opensslCertPem));
    });

    it('gives the same public key PEM as openssl x509 -pubkey, and that key gives the same SPKI fingerprint', () => {
      const expected = openssl(['x509', '-in', work.file('openssl.pem'), '-pubkey', '-noout']);
      assert.equal(publicKeyPemOf(opensslCertPem), expected);
      assert.equal(parseCertificate(opensslCertPem).publicKeyPem, expected);
      assert.equal(spkiFingerprint(expected), spkiFingerprint(opensslCertPem));
    });

    it('matches the private key openssl generated with it', () => {
      assert.doesNotThrow(() => assertKeyMatchesCertificate(opensslCertPem, work.read('openssl.key')));
    });
  });

  describe('createSelfSignedCertificate', () => {
    it('writes the subject (UTF-8, escaped comma), SANs and SHA-256 signature openssl reads back', () => {
      const file = work.file('ours.pem');
      const expectedSubject = 'CN=Rotation Test,emailAddress=ops@example.com,OU=Integration,O=Acme\\, Inc.,L=Zürich,ST=ZH,C=CH';
      assert.equal(opensslField(file, 'subject'), expectedSubject);
      const info = parseCertificate(ours);
      assert.equal(info.subject, expectedSubject);
      assert.equal(info.issuer, expectedSubject);
      const text = opensslText(file);
      assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
      assert.match(text, /DNS:api\.example\.com, IP Address:10\.1\.2\.3, DNS:www\.example\.com/);
      assert.match(text, /CA:FALSE/);
      assert.deepEqual(info.subjectAltNames, ['api.example.com', '10.1.2.3', 'www.example.com']);
      assert.equal(info.isCa, false);
      assert.equal(info.selfSigned, true);
    });

    it('uses the given serial and validity window to the second', () => {
      const file = work.file('ours.pem');
      assert.equal(opensslField(file, 'serial'), '0A1B2C');
      assert.equal(parseCertificate(ours).serialNumber, '0A1B2C');
      assert.equal(opensslDate(file, 'startdate').toISOString(), '2030-01-01T00:00:00.000Z');
      assert.equal(opensslDate(file, 'enddate').toISOString(), new Date(NOT_BEFORE.getTime() + 365 * DAY_MS).toISOString());
    });

    it('keeps a serial with the top bit set positive', () => {
      const pem = createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'x' }, validityDays: 1, serialNumber: 'ff01' });
      work.write('serial.pem', pem);
      assert.equal(opensslField(work.file('serial.pem'), 'serial'), 'FF01');
      assert.equal(parseCertificate(pem).serialNumber, 'FF01');
    });

    it('draws a different random positive serial each time when none is given', () => {
      const serials = [1, 2, 3].map((i) => {
        const pem = createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: `s${i}` }, validityDays: 1 });
        work.write(`random-${i}.pem`, pem);
        const serial = opensslField(work.file(`random-${i}.pem`), 'serial');
        assert.equal(parseCertificate(pem).serialNumber, serial);
        return serial;
      });
      assert.equal(new Set(serials).size, 3);
      for (const serial of serials) assert.match(serial, /^[0-7][0-9A-F]{31}$/);
    });

    it('is signed by its own key: openssl verifies it as its own trust anchor, and the modulus is the key\'s', () => {
      const file = work.file('ours.pem');
      const attime = String(NOT_BEFORE.getTime() / 1000 + 3600);
      const result = opensslResult(['verify', '-attime', attime, '-CAfile', file, '-partial_chain', file]);
      assert.equal(result.status, 0, result.output);
      assert.match(result.output, /OK/);
      assert.equal(
        openssl(['x509', '-in', file, '-noout', '-modulus']),
        openssl(['rsa', '-in', work.file('ours.key'), '-noout', '-modulus']),
      );
    });

    it('makes a CA certificate when asked', () => {
      const pem = createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'Root' }, validityDays: 10, isCa: true });
      work.write('ca.pem', pem);
      const text = opensslText(work.file('ca.pem'));
      assert.match(text, /CA:TRUE/);
      assert.match(text, /Certificate Sign, CRL Sign/);
      assert.equal(parseCertificate(pem).isCa, true);
    });

    it('rejects a subject without a common name and a bad validity', () => {
      assertRotationError(() => createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: '  ' }, validityDays: 1 }), 'INVALID_INPUT', /commonName/);
      assertRotationError(() => createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'x' }, validityDays: 0 }), 'INVALID_INPUT', /validityDays.*got 0/);
      assertRotationError(() => createSelfSignedCertificate({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'x', country: 'USA' }, validityDays: 1 }), 'INVALID_INPUT', /"USA".*two-letter/);
    });
  });

  describe('parseCertificateChain', () => {
    it('returns every certificate of a bundle in order; parseCertificate takes the first', () => {
      const bundle = `${ours}\n${opensslCertPem}`;
      const chain = parseCertificateChain(bundle);
      assert.deepEqual(
        chain.map((info) => info.commonName),
        ['Rotation Test', 'sf.example.com'],
      );
      assert.equal(chain[1]?.fingerprintSha256, opensslCertFingerprint(work.file('openssl.pem')));
      assert.equal(parseCertificate(bundle).commonName, 'Rotation Test');
    });

    it('skips private keys mixed into the bundle', () => {
      const chain = parseCertificateChain(`${key.privateKeyPem}${ours}`);
      assert.equal(chain.length, 1);
    });
  });

  describe('validityAt (clock passed in)', () => {
    const notAfter = new Date(NOT_BEFORE.getTime() + 365 * DAY_MS);
    const cases: { name: string; at: Date; daysLeft: number; expired: boolean; notYetValid: boolean }[] = [
      { name: 'a second before it starts', at: new Date(NOT_BEFORE.getTime() - 1000), daysLeft: 365, expired: false, notYetValid: true },
      { name: 'the moment it starts', at: NOT_BEFORE, daysLeft: 365, expired: false, notYetValid: false },
      { name: 'half a day in', at: new Date(NOT_BEFORE.getTime() + DAY_MS / 2), daysLeft: 364, expired: false, notYetValid: false },
      { name: 'twelve hours before the end', at: new Date(notAfter.getTime() - DAY_MS / 2), daysLeft: 0, expired: false, notYetValid: false },
      { name: 'the last second', at: notAfter, daysLeft: 0, expired: false, notYetValid: false },
      { name: 'a second after the end', at: new Date(notAfter.getTime() + 1000), daysLeft: -1, expired: true, notYetValid: false },
      { name: 'ten days after the end', at: new Date(notAfter.getTime() + 10 * DAY_MS), daysLeft: -10, expired: true, notYetValid: false },
    ];
    for (const { name, at, daysLeft, expired, notYetValid } of cases) {
      it(name, () => {
        assert.deepEqual(validityAt(ours, at), { notBefore: NOT_BEFORE, notAfter, daysLeft, expired, notYetValid });
      });
    }
  });

  describe('assertValidAt', () => {
    it('passes inside the window', () => {
      assert.doesNotThrow(() => assertValidAt(ours, new Date('2030-06-01T00:00:00Z')));
    });

    it('throws CERT_EXPIRED naming the end date for a certificate openssl also calls expired', () => {
      const expired = createSelfSignedCertificate({
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: 'Old Cert' },
        validityDays: 30,
        notBefore: new Date('2020-01-01T00:00:00Z'),
      });
      work.write('expired.pem', expired);
      const checkend = opensslResult(['x509', '-in', work.file('expired.pem'), '-noout', '-checkend', '0']);
      assert.equal(checkend.status, 1);
      assert.match(checkend.output, /will expire/);
      assertRotationError(() => assertValidAt(expired, new Date()), 'CERT_EXPIRED', /"CN=Old Cert" expired on 2020-01-31T00:00:00\.000Z/);
    });

    it('throws CERT_NOT_YET_VALID naming the start date', () => {
      assertRotationError(() => assertValidAt(ours, new Date('2029-12-31T00:00:00Z')), 'CERT_NOT_YET_VALID', /not valid until 2030-01-01T00:00:00\.000Z/);
    });
  });

  describe('assertKeyMatchesCertificate', () => {
    it('accepts the certificate\'s own key', () => {
      assert.doesNotThrow(() => assertKeyMatchesCertificate(ours, key.privateKeyPem));
    });

    it('throws KEY_MISMATCH naming both SPKI fingerprints, never the key', () => {
      const error = assertRotationError(
        () => assertKeyMatchesCertificate(ours, otherKey.privateKeyPem),
        'KEY_MISMATCH',
        /does not belong to the certificate "CN=Rotation Test/,
        new RegExp(spkiFingerprint(ours)),
        new RegExp(spkiFingerprint(otherKey.publicKeyPem)),
      );
      assert.ok(!error.message.includes(pemBody(otherKey.privateKeyPem).slice(0, 40)));
      assert.ok(!JSON.stringify(error.details).includes(pemBody(otherKey.privateKeyPem).slice(0, 40)));
    });
  });

  describe('bad input', () => {
    it('an EC certificate is UNSUPPORTED_KEY, named as EC', () => {
      openssl([
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', work.file('ec.key'), '-out', work.file('ec.pem'), '-subj', '/CN=ec', '-days', '1',
      ]);
      const ec = work.read('ec.pem');
      assertRotationError(() => parseCertificate(ec), 'UNSUPPORTED_KEY', /EC key.*RSA keys only/);
      assertRotationError(() => certificateFingerprint(ec), 'UNSUPPORTED_KEY', /EC/);
      assertRotationError(() => createCsr({ privateKeyPem: work.read('ec.key'), subject: { commonName: 'x' } }), 'UNSUPPORTED_KEY', /EC/);
    });

    it('a CSR where a certificate is expected is PEM_WRONG_TYPE naming both block types', () => {
      const csr = createCsr({ privateKeyPem: key.privateKeyPem, subject: { commonName: 'csr' } });
      assertRotationError(
        () => parseCertificate(csr),
        'PEM_WRONG_TYPE',
        /Expected a PEM "CERTIFICATE" block but found "CERTIFICATE REQUEST"; pass the signed certificate, not the CSR\./,
      );
    });

    it('a private key where a certificate is expected is PEM_WRONG_TYPE without echoing the key', () => {
      const error = assertRotationError(() => certificateFingerprint(key.privateKeyPem), 'PEM_WRONG_TYPE', /found "PRIVATE KEY"/, /not a private key/);
      assert.ok(!error.message.includes(pemBody(key.privateKeyPem).slice(0, 40)));
    });

    it('valid base64 that is not a certificate is CERT_PARSE_FAILED', () => {
      const garbage = `-----BEGIN CERTIFICATE-----\n${Buffer.from('definitely not DER, just text').toString('base64')}\n-----END CERTIFICATE-----\n`;
      assertRotationError(() => parseCertificate(garbage), 'CERT_PARSE_FAILED', /not a valid X\.509 certificate/);
    });

    it('a certificate cut short at a 4-character boundary is CERT_PARSE_FAILED', () => {
      const body = pemBody(ours);
      const cut = `-----BEGIN CERTIFICATE-----\n${body.slice(0, 400)}\n-----END CERTIFICATE-----\n`;
      assertRotationError(() => parseCertificate(cut), 'CERT_PARSE_FAILED', /Certificate 1/);
    });

    it('a certificate with truncated base64 is PEM_INVALID', () => {
      const body = pemBody(ours);
      const cut = `-----BEGIN CERTIFICATE-----\n${body.slice(0, 401)}\n-----END CERTIFICATE-----\n`;
      assertRotationError(() => parseCertificate(cut), 'PEM_INVALID', /not hold valid base64/);
    });
  });
});

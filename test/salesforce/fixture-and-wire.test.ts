/**
 * Pure pieces: fixture validation, Unique Name rules and escaping, the sandbox's SOQL
 * subset and the Apex result markers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { RESULT_END, RESULT_START, extractResult, signingSnippet } from '../../src/salesforce/apex-snippets';
import { redact } from '../../src/salesforce/errors';
import { apexString, isValidUniqueName, soqlString, uniqueNameProblem } from '../../src/salesforce/names-and-escaping';
import { backoffDelayMs } from '../../src/salesforce/retry-policy';
import { createSandboxOrg, parseFixture } from '../../src/sandbox/salesforce';
import { parseSoql } from '../../src/sandbox/salesforce/soql';
import { loadDemoFixture } from './support';

describe('sandbox fixture validation', () => {
  it('accepts the bundled demo fixture', async () => {
    const fixture = parseFixture(await loadDemoFixture());
    assert.equal(fixture.certificates.length, 2);
  });

  const broken = async (mutate: (f: Record<string, unknown>) => void) => {
    const fixture = await loadDemoFixture();
    mutate(fixture);
    try {
      parseFixture(fixture);
    } catch (err) {
      assert.ok(isRotationError(err, 'CONFIG_INVALID'));
      return err;
    }
    assert.fail('the fixture was accepted');
  };

  it('names the bad field', async () => {
    const badOwner = await broken((f) => {
      const settings = f.customSettings as { records: { setupOwnerId: string }[] }[];
      const record = settings[0]?.records[1];
      if (record) record.setupOwnerId = '00e999999999999AAA';
    });
    assert.equal(badOwner.details.field, 'customSettings[0].records[1].setupOwnerId');
    assert.match(badOwner.message, /customSettings\[0\]\.records\[1\]\.setupOwnerId/);

    const badKeySize = await broken((f) => {
      (f.certificates as { keySize: number }[])[1]!.keySize = 1024;
    });
    assert.equal(badKeySize.details.field, 'certificates[1].keySize');

    const badName = await broken((f) => {
      (f.certificates as { uniqueName: string }[])[0]!.uniqueName = 'Vendor__Signing';
    });
    assert.equal(badName.details.field, 'certificates[0].uniqueName');

    const missingCert = await broken((f) => {
      (f.namedCredentials as { certificate: string }[])[0]!.certificate = 'Gone';
    });
    assert.equal(missingCert.details.field, 'namedCredentials[0].certificate');
  });

  it('fails the sandbox start on a bad fixture file, and saves state that loads again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certrot-fixture-'));
    try {
      await assert.rejects(createSandboxOrg({ fixture: join(dir, 'missing.json') }).start(), (err: unknown) => isRotationError(err, 'CONFIG_INVALID'));
      const fixture = await loadDemoFixture();
      fixture.connectedApps = [];
      const running = await createSandboxOrg({ fixture }).start();
      const saved = join(dir, 'saved.json');
      await running.save(saved);
      await running.close();
      const reloaded = parseFixture(JSON.parse(await readFile(saved, 'utf8')));
      assert.equal(reloaded.certificates.length, 2);
      assert.ok(reloaded.certificates.every((c) => c.privateKeyPem && c.certificatePem), 'keys kept so the org signs the same after a reload');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Unique Names and escaping', () => {
  it('applies the developer-name rules', () => {
    for (const good of ['Vendor_Signing', 'a', 'A1_b2', 'x'.repeat(80)]) assert.equal(isValidUniqueName(good), true, good);
    for (const bad of ['', '1abc', '_abc', 'a__b', 'abc_', 'Vendor Signing', 'x'.repeat(81), "a'b"]) assert.equal(isValidUniqueName(bad), false, bad);
    assert.match(uniqueNameProblem('a__b') ?? '', /two underscores/);
  });

  it('escapes quotes, backslashes and newlines in SOQL and Apex strings', () => {
    assert.equal(soqlString("O'Brien\\x"), "'O\\'Brien\\\\x'");
    assert.equal(apexString("a'\n"), "'a\\'\\n'");
    const parsed = parseSoql(`SELECT Id FROM X__c WHERE Name = ${soqlString("it's \\ fine")}`);
    assert.deepEqual(parsed.where[0]?.values, ["it's \\ fine"]);
  });

  it('puts nothing unescaped into the signing snippet', () => {
    const snippet = signingSnippet('Vendor_Signing', "x'); System.debug('pwned");
    assert.match(snippet, /Blob\.valueOf\('x\\'\); System\.debug\(\\'pwned'\)/);
  });
});

describe('sandbox SOQL subset', () => {
  it('parses SELECT ... FROM ... WHERE ... IN ... AND ... ORDER BY ... LIMIT', () => {
    const q = parseSoql("select Id, Name from csam__Opts__c where Name in ('a', 'b') and Flag__c = true order by Name desc limit 5");
    assert.deepEqual(q, {
      fields: ['Id', 'Name'],
      object: 'csam__Opts__c',
      where: [
        { field: 'Name', op: 'IN', values: ['a', 'b'] },
        { field: 'Flag__c', op: '=', values: [true] },
      ],
      orderBy: { field: 'Name', descending: true },
      limit: 5,
    });
    assert.throws(() => parseSoql('SELECT Id FROM X WHERE Name LIKE \'a%\''), /unsupported operator/);
  });
});

describe('Apex results, redaction and backoff', () => {
  it('finds the framed result whatever prefix Salesforce adds', () => {
    assert.equal(extractResult(`CertrotResult: ${RESULT_START}QUJD${RESULT_END}`), 'QUJD');
    assert.equal(extractResult('System.NullPointerException: boom'), null);
    assert.equal(extractResult(null), null);
  });

  it('redacts tokens and private keys from messages', () => {
    const text = 'Bearer 00D000000000001!abcDEF123 and -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- access_token=xyz';
    const out = redact(text);
    assert.doesNotMatch(out, /abcDEF123|MIIE|xyz/);
  });

  it('draws full-jitter delays below the capped exponential ceiling', () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelayMs(policy, 0, () => 0.999), 99);
    assert.equal(backoffDelayMs(policy, 3, () => 0.5), 400);
    assert.equal(backoffDelayMs(policy, 10, () => 0.999), 999);
    assert.equal(backoffDelayMs(policy, 2, () => 0), 0);
  });
});

/**
 * The sandbox org compiles Apex as Apex does, not certrot's exact text: any whitespace and
 * line breaks, comments, keywords and names in any case; only single-quoted strings.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { verifyRsaSha256 } from '../../src/certificates';
import { calloutSnippet, extractResult, signingSnippet } from '../../src/salesforce/apex-snippets';
import { rawConnection } from './raw-connection';
import { startDemoOrg, type DemoOrg } from './support';

interface Answer {
  compiled: boolean;
  success: boolean;
  compileProblem: string | null;
  exceptionMessage: string | null;
  line: number;
}

describe('sandbox org: anonymous Apex however it is formatted', () => {
  let demo: DemoOrg;
  let raw: Connection;
  let vendorCert = '';
  let server: Server;
  let url = '';

  before(async () => {
    demo = await startDemoOrg();
    raw = await rawConnection(demo);
    vendorCert = (await demo.adapter().getCertificate('Vendor_Signing')).certificatePem ?? '';
    server = createServer((req, res) => res.end(`hi ${req.url ?? ''}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await demo?.close();
  });

  const run = async (body: string): Promise<Answer> => raw.tooling.executeAnonymous(body);

  const signingVariants: Record<string, string> = {
    'as certrot sends it': signingSnippet('Vendor_Signing', 'nonce 1'),
    'on one line': signingSnippet('Vendor_Signing', 'nonce 1').split('\n').join(' '),
    'spread over lines, indented, with comments': [
      '// prove the key',
      'class CertrotResult',
      '  extends Exception { }',
      '/* sign the nonce',
      '   with the certificate */',
      'Blob certrotSignature =',
      "    Crypto.signWithCertificate( 'RSA-SHA256' ,",
      "        Blob.valueOf( 'nonce 1' ) ,  // the nonce",
      "        'Vendor_Signing' ) ;",
      "throw new CertrotResult( 'CERTROT_RESULT[' + EncodingUtil.base64Encode( certrotSignature ) + ']CERTROT_RESULT' );",
    ].join('\r\n'),
    'in other letter case, signature inlined': [
      'CLASS certrotresult EXTENDS exception {}',
      "THROW NEW CertrotResult('CERTROT_RESULT[' + encodingutil.BASE64ENCODE(crypto.signwithcertificate('RSA-SHA256', blob.valueof('nonce 1'), 'Vendor_Signing')) + ']CERTROT_RESULT');",
    ].join('\n'),
  };

  for (const [name, body] of Object.entries(signingVariants)) {
    it(`signs: ${name}`, async () => {
      const answer = await run(body);
      assert.equal(answer.compiled, true, answer.compileProblem ?? '');
      const signature = extractResult(answer.exceptionMessage);
      assert.ok(signature, answer.exceptionMessage ?? 'no result');
      assert.equal(verifyRsaSha256(vendorCert, 'nonce 1', signature), true);
    });
  }

  it('a reformatted callout snippet runs too', async () => {
    const body = calloutSnippet('Vendor_Signing', url)
      .replace(/;\n/g, ';\n\n  /* next */ ')
      .replace(/\(\)/g, '( )')
      .replace("{ 'statusCode'", "{\n'statusCode'");
    const answer = await run(body);
    assert.equal(answer.compiled, true, answer.compileProblem ?? '');
    const result = JSON.parse(Buffer.from(extractResult(answer.exceptionMessage) ?? '', 'base64').toString('utf8')) as unknown;
    assert.deepEqual(result, { statusCode: 200, body: 'hi /x' });
  });

  it('does not compile what Apex would not', async () => {
    const doubleQuoted = signingSnippet('Vendor_Signing', 'n').replace("'RSA-SHA256'", '"RSA-SHA256"');
    const answer = await run(doubleQuoted);
    assert.equal(answer.compiled, false);
    assert.equal(answer.line, 2);
    for (const body of [
      'Blob b = Crypto.signWithCertificate(\'RSA-SHA256\', Blob.valueOf(\'n\'), \'Vendor_Signing\')', // no semicolon
      "String s = 'unterminated;",
      "throw new Undeclared('x');",
      "Blob b = 'text';",
      "Database.delete([SELECT Id FROM Account]);",
    ]) {
      const failed = await run(body);
      assert.equal(failed.compiled, false, body);
      assert.ok(failed.compileProblem, body);
    }
  });

  it('an exception still reports the line it was thrown on', async () => {
    const answer = await run("class R extends Exception {}\n\nBlob b = Crypto.signWithCertificate('RSA-SHA256', Blob.valueOf('n'), 'No_Such_Cert');");
    assert.equal(answer.compiled, true);
    assert.equal(answer.success, false);
    assert.match(answer.exceptionMessage ?? '', /Invalid certificate name: No_Such_Cert/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certificateLockId, rotationIdProblem, rotationWorkflowId } from '../../src/domain/rotation-id';

describe('rotationWorkflowId: one workflow id per certificate', () => {
  const cases: { name: string; org: string; certificate: string; expected: string }[] = [
    { name: 'as written in Setup', org: 'prod', certificate: 'Vendor_Signing', expected: 'rotate/prod/vendor_signing' },
    { name: 'in lower case', org: 'prod', certificate: 'vendor_signing', expected: 'rotate/prod/vendor_signing' },
    { name: 'with spaces around it', org: 'prod', certificate: ' Vendor_Signing ', expected: 'rotate/prod/vendor_signing' },
    { name: 'in upper case', org: 'prod', certificate: 'VENDOR_SIGNING', expected: 'rotate/prod/vendor_signing' },
    { name: 'the org alias in another case', org: 'PROD', certificate: 'Vendor_Signing', expected: 'rotate/prod/vendor_signing' },
    { name: 'the org alias with spaces', org: ' Prod\t', certificate: 'Vendor_Signing', expected: 'rotate/prod/vendor_signing' },
    { name: 'another org', org: 'uat', certificate: 'Vendor_Signing', expected: 'rotate/uat/vendor_signing' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(rotationWorkflowId(c.org, c.certificate), c.expected));
  }
});

describe('rotationIdProblem', () => {
  const cases: { name: string; workflowId: string; org: string; certificate: string; expected: null | RegExp }[] = [
    { name: 'the canonical id', workflowId: 'rotate/prod/vendor_signing', org: 'prod', certificate: 'Vendor_Signing', expected: null },
    { name: 'the canonical id, certificate named in another case', workflowId: 'rotate/prod/vendor_signing', org: 'Prod', certificate: 'VENDOR_SIGNING', expected: null },
    {
      name: 'an id with the Unique Name in its own case',
      workflowId: 'rotate/prod/Vendor_Signing',
      org: 'prod',
      certificate: 'Vendor_Signing',
      expected: /^this rotation runs as workflow id "rotate\/prod\/Vendor_Signing", but a rotation of Vendor_Signing in org prod must run as "rotate\/prod\/vendor_signing"/,
    },
    {
      name: 'an id the Temporal UI made up',
      workflowId: 'workflow-7f3a',
      org: 'prod',
      certificate: 'Vendor_Signing',
      expected: /must run as "rotate\/prod\/vendor_signing" .*start it again with that workflow id, or use `certrot rotate`/,
    },
    { name: 'the id of another org', workflowId: 'rotate/uat/vendor_signing', org: 'prod', certificate: 'Vendor_Signing', expected: /must run as "rotate\/prod\/vendor_signing"/ },
    { name: 'an id with trailing space', workflowId: 'rotate/prod/vendor_signing ', org: 'prod', certificate: 'Vendor_Signing', expected: /must run as "rotate\/prod\/vendor_signing"/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const problem = rotationIdProblem(c.workflowId, c.org, c.certificate);
      if (c.expected === null) assert.equal(problem, null);
      else assert.match(problem ?? '', c.expected);
    });
  }
});

describe('certificateLockId: one lock per Salesforce org id and certificate, whatever the alias', () => {
  const ORG_15 = '00D5g000004abcD';
  const ORG_18 = '00D5g000004abcDEAQ';
  const cases: { name: string; orgId: string; certificate: string; expected: string }[] = [
    { name: 'the 15-character org id', orgId: ORG_15, certificate: 'Vendor_Signing', expected: `certificate-lock/${ORG_15}/vendor_signing` },
    { name: 'the 18-character org id', orgId: ORG_18, certificate: 'Vendor_Signing', expected: `certificate-lock/${ORG_15}/vendor_signing` },
    { name: 'the org id with spaces and the name in upper case', orgId: ` ${ORG_18} `, certificate: ' VENDOR_SIGNING', expected: `certificate-lock/${ORG_15}/vendor_signing` },
    { name: 'another certificate', orgId: ORG_18, certificate: 'Other', expected: `certificate-lock/${ORG_15}/other` },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(certificateLockId(c.orgId, c.certificate), c.expected));
  }

  it('the 15- and 18-character forms collide; org ids differing in case do not (15-character ids are case-sensitive)', () => {
    assert.equal(certificateLockId(ORG_15, 'Vendor_Signing'), certificateLockId(ORG_18, 'vendor_signing'));
    assert.notEqual(certificateLockId(ORG_15, 'Vendor_Signing'), certificateLockId(ORG_15.toLowerCase(), 'Vendor_Signing'));
  });
});

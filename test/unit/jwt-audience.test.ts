import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRODUCTION_AUDIENCE, SANDBOX_AUDIENCE, isSandboxLoginUrl, jwtAudienceFor } from '../../src/salesforce/jwt-audience';

describe('jwtAudienceFor: the aud claim Salesforce expects', () => {
  const cases: { name: string; loginUrl: string; explicit?: string; want: string }[] = [
    { name: 'production login', loginUrl: 'https://login.salesforce.com', want: PRODUCTION_AUDIENCE },
    { name: 'production login with a trailing slash', loginUrl: 'https://login.salesforce.com/', want: PRODUCTION_AUDIENCE },
    { name: 'production My Domain', loginUrl: 'https://acme.my.salesforce.com', want: PRODUCTION_AUDIENCE },
    { name: 'production My Domain with a single hyphen', loginUrl: 'https://acme-corp.my.salesforce.com', want: PRODUCTION_AUDIENCE },
    { name: 'sandbox login', loginUrl: 'https://test.salesforce.com', want: SANDBOX_AUDIENCE },
    { name: 'sandbox login, upper case', loginUrl: 'HTTPS://TEST.SALESFORCE.COM/', want: SANDBOX_AUDIENCE },
    { name: 'enhanced sandbox My Domain', loginUrl: 'https://acme--uat.sandbox.my.salesforce.com', want: SANDBOX_AUDIENCE },
    { name: 'older sandbox My Domain', loginUrl: 'https://acme--uat.my.salesforce.com', want: SANDBOX_AUDIENCE },
    { name: 'older sandbox My Domain on its instance', loginUrl: 'https://acme--uat.cs42.my.salesforce.com', want: SANDBOX_AUDIENCE },
    { name: 'sandbox instance', loginUrl: 'https://cs42.salesforce.com', want: SANDBOX_AUDIENCE },
    { name: 'a local stand-in (the sandbox org)', loginUrl: 'http://127.0.0.1:41234', want: PRODUCTION_AUDIENCE },
    { name: 'a look-alike host is not Salesforce', loginUrl: 'https://test.salesforce.com.evil.example', want: PRODUCTION_AUDIENCE },
    { name: 'not a URL', loginUrl: 'not a url', want: PRODUCTION_AUDIENCE },
    { name: 'an explicit audience wins', loginUrl: 'https://test.salesforce.com', explicit: 'https://community.acme.example/', want: 'https://community.acme.example' },
    { name: 'an explicit login audience on a sandbox URL', loginUrl: 'https://acme--uat.sandbox.my.salesforce.com', explicit: PRODUCTION_AUDIENCE, want: PRODUCTION_AUDIENCE },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(jwtAudienceFor(c.loginUrl, c.explicit), c.want));
  }

  it('isSandboxLoginUrl agrees', () => {
    assert.equal(isSandboxLoginUrl('https://acme--dev.sandbox.my.salesforce.com'), true);
    assert.equal(isSandboxLoginUrl('https://acme.my.salesforce.com'), false);
  });
});

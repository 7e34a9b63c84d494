/**
 * Logging in to the org: JWT bearer (good, wrong key, expired, wrong audience, unknown
 * user), refresh token, and a given access token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { generateRsaKeyPair } from '../../src/certificates';
import { isRotationError } from '../../src/domain/errors';
import { signJwtAssertion } from '../../src/salesforce/auth';
import { toRotationError } from '../../src/salesforce/errors';
import { CONSUMER_KEY, INTEGRATION_USER, startDemoOrg, type DemoOrg } from './support';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('Salesforce auth against the sandbox org', () => {
  let demo: DemoOrg;
  let strangerKey = '';

  before(async () => {
    demo = await startDemoOrg();
    strangerKey = (await generateRsaKeyPair(2048)).privateKeyPem;
  });
  after(async () => {
    await demo?.close();
  });

  const tryAssertion = async (assertion: string) => {
    const conn = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
    return conn.authorize({ grant_type: JWT_GRANT, assertion });
  };

  it('logs in with a JWT signed by the key registered on the connected app', async () => {
    const conn = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
    const info = await conn.authorize({
      grant_type: JWT_GRANT,
      assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: demo.sandbox.url, privateKeyPem: demo.jwtKeyPem }),
    });
    assert.equal(info.organizationId, '00D000000000001EAA');
    assert.equal(info.id, '005000000000002AAA');
    assert.equal(conn.instanceUrl, demo.sandbox.url);
    const usage = await demo.adapter().apiUsage();
    assert.ok(usage.max > 0);
  });

  it('refuses a JWT signed with another key, as AUTH_FAILED without echoing the key', async () => {
    const org = demo.adapter({ auth: { kind: 'jwt', loginUrl: demo.sandbox.url, consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, privateKeyPem: strangerKey } });
    await assert.rejects(org.listCertificates(), (err: unknown) => {
      assert.ok(isRotationError(err, 'AUTH_FAILED'));
      assert.equal(err.retryable, false);
      assert.match(err.message, /invalid_grant/);
      assert.doesNotMatch(err.message + JSON.stringify(err.details), /PRIVATE KEY|eyJ/);
      return true;
    });
  });

  it('refuses an expired assertion', async () => {
    const expired = signJwtAssertion({
      consumerKey: CONSUMER_KEY,
      username: INTEGRATION_USER,
      audience: demo.sandbox.url,
      privateKeyPem: demo.jwtKeyPem,
      now: new Date(Date.now() - 10 * 60_000),
    });
    await assert.rejects(tryAssertion(expired), (err: unknown) => {
      assert.equal((err as Error).name, 'invalid_grant');
      assert.equal((err as Error).message, 'expired authorization code');
      assert.equal(toRotationError(err, 'logging in').code, 'AUTH_FAILED');
      return true;
    });
  });

  it('refuses a wrong audience, an unknown user and an unknown consumer key', async () => {
    const sign = (over: { consumerKey?: string; username?: string; audience?: string }) =>
      signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: demo.sandbox.url, privateKeyPem: demo.jwtKeyPem, ...over });
    await assert.rejects(tryAssertion(sign({ audience: 'https://evil.example' })), { name: 'invalid_grant', message: 'audience is invalid' });
    await assert.rejects(tryAssertion(sign({ username: 'nobody@certrot.demo' })), { name: 'invalid_grant' });
    await assert.rejects(tryAssertion(sign({ consumerKey: '3MVG9SomeOtherAppKey000000' })), { name: 'invalid_client_id' });
    // login.salesforce.com is an accepted audience, as for a real org behind My Domain
    await tryAssertion(sign({ audience: 'https://login.salesforce.com' }));
  });

  it('logs in with a refresh token and with a given access token', async () => {
    const viaRefresh = demo.adapter({
      auth: { kind: 'refresh-token', loginUrl: demo.sandbox.url, clientId: CONSUMER_KEY, clientSecret: 'certrot-demo-consumer-secret', refreshToken: '5Aep861certrotDemoRefreshToken0000000000' },
    });
    assert.ok((await viaRefresh.listCertificates()).length >= 2);

    const badSecret = demo.adapter({
      auth: { kind: 'refresh-token', loginUrl: demo.sandbox.url, clientId: CONSUMER_KEY, clientSecret: 'wrong-secret-000', refreshToken: '5Aep861certrotDemoRefreshToken0000000000' },
    });
    await assert.rejects(badSecret.apiUsage(), (err: unknown) => isRotationError(err, 'AUTH_FAILED'));

    const conn = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
    await conn.authorize({ grant_type: JWT_GRANT, assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: demo.sandbox.url, privateKeyPem: demo.jwtKeyPem }) });
    const viaToken = demo.adapter({ auth: { kind: 'access-token', instanceUrl: demo.sandbox.url, accessToken: conn.accessToken ?? '' } });
    assert.ok((await viaToken.apiUsage()).max > 0);

    const staleToken = demo.adapter({ auth: { kind: 'access-token', instanceUrl: demo.sandbox.url, accessToken: '00D000000000001!stale-token-value' } });
    await assert.rejects(staleToken.apiUsage(), (err: unknown) => {
      assert.ok(isRotationError(err, 'AUTH_FAILED'));
      assert.doesNotMatch(err.message, /stale-token-value/);
      return true;
    });
  });

  it('rejects an invalid auth configuration naming the key', () => {
    assert.throws(
      () => demo.adapter({ auth: { kind: 'jwt', loginUrl: demo.sandbox.url, consumerKey: CONSUMER_KEY, username: INTEGRATION_USER } }),
      (err: unknown) => isRotationError(err, 'CONFIG_INVALID') && err.details.key === 'privateKeyPem',
    );
    assert.throws(
      () => demo.adapter({ auth: { kind: 'jwt', loginUrl: 'not a url', consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, privateKeyPem: 'x' } }),
      (err: unknown) => isRotationError(err, 'CONFIG_INVALID') && err.details.key === 'loginUrl',
    );
  });
});

/**
 * Logging in to the org: JWT bearer (good, wrong key, expired, wrong audience, unknown
 * user), refresh token, and a given access token; the audience Salesforce expects
 * (login.salesforce.com, test.salesforce.com for a sandbox); and the login problems that
 * need a setting changed (JWT-based access tokens, pre-authorization) or time
 * (rate_limit_exceeded).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { generateRsaKeyPair } from '../../src/certificates';
import { isRotationError } from '../../src/domain/errors';
import { signJwtAssertion } from '../../src/salesforce/auth';
import { toRotationError } from '../../src/salesforce/errors';
import { CONSUMER_KEY, INTEGRATION_USER, loadDemoFixture, startDemoOrg, type DemoOrg } from './support';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const LOGIN = 'https://login.salesforce.com';
const TEST = 'https://test.salesforce.com';

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
      assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: LOGIN, privateKeyPem: demo.jwtKeyPem }),
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
      audience: LOGIN,
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
      signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: LOGIN, privateKeyPem: demo.jwtKeyPem, ...over });
    await assert.rejects(tryAssertion(sign({ audience: 'https://evil.example' })), { name: 'invalid_grant', message: 'audience is invalid' });
    await assert.rejects(tryAssertion(sign({ username: 'nobody@certrot.demo' })), { name: 'invalid_grant' });
    await assert.rejects(tryAssertion(sign({ consumerKey: '3MVG9SomeOtherAppKey000000' })), { name: 'invalid_client_id' });
    // login.salesforce.com is the audience of a production org, even behind My Domain
    await tryAssertion(sign({ audience: LOGIN }));
  });

  it('wants login.salesforce.com from a production org: neither its own URL nor test.salesforce.com', async () => {
    const sign = (audience: string) => signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience, privateKeyPem: demo.jwtKeyPem });
    await assert.rejects(tryAssertion(sign(demo.sandbox.url)), { name: 'invalid_grant', message: 'audience is invalid' });
    await assert.rejects(tryAssertion(sign(TEST)), { name: 'invalid_grant', message: 'audience is invalid' });
    // the adapter, logging in at the sandbox's own URL, sends login.salesforce.com
    assert.ok((await demo.adapter().apiUsage()).max > 0);
    // an explicit audience still wins (here: a wrong one)
    const explicit = demo.adapter({ auth: { kind: 'jwt', loginUrl: demo.sandbox.url, audience: TEST, consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, privateKeyPem: demo.jwtKeyPem } });
    await assert.rejects(explicit.apiUsage(), (err: unknown) => isRotationError(err, 'AUTH_FAILED') && /audience/.test(err.message));
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
    await conn.authorize({ grant_type: JWT_GRANT, assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username: INTEGRATION_USER, audience: LOGIN, privateKeyPem: demo.jwtKeyPem }) });
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

describe('Salesforce auth: login problems that need a setting changed, or time', () => {
  let demo: DemoOrg;
  /** A sandbox-type org whose app issues JWT-based access tokens and pre-authorizes by profile. */
  let strict: DemoOrg;

  before(async () => {
    demo = await startDemoOrg();
    const fixture = await loadDemoFixture();
    fixture.isSandbox = true;
    const [app] = fixture.connectedApps as Record<string, unknown>[];
    assert.ok(app);
    app.jwtBasedAccessTokens = true;
    app.adminApprovedUsersOnly = true;
    app.preAuthorizedProfileIds = ['00e000000000002AAA']; // Order Integration: the integration user's profile
    strict = await startDemoOrg({ fixture });
  });
  after(async () => {
    await demo?.close();
    await strict?.close();
  });

  const jwtAdapter = (org: DemoOrg, over: { username?: string; audience?: string } = {}) =>
    org.adapter({
      auth: { kind: 'jwt', loginUrl: org.sandbox.url, consumerKey: CONSUMER_KEY, username: over.username ?? INTEGRATION_USER, privateKeyPem: org.jwtKeyPem, ...(over.audience ? { audience: over.audience } : {}) },
    });

  it('a sandbox org wants test.salesforce.com as the audience', async () => {
    await assert.rejects(jwtAdapter(strict).apiUsage(), (err: unknown) => isRotationError(err, 'AUTH_FAILED') && /audience is invalid/.test(err.message));
    assert.ok((await jwtAdapter(strict, { audience: TEST }).apiUsage()).max > 0);
  });

  it('names the app setting to turn off when the app issues JWT-based access tokens (no SOAP, so no Metadata API)', async () => {
    const org = jwtAdapter(strict, { audience: TEST });
    assert.ok((await org.apiUsage()).max > 0, 'REST works with a JWT-based access token');
    await assert.rejects(org.listCertificates(), (err: unknown) => {
      assert.ok(isRotationError(err, 'AUTH_FAILED'));
      assert.equal(err.retryable, false);
      assert.match(err.message, /Issue JSON Web Token \(JWT\)-based access tokens for named users/);
      assert.match(err.message, /External Client App|connected app/);
      assert.doesNotMatch(err.message, /eyJ/);
      return true;
    });
  });

  it('explains pre-authorization when the user may not use the app (invalid_app_access)', async () => {
    await assert.rejects(jwtAdapter(strict, { username: 'admin@certrot.demo', audience: TEST }).apiUsage(), (err: unknown) => {
      assert.ok(isRotationError(err, 'AUTH_FAILED'));
      assert.equal(err.retryable, false);
      assert.match(err.message, /invalid_app_access/);
      assert.match(err.message, /Admin approved users are pre-authorized/);
      assert.match(err.message, /profile or a permission set/);
      assert.match(err.message, /admin@certrot\.demo/);
      return true;
    });
  });

  it('retries a rate-limited login (rate_limit_exceeded) with backoff', async () => {
    await demo.injectFaults([{ operation: 'oauth.token', kind: 'login-rate-limit', times: 2 }]);
    assert.ok((await jwtAdapter(demo).apiUsage()).max > 0);

    await demo.injectFaults([{ operation: 'oauth.token', kind: 'login-rate-limit', times: 10 }]);
    await assert.rejects(jwtAdapter(demo).apiUsage(), (err: unknown) => {
      assert.ok(isRotationError(err, 'API_LIMIT'));
      assert.equal(err.retryable, true);
      assert.match(err.message, /rate_limit_exceeded/);
      return true;
    });
    await fetch(`${demo.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  });
});

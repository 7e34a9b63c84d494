/**
 * A plain jsforce Connection to a demo sandbox org, logged in as another user: for tests
 * that talk to the sandbox directly (what Salesforce itself answers) or edit records behind
 * the adapter's back.
 */
import { Connection } from 'jsforce';
import { signJwtAssertion } from '../../src/salesforce/auth';
import { CONSUMER_KEY, type DemoOrg } from './support';

export async function rawConnection(demo: DemoOrg, username = 'admin@certrot.demo'): Promise<Connection> {
  const conn = new Connection({ loginUrl: demo.sandbox.url, version: '62.0' });
  await conn.authorize({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: signJwtAssertion({ consumerKey: CONSUMER_KEY, username, audience: 'https://login.salesforce.com', privateKeyPem: demo.jwtKeyPem }),
  });
  return conn;
}

/** The errorCode of what a jsforce call threw ('' when it did not throw one). */
export async function errorCodeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return '';
  } catch (err) {
    const named = err as { errorCode?: unknown; name?: unknown };
    return typeof named.errorCode === 'string' ? named.errorCode : typeof named.name === 'string' ? named.name : 'thrown';
  }
}

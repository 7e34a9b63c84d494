/**
 * Getting (and getting again) an access token for the org. Three ways in:
 *  - OAuth 2.0 JWT bearer (the server-to-server default): we sign the assertion ourselves
 *    with node:crypto, so the private key never leaves this process;
 *  - refresh token (client id/secret + refresh token);
 *  - a given access token + instance URL (no way to log in again).
 *
 * jsforce's own session refresh is deliberately not used: it retries a 401 without bound,
 * while certrot wants exactly one new login per call (see jsforce-org.ts).
 */
import { createSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Connection } from 'jsforce';
import { RotationError } from '../domain/errors';
import { jwtAudienceFor } from './jwt-audience';

export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';

/** Salesforce accepts assertions that expire within a few minutes; we ask for three. */
const ASSERTION_LIFETIME_SECONDS = 180;

export const salesforceAuthSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('jwt'),
    loginUrl: z.url().default(DEFAULT_LOGIN_URL),
    /**
     * The `aud` claim. Default: https://test.salesforce.com for a sandbox login URL, else
     * https://login.salesforce.com (also behind My Domain; see jwt-audience.ts). Set it
     * only for an Experience Cloud site login.
     */
    audience: z.url().optional(),
    consumerKey: z.string().min(1),
    username: z.string().min(1),
    privateKeyPem: z.string().min(1).optional(),
    privateKeyPath: z.string().min(1).optional(),
  }),
  z.object({
    kind: z.literal('refresh-token'),
    loginUrl: z.url().default(DEFAULT_LOGIN_URL),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1),
  }),
  z.object({
    kind: z.literal('access-token'),
    instanceUrl: z.url(),
    accessToken: z.string().min(1),
  }),
]);

export type SalesforceAuthConfig = z.input<typeof salesforceAuthSchema>;

/** Establishes a fresh session on `conn` (sets instanceUrl and accessToken). */
export type Authenticator = (conn: Connection) => Promise<void>;

export function createAuthenticator(config: SalesforceAuthConfig): Authenticator {
  const parsed = salesforceAuthSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.join('.') : '';
    throw new RotationError('CONFIG_INVALID', `Salesforce auth configuration is invalid at "${path || 'kind'}": ${issue?.message ?? 'unknown problem'}`, {
      details: { key: path },
    });
  }
  const auth = parsed.data;
  switch (auth.kind) {
    case 'jwt': {
      if (!auth.privateKeyPem && !auth.privateKeyPath) {
        throw new RotationError('CONFIG_INVALID', 'Salesforce JWT auth needs privateKeyPem or privateKeyPath', { details: { key: 'privateKeyPem' } });
      }
      return async (conn) => {
        const privateKeyPem = auth.privateKeyPem ?? (await readPrivateKey(auth.privateKeyPath ?? ''));
        const assertion = signJwtAssertion({
          consumerKey: auth.consumerKey,
          username: auth.username,
          audience: jwtAudienceFor(auth.loginUrl, auth.audience),
          privateKeyPem,
        });
        await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
      };
    }
    case 'refresh-token':
      return async (conn) => {
        // Sent as plain token-request params: giving jsforce the client id would switch on
        // its unbounded automatic refresh (see the note at the top).
        await conn.authorize({
          grant_type: 'refresh_token',
          refresh_token: auth.refreshToken,
          client_id: auth.clientId,
          ...(auth.clientSecret ? { client_secret: auth.clientSecret } : {}),
        });
      };
    case 'access-token': {
      let used = false;
      return (conn) => {
        if (used) {
          return Promise.reject(
            new RotationError('AUTH_FAILED', 'The configured Salesforce access token was rejected or expired; configure JWT or refresh-token auth so certrot can log in again.'),
          );
        }
        used = true;
        conn.instanceUrl = auth.instanceUrl.replace(/\/+$/, '');
        conn.accessToken = auth.accessToken;
        return Promise.resolve();
      };
    }
  }
}

/** Where the connection should send the token request (jsforce's loginUrl). */
export function loginUrlOf(config: SalesforceAuthConfig): string {
  return config.kind === 'access-token' ? config.instanceUrl : (config.loginUrl ?? DEFAULT_LOGIN_URL);
}

/** Who logs in, for messages: the JWT username (the other kinds do not say). */
export function loginUserOf(config: SalesforceAuthConfig): string | null {
  return config.kind === 'jwt' ? config.username : null;
}

async function readPrivateKey(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new RotationError('CONFIG_INVALID', `Cannot read the Salesforce JWT private key file ${path} (${reason})`, { details: { key: 'privateKeyPath' } });
  }
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** An RS256 JWT bearer assertion: iss = consumer key, sub = username, aud = login/test.salesforce.com (jwtAudienceFor). */
export function signJwtAssertion(input: {
  consumerKey: string;
  username: string;
  audience: string;
  privateKeyPem: string;
  now?: Date;
  lifetimeSeconds?: number;
}): string {
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      iss: input.consumerKey,
      sub: input.username,
      aud: input.audience.replace(/\/+$/, ''),
      exp: nowSeconds + (input.lifetimeSeconds ?? ASSERTION_LIFETIME_SECONDS),
    }),
  );
  let signature: Buffer;
  try {
    signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(input.privateKeyPem);
  } catch {
    // never echo the key text: only say what is wrong with it
    throw new RotationError('CONFIG_INVALID', 'The Salesforce JWT private key is not a usable RSA private key (PEM)', { details: { key: 'privateKeyPem' } });
  }
  return `${header}.${claims}.${base64url(signature)}`;
}

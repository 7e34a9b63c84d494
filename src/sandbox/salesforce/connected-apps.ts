/**
 * The sandbox org's connected apps: the consumer key and secret, the certificate JWT
 * bearer assertions are checked against, refresh tokens and who may log in. A fixture app
 * without a certificate gets a fresh JWT key pair at start (its private key is handed out
 * once, as a generated secret; under the test-speed switch `behaviour.shareFixtureKeyMaterial`
 * every such app of the process gets the same one). Written back to a fixture with its secrets; shown without.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import { createSelfSignedCertificate, generateRsaKeyPair } from '../../certificates';
import type { SandboxFixture } from './fixture-schema';

export interface SandboxConnectedApp {
  name: string;
  consumerKey: string;
  consumerSecret: string | null;
  certificatePem: string;
  refreshTokens: { token: string; username: string }[];
  /** "Issue JSON Web Token (JWT)-based access tokens for named users" is on. */
  jwtBasedAccessTokens: boolean;
  /** Permitted Users = "Admin approved users are pre-authorized": only these profiles may log in. */
  adminApprovedUsersOnly: boolean;
  preAuthorizedProfileIds: string[];
}

async function makeJwtKey(appName: string): Promise<{ privateKeyPem: string; certificatePem: string }> {
  const { privateKeyPem } = await generateRsaKeyPair(2048);
  return { privateKeyPem, certificatePem: createSelfSignedCertificate({ privateKeyPem, subject: { commonName: `${appName} JWT` }, validityDays: 365 }) };
}

/** The process-wide JWT key pair of `behaviour.shareFixtureKeyMaterial` (a test-speed switch): made once, by the first app asking. */
let sharedJwtKey: Promise<{ privateKeyPem: string; certificatePem: string }> | undefined;

function sharedJwtKeyFor(appName: string): Promise<{ privateKeyPem: string; certificatePem: string }> {
  if (!sharedJwtKey) {
    sharedJwtKey = makeJwtKey(appName);
    sharedJwtKey.catch(() => (sharedJwtKey = undefined));
  }
  return sharedJwtKey;
}

/**
 * The fixture's connected apps, in order; `generatedKeys` gets consumer key -> private key PEM
 * of each key pair made here (`shareKeyMaterial`: the one the whole process shares).
 */
export async function connectedAppsFromFixture(
  apps: SandboxFixture['connectedApps'],
  generatedKeys: Map<string, string>,
  options: { shareKeyMaterial?: boolean } = {},
): Promise<SandboxConnectedApp[]> {
  const made: SandboxConnectedApp[] = [];
  for (const app of apps) {
    let certificatePem = app.certificatePem;
    if (!certificatePem) {
      const generated = await (options.shareKeyMaterial ? sharedJwtKeyFor(app.name) : makeJwtKey(app.name));
      certificatePem = generated.certificatePem;
      generatedKeys.set(app.consumerKey, generated.privateKeyPem);
    }
    made.push({
      name: app.name,
      consumerKey: app.consumerKey,
      consumerSecret: app.consumerSecret ?? null,
      certificatePem,
      refreshTokens: app.refreshTokens,
      jwtBasedAccessTokens: app.jwtBasedAccessTokens,
      adminApprovedUsersOnly: app.adminApprovedUsersOnly,
      preAuthorizedProfileIds: app.preAuthorizedProfileIds,
    });
  }
  return made;
}

/** Back to a fixture entry (consumer secret and refresh tokens included: the org's own storage). */
export function connectedAppToFixture(a: SandboxConnectedApp) {
  return {
    name: a.name,
    consumerKey: a.consumerKey,
    ...(a.consumerSecret ? { consumerSecret: a.consumerSecret } : {}),
    certificatePem: a.certificatePem,
    refreshTokens: a.refreshTokens,
    jwtBasedAccessTokens: a.jwtBasedAccessTokens,
    adminApprovedUsersOnly: a.adminApprovedUsersOnly,
    preAuthorizedProfileIds: a.preAuthorizedProfileIds,
  };
}

/** What `/__sandbox/state` shows of a connected app: no consumer secret, no refresh token. */
export function connectedAppView(a: SandboxConnectedApp) {
  return { name: a.name, consumerKey: a.consumerKey, certificatePem: a.certificatePem };
}

/** The public key registered on a connected app, for checking JWT signatures. */
export function connectedAppKey(app: SandboxConnectedApp) {
  return createPublicKey(new X509Certificate(app.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
}

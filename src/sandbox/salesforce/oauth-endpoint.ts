/**
 * `/services/oauth2/token` as Salesforce answers it for the two server-side grants certrot
 * uses: JWT bearer (the assertion's RS256 signature is checked against the certificate
 * registered on the connected app, then iss, sub, aud and exp) and refresh_token.
 * Errors are OAuth-shaped: HTTP 400 `{ error, error_description }`.
 *
 * As Salesforce does: the audience must be https://login.salesforce.com, or
 * https://test.salesforce.com for a sandbox org (fixture `isSandbox`) — never the URL the
 * request went to; an app with "Admin approved users are pre-authorized" lets in only
 * the profiles it is assigned to (`invalid_app_access`); and an app issuing JWT-based
 * access tokens hands out JWTs instead of opaque tokens.
 */
import { createHmac, randomBytes, verify } from 'node:crypto';
import { connectedAppKey, newAccessToken, type OrgState, type SandboxConnectedApp, type SandboxUser } from './org-state';
import { jsonReply, oauthError, type Reply } from './replies';
import type { SessionStore } from './sessions';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const LOGIN_AUDIENCE = 'https://login.salesforce.com';
const SANDBOX_AUDIENCE = 'https://test.salesforce.com';
/** Salesforce wants short-lived assertions; allow a few minutes plus clock skew. */
const MAX_ASSERTION_LIFETIME_S = 5 * 60;

export interface TokenContext {
  state: OrgState;
  sessions: SessionStore;
  /** The sandbox's own base URL: instance URL and identity URL (not an accepted audience). */
  url: string;
}

function parseSegment(segment: string | undefined): unknown {
  if (!segment) return null;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** A JWT-shaped access token, as an app with "Issue JSON Web Token (JWT)-based access tokens" hands out. */
function jwtAccessToken(ctx: TokenContext, user: SandboxUser): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const nowSeconds = Math.floor(Date.now() / 1000);
  const body = `${part({ alg: 'HS256', typ: 'JWT', kid: 'sandbox' })}.${part({ iss: ctx.url, sub: user.id, org: ctx.state.orgId, exp: nowSeconds + 7200, jti: randomBytes(12).toString('hex') })}`;
  return `${body}.${createHmac('sha256', randomBytes(32)).update(body).digest('base64url')}`;
}

function issueToken(ctx: TokenContext, user: SandboxUser, app: SandboxConnectedApp): Reply {
  const accessToken = app.jwtBasedAccessTokens ? jwtAccessToken(ctx, user) : newAccessToken(ctx.state);
  ctx.sessions.add(accessToken, user.id);
  return jsonReply(200, {
    access_token: accessToken,
    scope: 'api',
    instance_url: ctx.url,
    // jsforce reads the org and user ids from the last two segments of this URL
    id: `${ctx.url}/id/${ctx.state.orgId}/${user.id}`,
    token_type: 'Bearer',
    issued_at: String(Date.now()),
  });
}

function jwtBearer(params: URLSearchParams, ctx: TokenContext): Reply {
  const assertion = params.get('assertion') ?? '';
  const [headerPart, claimsPart, signaturePart] = assertion.split('.');
  const header = parseSegment(headerPart);
  const claims = parseSegment(claimsPart);
  if (!header || !claims || !signaturePart) return oauthError(400, 'invalid_grant', 'invalid assertion');
  if (field(header, 'alg') !== 'RS256') return oauthError(400, 'invalid_grant', 'invalid assertion: alg must be RS256');

  const app = ctx.state.connectedApps.find((a) => a.consumerKey === field(claims, 'iss'));
  if (!app) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
  const signed = Buffer.from(`${headerPart}.${claimsPart}`, 'utf8');
  if (!verify('sha256', signed, connectedAppKey(app), Buffer.from(signaturePart, 'base64url'))) {
    return oauthError(400, 'invalid_grant', 'invalid assertion: signature does not match the certificate registered on the connected app');
  }
  const aud = field(claims, 'aud');
  const audience = typeof aud === 'string' ? aud.replace(/\/+$/, '') : '';
  if (audience !== (ctx.state.isSandbox ? SANDBOX_AUDIENCE : LOGIN_AUDIENCE)) return oauthError(400, 'invalid_grant', 'audience is invalid');
  const exp = field(claims, 'exp');
  const nowSeconds = Date.now() / 1000;
  if (typeof exp !== 'number' || exp <= nowSeconds) return oauthError(400, 'invalid_grant', 'expired authorization code');
  if (exp > nowSeconds + MAX_ASSERTION_LIFETIME_S) return oauthError(400, 'invalid_grant', 'assertion expiry is too far in the future');
  const sub = field(claims, 'sub');
  const username = typeof sub === 'string' ? sub.toLowerCase() : '';
  const user = ctx.state.users.find((u) => u.username.toLowerCase() === username);
  if (!user) return oauthError(400, 'invalid_grant', 'user hasn\'t approved this consumer');
  if (!user.active) return oauthError(400, 'invalid_grant', 'inactive user');
  if (app.adminApprovedUsersOnly && !app.preAuthorizedProfileIds.some((id) => id.slice(0, 15) === user.profileId.slice(0, 15))) {
    return oauthError(400, 'invalid_app_access', 'user is not admin approved to access this app');
  }
  return issueToken(ctx, user, app);
}

function refreshToken(params: URLSearchParams, ctx: TokenContext): Reply {
  const app = ctx.state.connectedApps.find((a) => a.consumerKey === params.get('client_id'));
  if (!app) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
  if (app.consumerSecret !== null && app.consumerSecret !== params.get('client_secret')) {
    return oauthError(400, 'invalid_client', 'invalid client credentials');
  }
  const grant = app.refreshTokens.find((t) => t.token === params.get('refresh_token'));
  const user = grant ? ctx.state.users.find((u) => u.username.toLowerCase() === grant.username.toLowerCase()) : undefined;
  if (!user?.active) return oauthError(400, 'invalid_grant', 'expired access/refresh token');
  return issueToken(ctx, user, app);
}

export function handleTokenRequest(body: string, ctx: TokenContext): Reply {
  const params = new URLSearchParams(body);
  switch (params.get('grant_type')) {
    case JWT_BEARER:
      return jwtBearer(params, ctx);
    case 'refresh_token':
      return refreshToken(params, ctx);
    default:
      return oauthError(400, 'unsupported_grant_type', 'grant type not supported');
  }
}

/**
 * Turns what jsforce throws (REST errors named by their errorCode, SOAP faults named
 * `sf:CODE`, OAuth errors named `invalid_grant`, node-fetch network errors) and failed
 * Metadata results into RotationErrors with a stable code and a message that says what to
 * do. The raw error is never attached as `cause`: it travels into workflow history, and a
 * transport error can carry URLs or bodies we would rather not copy there.
 */
import { RotationError, type ErrorCode } from '../domain/errors';

/** How the adapter's call loop should react to a failure. */
export type FailureKind = 'session-expired' | 'retryable' | 'final';

export interface SalesforceFailure {
  kind: FailureKind;
  /** The errorCode / fault code / OAuth error / network code, without the `sf:` prefix. */
  salesforceCode: string;
  message: string;
  httpStatus: number | null;
  /** The request never got an HTTP answer (connection refused, reset, DNS, timeout). */
  network: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

const SERVER_BUSY_CODES = new Set(['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'SERVICE_UNAVAILABLE']);

/**
 * jsforce (lib/soap.js) refuses to send any SOAP request — so any Metadata API call — when
 * the access token is a JWT, with this message; the request never leaves the process.
 */
const JWT_TOKEN_REFUSED = /SOAP API does not support JWT-based access tokens/i;
/** Our code for that refusal (it has no Salesforce error code of its own). */
export const JWT_BASED_ACCESS_TOKEN = 'JWT_BASED_ACCESS_TOKEN';

/** The app setting that makes Salesforce issue JWT-based access tokens (leave it off). */
export const JWT_TOKEN_SETTING = 'Issue JSON Web Token (JWT)-based access tokens for named users';

const OAUTH_ERRORS = new Set([
  'invalid_app_access',
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'invalid_request',
  'unsupported_grant_type',
  'inactive_user',
  'inactive_org',
  'unauthorized_client',
]);

function stringProp(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prop = (value as Record<string, unknown>)[key];
  return typeof prop === 'string' ? prop : undefined;
}

/** Reads a thrown value into the facts the call loop and the mapping need. */
export function describeFailure(err: unknown): SalesforceFailure {
  if (err instanceof RotationError) {
    return {
      kind: err.retryable ? 'retryable' : 'final',
      salesforceCode: err.code,
      message: err.message,
      httpStatus: null,
      network: err.code === 'NETWORK_ERROR',
    };
  }
  const rawName = stringProp(err, 'errorCode') ?? stringProp(err, 'name') ?? 'Error';
  const name = rawName.replace(/^[A-Za-z]+:/, ''); // SOAP faults keep their `sf:` prefix
  const message = stringProp(err, 'message') ?? String(err);
  const networkCode = stringProp(err, 'code');
  const httpMatch = /^ERROR_HTTP_(\d{3})$/.exec(name);
  const httpStatus = httpMatch?.[1] !== undefined ? Number(httpMatch[1]) : null;

  if (name === 'INVALID_SESSION_ID') {
    return { kind: 'session-expired', salesforceCode: name, message, httpStatus: 401, network: false };
  }
  if (name === 'REQUEST_LIMIT_EXCEEDED') return { kind: 'retryable', salesforceCode: name, message, httpStatus, network: false };
  // the token endpoint's own limit (logins per user per hour): passes with time
  if (name === 'rate_limit_exceeded') return { kind: 'retryable', salesforceCode: name, message, httpStatus, network: false };
  if (JWT_TOKEN_REFUSED.test(message)) return { kind: 'final', salesforceCode: JWT_BASED_ACCESS_TOKEN, message, httpStatus: null, network: false };
  if (SERVER_BUSY_CODES.has(name) || (httpStatus !== null && httpStatus >= 500)) {
    return { kind: 'retryable', salesforceCode: name, message, httpStatus, network: false };
  }
  if (rawName === 'FetchError' || (networkCode !== undefined && NETWORK_CODES.has(networkCode))) {
    return { kind: 'retryable', salesforceCode: networkCode ?? 'FetchError', message, httpStatus: null, network: true };
  }
  return { kind: 'final', salesforceCode: name, message, httpStatus, network: false };
}

/** Removes anything that looks like a credential from text headed for an error message. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]')
    .replace(/(Bearer\s+)[^\s"']+/gi, '$1[redacted]')
    .replace(/((?:access_token|refresh_token|assertion|client_secret|sessionId)["'=:>\s]+)[^\s"'&<]+/gi, '$1[redacted]')
    .replace(/\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+/g, '[redacted session]');
}

/**
 * Maps a failure from one port operation to a RotationError. `operation` names what was
 * being done ("reading certificate Vendor_Signing") so the message reads as a sentence.
 */
export function toRotationError(err: unknown, operation: string, secrets: readonly string[] = []): RotationError {
  if (err instanceof RotationError) return err;
  const failure = describeFailure(err);
  const said = redact(failure.message, secrets);
  const details = { operation, salesforceCode: failure.salesforceCode };
  const make = (code: ErrorCode, message: string, retryable?: boolean): RotationError =>
    new RotationError(code, message, retryable === undefined ? { details } : { details, retryable });

  switch (failure.salesforceCode) {
    case 'INVALID_SESSION_ID':
      return make('AUTH_FAILED', `Salesforce rejected the session while ${operation} even after logging in again: ${said}. Check the integration user and connected app.`);
    case 'REQUEST_LIMIT_EXCEEDED':
      return make('API_LIMIT', `Salesforce API limit reached while ${operation}: ${said}. Wait for the daily/concurrent limit to recover, then retry.`);
    case 'INSUFFICIENT_ACCESS':
    case 'INSUFFICIENT_ACCESS_OR_READONLY':
    case 'API_DISABLED_FOR_ORG':
    case 'API_CURRENTLY_DISABLED':
      return make('AUTH_FAILED', `The integration user may not do this (${operation}): ${said}. Give it "API Enabled", "Author Apex" and "Customize Application"/"Manage Certificates".`);
    case 'INVALID_TYPE':
    case 'INVALID_FIELD':
      return make('CONFIG_INVALID', `Salesforce does not know an object or field used while ${operation}: ${said}. Check the reference targets in the configuration.`);
    case 'MALFORMED_QUERY':
      return make('SALESFORCE_ERROR', `Salesforce rejected a query while ${operation}: ${said}.`);
    case JWT_BASED_ACCESS_TOKEN:
      return make(
        'AUTH_FAILED',
        `Salesforce issued a JWT-based access token, and jsforce sends no SOAP (Metadata API) request with one, so certrot cannot manage certificates or named credentials (while ${operation}). ` +
          `Turn off "${JWT_TOKEN_SETTING}" in the OAuth settings of the External Client App (or connected app) certrot logs in with; certrot logs in again on its next call.`,
        false,
      );
    case 'rate_limit_exceeded':
      return make(
        'API_LIMIT',
        `Salesforce is refusing logins for now (rate_limit_exceeded: ${said}) while ${operation}; certrot retried with backoff. Salesforce limits logins per user per hour: ` +
          'wait, and check what else logs in as the integration user (Setup > Login History).',
        true,
      );
    default:
      break;
  }
  if (OAUTH_ERRORS.has(failure.salesforceCode)) {
    return make('AUTH_FAILED', `Salesforce login failed (${failure.salesforceCode}: ${said}) while ${operation}. ${loginAdvice(failure.salesforceCode, said)}`, false);
  }
  if (failure.kind === 'retryable') {
    if (failure.network) {
      return make('NETWORK_ERROR', `Could not reach Salesforce while ${operation}: ${said}. Check the network and the instance URL.`);
    }
    return make('SALESFORCE_ERROR', `Salesforce was unavailable while ${operation} (${failure.salesforceCode}): ${said}. Retry later.`, true);
  }
  return make('SALESFORCE_ERROR', `Salesforce refused ${operation} (${failure.salesforceCode}): ${said}.`);
}

const PRE_AUTHORIZATION =
  'The app\'s "Permitted Users" policy is "Admin approved users are pre-authorized": assign the External Client App (or connected app) to the integration user\'s profile or a permission set ' +
  '(Setup > the app > Manage / Policies > Profiles or Permission Sets).';

/** What to check for an OAuth error, by what Salesforce said. */
function loginAdvice(code: string, said: string): string {
  if (code === 'invalid_app_access') return `The user may not use this app. ${PRE_AUTHORIZATION}`;
  if (/audience/i.test(said)) {
    return 'The JWT audience must be https://login.salesforce.com for a production org and https://test.salesforce.com for a sandbox: set loginUrl to the org\'s login or My Domain URL (or set audience).';
  }
  if (/approve/i.test(said)) return `The user has not approved the app. ${PRE_AUTHORIZATION}`;
  return 'Check the consumer key, the username, the certificate registered on the External Client App (or connected app) for JWT bearer, and that the user is pre-authorized.';
}

/** One entry of a Metadata API SaveResult/DeleteResult `errors` list. */
export interface MetadataResultError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** Metadata create/update/delete report failures as data (`success: false`), not faults. */
export class MetadataOperationFailed extends Error {
  override readonly name = 'MetadataOperationFailed';
  constructor(
    readonly fullName: string,
    readonly errors: MetadataResultError[],
  ) {
    super(errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') || 'the Metadata API reported success: false');
  }

  hasStatus(...codes: string[]): boolean {
    return this.errors.some((e) => codes.includes(e.statusCode));
  }

  mentions(pattern: RegExp): boolean {
    return this.errors.some((e) => pattern.test(e.message) || pattern.test(e.statusCode));
  }
}

export function labelGivenError(label: string, uniqueName: string): RotationError {
  return new RotationError(
    'LABEL_NOT_UNIQUE_NAME',
    `"${label}" is the label of certificate ${uniqueName}; references and inputs must use the Unique Name`,
    { details: { label, uniqueName } },
  );
}

export function certificateNotFound(uniqueName: string): RotationError {
  return new RotationError(
    'CERT_NOT_FOUND',
    `No certificate with Unique Name ${uniqueName} exists in the org (Setup > Certificate and Key Management). A sandbox refresh deletes certificates made in the sandbox.`,
    { details: { uniqueName } },
  );
}

/**
 * The `aud` claim of a JWT bearer assertion. Salesforce's OAuth 2.0 JWT Bearer Flow wants
 * `https://login.salesforce.com` for a production org and `https://test.salesforce.com` for
 * a sandbox, even when the token request itself goes to My Domain (an Experience Cloud
 * site wants its own URL: give that as an explicit `audience`). A wrong one is answered
 * `invalid_grant` "audience is invalid".
 *
 * Whether some orgs also accept their My Domain URL as the audience is unconfirmed
 * (sfdx-core's newer code tries My Domain first, then falls back); login/test is always
 * accepted, so that is what we send. Pure: no I/O.
 */

export const PRODUCTION_AUDIENCE = 'https://login.salesforce.com';
export const SANDBOX_AUDIENCE = 'https://test.salesforce.com';

/**
 * Hosts that mean a sandbox org: test.salesforce.com; enhanced sandbox My Domains
 * (`<domain>--<sandbox>.sandbox.my.salesforce.com`); and the older sandbox My Domains and
 * instances (`<domain>--<sandbox>.my.salesforce.com`, `<domain>--<sandbox>.csNN.my.salesforce.com`,
 * `csNN.salesforce.com`). A production My Domain cannot contain `--`: Salesforce keeps the
 * double hyphen for sandbox names.
 */
const SANDBOX_HOSTS: readonly RegExp[] = [
  /^test\.salesforce\.com$/,
  /\.sandbox\.my\.salesforce\.com$/,
  /^[a-z0-9-]+--[a-z0-9-]+\.(?:cs\d+\.)?my\.salesforce\.com$/,
  /^cs\d+\.(?:my\.)?salesforce\.com$/,
];

/** Whether a login URL belongs to a sandbox org. Anything that is not a URL is not. */
export function isSandboxLoginUrl(loginUrl: string): boolean {
  let host: string;
  try {
    host = new URL(loginUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return SANDBOX_HOSTS.some((pattern) => pattern.test(host));
}

/**
 * The audience to sign: an explicit one as given (without a trailing slash); otherwise
 * test.salesforce.com for a sandbox login URL and login.salesforce.com for any other
 * (production, a production My Domain, or a local stand-in such as the sandbox org).
 */
export function jwtAudienceFor(loginUrl: string, explicit?: string): string {
  if (explicit !== undefined && explicit.trim() !== '') return explicit.replace(/\/+$/, '');
  return isSandboxLoginUrl(loginUrl) ? SANDBOX_AUDIENCE : PRODUCTION_AUDIENCE;
}

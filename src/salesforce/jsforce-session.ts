/**
 * The call machinery under the jsforce adapter: one jsforce Connection, its login, and
 * `call()`, through which every Salesforce call goes:
 *
 *  - before each call (and each retry) it stops with CANCELLED if the activity's signal
 *    has aborted, so a cancelled activity makes no further changes;
 *  - exponential backoff with full jitter on REQUEST_LIMIT_EXCEEDED, 5xx and network errors
 *    (an abortable wait) — for the login too, where Salesforce's `rate_limit_exceeded` is
 *    retried the same way — and exactly one new login when the session is rejected;
 *  - a request that misses its deadline (deadline-transport.ts) is not retried here: it
 *    fails at once as a retryable NETWORK_ERROR naming the org and the operation, and
 *    Temporal's retry of the activity takes it from there.
 *
 * jsforce's own retry and session refresh are switched off so these are the only ones (its
 * retry would sleep 0.5–16 s per call; its refresh has no bound).
 */
import { Connection } from 'jsforce';
import { RotationError, isRotationError } from '../domain/errors';
import { currentSignal } from '../runtime/call-context';
import { createAuthenticator, loginUrlOf, loginUserOf, type Authenticator, type SalesforceAuthConfig } from './auth';
import { DEFAULT_REQUEST_TIMEOUT_MS, DeadlineTransport, RequestAborted, RequestDeadlineExceeded } from './deadline-transport';
import { JWT_BASED_ACCESS_TOKEN, describeFailure, toRotationError } from './errors';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, sleep, type RetryPolicy } from './retry-policy';
import { parseWire, soqlRowSchema } from './wire-records';

export const DEFAULT_API_VERSION = '62.0';

export interface JsforceOrgOptions {
  auth: SalesforceAuthConfig;
  /** Salesforce API version, e.g. '62.0' (jsforce would default to 50.0). */
  apiVersion?: string;
  retry?: Partial<RetryPolicy>;
  /** Total deadline of one HTTP request, body included (default 60 s). */
  requestTimeoutMs?: number;
  /** How messages name the org (its configured alias); default: the host it is reached at. */
  name?: string;
}

export class OrgSession {
  readonly conn: Connection;
  private readonly authenticate: Authenticator;
  private readonly retry: RetryPolicy;
  private readonly requestTimeoutMs: number;
  private readonly configuredName: string | undefined;
  private readonly loginUrl: string;
  private readonly loginOperation: string;
  /** Bumped on every login, so a call knows whether someone already logged in again. */
  private sessionGeneration = 0;
  private loggingIn: Promise<void> | null = null;

  constructor(options: JsforceOrgOptions) {
    const version = options.apiVersion ?? DEFAULT_API_VERSION;
    if (!/^\d{2,3}\.0$/.test(version)) {
      throw new RotationError('CONFIG_INVALID', `Salesforce API version "${version}" must look like "62.0"`, { details: { key: 'apiVersion' } });
    }
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!Number.isInteger(timeout) || timeout <= 0) {
      throw new RotationError('CONFIG_INVALID', `Salesforce requestTimeoutMs must be a positive whole number of milliseconds, not ${String(timeout)}`, {
        details: { key: 'requestTimeoutMs' },
      });
    }
    this.authenticate = createAuthenticator(options.auth);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.requestTimeoutMs = timeout;
    this.configuredName = options.name;
    this.loginUrl = loginUrlOf(options.auth);
    const user = loginUserOf(options.auth);
    this.loginOperation = user ? `logging in to Salesforce as ${user}` : 'logging in to Salesforce';
    this.conn = new Connection({ loginUrl: this.loginUrl, version });
    const transport = new DeadlineTransport(timeout);
    this.conn._transport = transport;
    this.conn.oauth2._transport = transport; // the token requests too
  }

  /** The org as messages name it. */
  get name(): string {
    if (this.configuredName) return this.configuredName;
    try {
      return new URL(this.conn.instanceUrl || this.loginUrl).host;
    } catch {
      return 'Salesforce';
    }
  }

  secrets(): string[] {
    return this.conn.accessToken ? [this.conn.accessToken] : [];
  }

  /** Runs one port operation (one or more requests) with the policy above. */
  async call<T>(operation: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    this.stopIfCancelled(operation);
    await this.ensureSession();
    return this.withRetry(operation, () => fn(this.conn), true);
  }

  /** Throws CANCELLED when the activity this call runs for has been cancelled. */
  stopIfCancelled(operation: string): void {
    if (currentSignal()?.aborted) throw this.cancelled(operation);
  }

  private cancelled(operation: string): RotationError {
    return new RotationError('CANCELLED', `The activity was cancelled while ${operation} in Salesforce org ${this.name}; it stopped before the next Salesforce call.`, {
      retryable: false,
      details: { operation, org: this.name },
    });
  }

  private deadlineMissed(err: RequestDeadlineExceeded, operation: string): RotationError {
    return new RotationError(
      'NETWORK_ERROR',
      `Salesforce org ${this.name} gave no complete answer within ${Math.round(err.deadlineMs / 100) / 10} s while ${operation} (${err.request}). ` +
        'The activity retries it; if it keeps happening check the org status and the network, or raise requestTimeoutMs.',
      { retryable: true, details: { operation, org: this.name, timeoutMs: this.requestTimeoutMs } },
    );
  }

  private async login(): Promise<void> {
    for (;;) {
      this.loggingIn ??= this.startLogin();
      try {
        await this.loggingIn;
        return;
      } catch (err) {
        // a login started for another activity that was cancelled: ours still goes on
        if (isRotationError(err, 'CANCELLED') && !currentSignal()?.aborted) continue;
        throw err;
      }
    }
  }

  private async startLogin(): Promise<void> {
    try {
      await this.withRetry(this.loginOperation, () => this.authenticate(this.conn), false);
      this.sessionGeneration += 1;
    } finally {
      this.loggingIn = null;
    }
  }

  private async ensureSession(): Promise<void> {
    if (this.loggingIn || !this.conn.accessToken) await this.login();
  }

  /** Runs `fn` with backoff on transient failures and, if `relogin`, one new login on a rejected session. */
  private async withRetry<T>(operation: string, fn: () => Promise<T>, relogin: boolean): Promise<T> {
    let loggedInAgain = false;
    let retries = 0;
    for (;;) {
      this.stopIfCancelled(operation);
      const generation = this.sessionGeneration;
      try {
        return await fn();
      } catch (err) {
        if (err instanceof RequestAborted || currentSignal()?.aborted) throw this.cancelled(operation);
        if (err instanceof RequestDeadlineExceeded) throw this.deadlineMissed(err, operation);
        const failure = describeFailure(err);
        if (relogin && failure.kind === 'session-expired' && !loggedInAgain) {
          loggedInAgain = true;
          // another call may have logged in meanwhile: then only the retry is needed
          if (this.sessionGeneration === generation) await this.login();
          continue;
        }
        // a JWT-based token is of no use for SOAP: drop it, so the next call logs in again
        // (after the app setting is turned off it gets an opaque one)
        if (failure.salesforceCode === JWT_BASED_ACCESS_TOKEN) this.conn.accessToken = '';
        if (failure.kind === 'retryable' && retries + 1 < this.retry.maxAttempts) {
          await sleep(backoffDelayMs(this.retry, retries), currentSignal());
          retries += 1;
          continue;
        }
        throw toRotationError(err, operation, this.secrets());
      }
    }
  }
}

/** Every row of a SOQL query (REST or Tooling), all pages. */
export async function queryRows(conn: Connection, soql: string, tooling = false): Promise<Record<string, unknown>[]> {
  const query = tooling ? conn.tooling.query(soql, { autoFetch: true, maxFetch: 100_000 }) : conn.query(soql, { autoFetch: true, maxFetch: 100_000 });
  const result: unknown = await query;
  const records = typeof result === 'object' && result !== null && 'records' in result ? result.records : undefined;
  return parseWire(soqlRowSchema.array(), records ?? [], 'a query');
}

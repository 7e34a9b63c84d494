/**
 * Access tokens the sandbox org has issued, each with its user and an expiry. An unknown,
 * expired or revoked token is what makes the APIs answer INVALID_SESSION_ID.
 */

export interface Session {
  userId: string;
  expiresAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  /** Every token ever issued, expired or not (for tests proving no token leaks anywhere). */
  private readonly everIssued: string[] = [];

  constructor(private readonly ttlMs: number) {}

  add(token: string, userId: string, now = Date.now()): void {
    this.sessions.set(token, { userId, expiresAt: now + this.ttlMs });
    this.everIssued.push(token);
  }

  /** Every access token issued so far, in order, including expired and revoked ones. */
  issued(): string[] {
    return [...this.everIssued];
  }

  check(token: string | undefined, now = Date.now()): Session | null {
    if (!token) return null;
    const session = this.sessions.get(token);
    if (!session || session.expiresAt <= now) return null;
    return session;
  }

  /** Ends one session now (the `session-expired` fault). */
  expire(token: string | undefined): void {
    if (token) this.sessions.delete(token);
  }
}

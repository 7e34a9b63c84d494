/**
 * The sandbox vendor's Idempotency-Key memory, with the contract's rules: the first
 * successful request with a key is applied once and its response kept; the same key with
 * the same request gets that response again; the same key with a different request is
 * refused. Failed requests are not kept (they changed nothing), so a client may retry them
 * with the same key, e.g. an activate refused with KEY_LIMIT after the old key is retired.
 */

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' };

interface Entry {
  request: string;
  response: StoredResponse;
  storedAt: number;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number = 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `request` identifies what was asked: method, path and canonical body. */
  lookup(key: string, request: string): IdempotencyLookup {
    const entry = this.entries.get(key);
    if (!entry) return { kind: 'new' };
    if (this.now() - entry.storedAt > this.ttlMs) {
      this.entries.delete(key);
      return { kind: 'new' };
    }
    return entry.request === request ? { kind: 'replay', response: entry.response } : { kind: 'mismatch' };
  }

  remember(key: string, request: string, response: StoredResponse): void {
    this.entries.set(key, { request, response, storedAt: this.now() });
  }

  get size(): number {
    return this.entries.size;
  }
}

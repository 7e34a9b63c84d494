/**
 * The sandbox vendor's memory: per org, its mode and its keys, with the rules of the
 * registry contract (api/vendor-key-registry.openapi.yaml). No I/O here; the HTTP server
 * turns a `RegistryRefusal` into `{ code, message }` with its status.
 *
 * Every method is synchronous on purpose: the server checks the idempotency store, applies
 * the change and records the response with no `await` in between, so two concurrent
 * requests cannot both apply.
 */
import { normalizeFingerprint, parseCertificate, spkiFingerprint, verifyRsaSha256 } from '../../certificates';
import type { KeyChangeResponse, RegistryErrorCode, WireKey } from '../../vendors/registry-wire';

export type OrgMode = 'single-key' | 'multi-key';

export class RegistryRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface StoredKey {
  fingerprint: string;
  state: 'staged' | 'active' | 'retired';
  certificatePem: string;
  stagedAt: string;
  activatedAt?: string;
  retiredAt?: string;
}

interface Org {
  mode: OrgMode;
  keys: StoredKey[];
}

/**
 * When a key became trusted or stopped being trusted (`GET /__sandbox/activations`):
 * `replacing` is the key retired in the same step (single-key replace), else null. Fixture
 * seeds are not activations and are not logged.
 */
export interface Activation {
  at: string;
  orgId: string;
  fingerprint: string;
  replacing: string | null;
  action: 'activated' | 'restored' | 'retired';
}

export interface OrgSnapshot {
  orgId: string;
  mode: OrgMode;
  keys: WireKey[];
}

const MIN_RSA_BITS = 2048;

export class SandboxKeyRegistry {
  private readonly orgs = new Map<string, Org>();
  private activationLog: Activation[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** Adds (or re-modes) an org; keeps its keys. */
  putOrg(orgId: string, mode: OrgMode): void {
    const existing = this.orgs.get(orgId);
    if (existing) existing.mode = mode;
    else this.orgs.set(orgId, { mode, keys: [] });
  }

  /** Loads a key in a given state without the API's transition rules (fixtures). */
  seedKey(orgId: string, certificatePem: string, state: StoredKey['state']): void {
    const org = this.org(orgId);
    const now = this.clock().toISOString();
    const fingerprint = spkiFingerprint(certificatePem);
    org.keys = org.keys.filter((k) => k.fingerprint !== fingerprint);
    org.keys.push({
      fingerprint,
      state,
      certificatePem,
      stagedAt: now,
      ...(state !== 'staged' ? { activatedAt: now } : {}),
      ...(state === 'retired' ? { retiredAt: now } : {}),
    });
  }

  capabilities(orgId: string): { multipleActiveKeys: boolean; automated: boolean; approvalState: boolean; continuity: boolean } {
    return { multipleActiveKeys: this.org(orgId).mode === 'multi-key', automated: true, approvalState: true, continuity: true };
  }

  list(orgId: string): WireKey[] {
    return this.org(orgId).keys.map(toWire);
  }

  /** `created` is false when the key was already known (any state): nothing changed. */
  stage(orgId: string, certificatePem: unknown): { created: boolean; change: KeyChangeResponse } {
    const org = this.org(orgId);
    if (typeof certificatePem !== 'string' || certificatePem.trim() === '') {
      throw new RegistryRefusal(400, 'INVALID_REQUEST', 'Body field "certificatePem" (a PEM CERTIFICATE block) is required.');
    }
    const { fingerprint, pem } = this.acceptableCertificate(certificatePem);
    const known = org.keys.find((k) => k.fingerprint === fingerprint);
    if (known) return { created: false, change: { key: toWire(known), retired: [] } };
    const key: StoredKey = { fingerprint, state: 'staged', certificatePem: pem, stagedAt: this.clock().toISOString() };
    org.keys.push(key);
    return { created: true, change: { key: toWire(key), retired: [] } };
  }

  activate(orgId: string, fingerprint: string, replace: boolean): KeyChangeResponse {
    const key = this.key(orgId, fingerprint);
    if (key.state === 'active') return { key: toWire(key), retired: [] };
    if (key.state === 'retired') {
      throw new RegistryRefusal(409, 'KEY_STATE_CONFLICT', `Key ${key.fingerprint} is retired; restore it instead of activating it.`);
    }
    return this.makeActive(orgId, key, replace, 'activated');
  }

  restore(orgId: string, fingerprint: string, replace: boolean): KeyChangeResponse {
    const key = this.key(orgId, fingerprint);
    if (key.state === 'active') return { key: toWire(key), retired: [] };
    if (key.state === 'staged') {
      throw new RegistryRefusal(409, 'KEY_STATE_CONFLICT', `Key ${key.fingerprint} was never active; activate it instead of restoring it.`);
    }
    return this.makeActive(orgId, key, replace, 'restored');
  }

  retire(orgId: string, fingerprint: string): KeyChangeResponse {
    const key = this.key(orgId, fingerprint);
    if (key.state !== 'retired') {
      key.state = 'retired';
      key.retiredAt = this.clock().toISOString();
      this.activationLog.push({ at: key.retiredAt, orgId, fingerprint: key.fingerprint, replacing: null, action: 'retired' });
    }
    return { key: toWire(key), retired: [] };
  }

  verify(orgId: string, nonce: unknown, signature: unknown): { valid: boolean; matchedFingerprint: string | null } {
    const org = this.org(orgId);
    if (typeof nonce !== 'string' || typeof signature !== 'string') {
      throw new RegistryRefusal(400, 'INVALID_REQUEST', 'Body fields "nonce" and "signature" (base64) are required strings.');
    }
    for (const key of org.keys) {
      if (key.state !== 'active') continue;
      let valid = false;
      try {
        valid = verifyRsaSha256(key.certificatePem, nonce, signature);
      } catch {
        valid = false; // malformed signature: simply not valid
      }
      if (valid) return { valid: true, matchedFingerprint: key.fingerprint };
    }
    return { valid: false, matchedFingerprint: null };
  }

  /** The org whose active key has this SPKI fingerprint, if any (two-way TLS trust). */
  activeOwnerOf(fingerprint: string): string | undefined {
    for (const [orgId, org] of this.orgs) {
      if (org.keys.some((k) => k.state === 'active' && k.fingerprint === fingerprint)) return orgId;
    }
    return undefined;
  }

  /** Every activation, restore and retirement so far, oldest first (copies). */
  activations(): Activation[] {
    return this.activationLog.map((a) => ({ ...a }));
  }

  clearActivations(): void {
    this.activationLog = [];
  }

  snapshot(): OrgSnapshot[] {
    return [...this.orgs].map(([orgId, org]) => ({ orgId, mode: org.mode, keys: org.keys.map(toWire) }));
  }

  private makeActive(orgId: string, key: StoredKey, replace: boolean, action: 'activated' | 'restored'): KeyChangeResponse {
    const org = this.org(orgId);
    const others = org.keys.filter((k) => k.state === 'active' && k !== key);
    if (org.mode === 'single-key' && others.length > 0 && !replace) {
      throw new RegistryRefusal(
        409,
        'KEY_LIMIT',
        `Org "${orgId}" holds one active key (${others.map((k) => k.fingerprint).join(', ')}); retire it first or send "replace": true.`,
      );
    }
    const now = this.clock().toISOString();
    const retired: string[] = [];
    // Single-key replace: the old key goes in the same synchronous step, so no request ever
    // sees two active keys or none.
    if (org.mode === 'single-key') {
      for (const other of others) {
        other.state = 'retired';
        other.retiredAt = now;
        retired.push(other.fingerprint);
      }
    }
    key.state = 'active';
    key.activatedAt = now;
    delete key.retiredAt;
    this.activationLog.push({ at: now, orgId, fingerprint: key.fingerprint, replacing: retired[0] ?? null, action });
    return { key: toWire(key), retired };
  }

  private acceptableCertificate(certificatePem: string): { fingerprint: string; pem: string } {
    let info: ReturnType<typeof parseCertificate>;
    try {
      info = parseCertificate(certificatePem);
    } catch (error) {
      throw new RegistryRefusal(422, 'KEY_REJECTED', `Not a usable certificate: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (info.notAfter.getTime() <= this.clock().getTime()) {
      throw new RegistryRefusal(422, 'KEY_REJECTED', `The certificate expired on ${info.notAfter.toISOString()}.`);
    }
    if (info.keySize < MIN_RSA_BITS) {
      throw new RegistryRefusal(422, 'KEY_REJECTED', `The certificate's key has ${info.keySize} bits; at least ${MIN_RSA_BITS} are required.`);
    }
    return { fingerprint: info.spkiFingerprintSha256, pem: certificatePem.trim() + '\n' };
  }

  private org(orgId: string): Org {
    const org = this.orgs.get(orgId);
    if (!org) throw new RegistryRefusal(404, 'ORG_NOT_FOUND', `No org "${orgId}" at this vendor.`);
    return org;
  }

  private key(orgId: string, fingerprint: string): StoredKey {
    const org = this.org(orgId);
    let canonical: string;
    try {
      canonical = normalizeFingerprint(fingerprint);
    } catch {
      throw new RegistryRefusal(400, 'INVALID_REQUEST', `"${fingerprint}" is not a SHA-256 fingerprint (64 hex digits).`);
    }
    const key = org.keys.find((k) => k.fingerprint === canonical);
    if (!key) throw new RegistryRefusal(404, 'KEY_NOT_FOUND', `No key ${canonical} for org "${orgId}"; stage it first.`);
    return key;
  }
}

function toWire(key: StoredKey): WireKey {
  return {
    fingerprint: key.fingerprint,
    state: key.state,
    certificatePem: key.certificatePem,
    stagedAt: key.stagedAt,
    ...(key.activatedAt !== undefined ? { activatedAt: key.activatedAt } : {}),
    ...(key.retiredAt !== undefined ? { retiredAt: key.retiredAt } : {}),
  };
}

/**
 * The vendor port: what a rotation needs from the organisation on the other side of the
 * certificate. The vendor keeps a registry of public keys it trusts for each of our orgs;
 * a key moves staged -> active -> retired (and back to active when a rotation is undone).
 *
 * Everything here is plain data so it can cross the activity boundary and land in workflow
 * history. Fingerprints are SHA-256 over the SubjectPublicKeyInfo (the key, not the
 * certificate), in the certificate toolkit's canonical form: uppercase colon hex
 * `AB:CD:...`. The key is what the vendor binds to: a re-issued certificate for the same
 * key pair keeps its fingerprint.
 *
 * Two adapters implement it: `http-registry.ts` (a vendor with a key-registry API) and
 * `manual-vendor.ts` (a vendor with a mailbox and a provisioning team).
 */

export type VendorKeyState = 'staged' | 'active' | 'retired';

export interface VendorKey {
  /** SPKI SHA-256, canonical uppercase colon hex. */
  fingerprint: string;
  state: VendorKeyState;
  /** The public certificate, when the vendor keeps or returns it. */
  certificatePem?: string;
  /** ISO-8601 timestamps. */
  stagedAt: string;
  activatedAt?: string;
  retiredAt?: string;
}

export interface VendorCapabilities {
  /** Can the vendor trust two keys for one org at once (the `overlap` strategy)? */
  multipleActiveKeys: boolean;
  /** Is activation done by an API call (true) or by people confirming later (false)? */
  automated: boolean;
}

export interface SignatureVerification {
  valid: boolean;
  /** The active key that verified the signature, or null when none did. */
  matchedFingerprint: string | null;
}

/** A time range agreed (or proposed) for the switch; ISO-8601 timestamps. */
export interface ChangeWindow {
  start: string;
  end: string;
}

/**
 * Who is asking. `workflowId` scopes the idempotency of writes (a retried call of the same
 * rotation never applies twice, while a later rotation that deliberately repeats an
 * operation on the same key is a new request) and tells people which workflow to signal.
 */
export interface VendorCallContext {
  workflowId?: string;
}

export interface StageKeyOptions extends VendorCallContext {
  /** Shown to the provisioning team of a manual vendor. */
  proposedWindow?: ChangeWindow;
}

export interface ActivateKeyOptions extends VendorCallContext {
  /**
   * For a vendor that holds one key per org: activate this key and retire the active one
   * in the same step (the `simultaneous` strategy's vendor-side switch). Without it such a
   * vendor refuses a second active key with KEY_LIMIT.
   */
  replace?: boolean;
  window?: ChangeWindow;
}

export interface CancellationNotice extends VendorCallContext {
  fingerprint: string;
  /** Why the rotation was rolled back, in words an operator at the vendor understands. */
  reason: string;
}

export interface VendorKeyRegistry {
  capabilities(orgId: string): Promise<VendorCapabilities>;

  listKeys(orgId: string): Promise<VendorKey[]>;

  /** Share a public certificate without trusting it yet. Resolves to the SPKI fingerprint. */
  stageKey(orgId: string, certificatePem: string, options?: StageKeyOptions): Promise<string>;

  activateKey(orgId: string, fingerprint: string, options?: ActivateKeyOptions): Promise<void>;

  retireKey(orgId: string, fingerprint: string, options?: VendorCallContext): Promise<void>;

  /** Compensation: trust a retired key again. Takes `replace` for single-key vendors. */
  restoreKey(orgId: string, fingerprint: string, options?: ActivateKeyOptions): Promise<void>;

  /** Does an RSA-SHA256 signature over `nonce` verify against a key the vendor trusts? */
  verifySignature(orgId: string, nonce: string, signatureBase64: string): Promise<SignatureVerification>;

  /**
   * Manual vendors only: tell people the rotation was rolled back. (For an API vendor the
   * compensation of `stageKey` is `retireKey` on the staged key.)
   */
  sendCancellation?(orgId: string, notice: CancellationNotice): Promise<void>;

  /**
   * Manual vendors only: what the provisioning team confirmed, fed by the workflow, which
   * `listKeys` and `verifySignature` then answer from.
   */
  recordConfirmation?(orgId: string, fingerprint: string, state: VendorKeyState, certificatePem?: string): void;
}

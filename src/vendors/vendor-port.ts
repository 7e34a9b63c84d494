/**
 * The vendor ports: what a rotation needs from the organisation on the other side of the
 * certificate. There are two kinds, and a vendor is exactly one of them (configuration
 * says which; activities branch on `kind`, never on a class):
 *
 * - `KeyRegistry` (`http-registry.ts`): an API that keeps the public keys the vendor trusts
 *   for each of our orgs; a key moves staged -> active -> retired (and back to active when
 *   a rotation is undone). certrot can ask it what it trusts and have it verify signatures.
 * - `ProvisioningTeam` (`manual-vendor.ts`): people reached by email and/or webhook. certrot
 *   can only tell them things; what they did arrives later as their own confirmation (an
 *   update to the workflow). Nothing here pretends to know what the vendor trusts.
 *
 * Everything is plain data. Fingerprints are SHA-256 over the SubjectPublicKeyInfo, in the
 * canonical uppercase colon hex `AB:CD:...`. Every write carries the rotation's run (workflow
 * id and run id): it scopes idempotency, so a retry of one rotation never applies twice
 * while a later rotation repeating the same write is a new request.
 */
import type { ContinuityVerdict, RegistryApprovalState } from '../domain/approval-route';
import type { SignedContinuityStatement } from '../domain/continuity-statement';
import type { RotationRun } from '../domain/vendor';

export type { RotationRun, VendorCapabilities, VendorKind } from '../domain/vendor';

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

/** Who is asking: the rotation run (idempotency scope) — required on every write. */
export interface VendorCallContext {
  run: RotationRun;
}

export interface StageKeyOptions extends VendorCallContext {
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

export interface RegistryCapabilities {
  multipleActiveKeys: boolean;
  /** Serves GET .../keys/{fingerprint}/approval (registry approvals); absent = unknown, treat as no. */
  approvalState?: boolean;
  /** Accepts key continuity statements (POST .../keys/{fingerprint}:continuity). */
  continuity?: boolean;
}

export interface KeyRegistry {
  readonly kind: 'registry';
  /** The vendor's name, for errors ("vendor acme did not answer within 30 s"). */
  readonly name: string;
  capabilities(orgId: string): Promise<RegistryCapabilities>;
  listKeys(orgId: string): Promise<VendorKey[]>;
  /** Share a public certificate without trusting it yet. Resolves to the SPKI fingerprint. */
  stageKey(orgId: string, certificatePem: string, options: StageKeyOptions): Promise<string>;
  activateKey(orgId: string, fingerprint: string, options: ActivateKeyOptions): Promise<void>;
  retireKey(orgId: string, fingerprint: string, options: VendorCallContext): Promise<void>;
  /** Compensation: trust a retired key again. Takes `replace` for single-key vendors. */
  restoreKey(orgId: string, fingerprint: string, options: ActivateKeyOptions): Promise<void>;
  /** Does an RSA-SHA256 signature over `nonce` verify against a key the vendor trusts? */
  verifySignature(orgId: string, nonce: string, signatureBase64: string): Promise<SignatureVerification>;
  /**
   * What the vendor's provisioning side decided about a staged key ("installed and
   * approved for this window"). A vendor that does not know the key answers `pending` or
   * fails with KEY_NOT_FOUND (non-retryable), depending on the vendor.
   */
  approvalState(orgId: string, fingerprint: string): Promise<RegistryApprovalState>;
  /**
   * Sends a key continuity statement for the staged key `fingerprint`, signed by the old
   * and the new certificate; resolves to the vendor's verdict (a failed check is a verdict
   * with `verified: false`, not an error).
   */
  submitContinuity(orgId: string, fingerprint: string, signed: SignedContinuityStatement, options: VendorCallContext): Promise<ContinuityVerdict>;
}

/** What certrot tells a provisioning team; each kind is one notice (email and/or webhook). */
export type TeamNoticeKind = 'stage' | 'activate' | 'retire' | 'restore' | 'cancel' | 'window-missed';

export interface TeamNotice extends VendorCallContext {
  kind: TeamNoticeKind;
  orgId: string;
  /** The key the notice is about (SPKI SHA-256). */
  fingerprint: string;
  /** The public certificate; sent with `stage`. */
  certificatePem?: string;
  window?: ChangeWindow;
  /** activate/restore on a single-key vendor: the old key goes in the same step. */
  replace?: boolean;
  /** Why (cancel), or what happens next (window-missed). */
  reason?: string;
  /**
   * stage / window-missed: the rotation awaits the team's decision until `expiresAt`; with
   * the approval service configured, the notice carries a signed link for it.
   */
  approval?: {
    workflowId: string;
    expiresAt: string;
    /** Without a proposed `window`: how long the window lasts once approved (e.g. `2h`); shown to the team. */
    windowDuration?: string;
  };
}

export interface ProvisioningTeam {
  readonly kind: 'team';
  readonly name: string;
  /** Can the vendor's integration trust two keys at once (decides the strategy)? */
  readonly multipleActiveKeys: boolean;
  /**
   * Delivers the notice on every configured channel; a channel that already delivered this
   * notice is not repeated on retry. Resolves to the channels that have it (e.g. `email to
   * keys@vendor.example`), for the rotation's timeline.
   */
  notify(notice: TeamNotice): Promise<string[]>;
  /** Releases connections (SMTP pool) at shutdown. */
  close(): void;
}

export type Vendor = KeyRegistry | ProvisioningTeam;

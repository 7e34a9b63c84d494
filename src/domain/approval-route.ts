/**
 * How an approval reaches a rotation, and how the person or system behind it was
 * authenticated. One rotation request chooses a mode (`approval.mode`); a person can always
 * decide through the signed link or the CLI, whatever the mode:
 *
 * - `manual`: a person decides — through the approval service's signed link (`via: link`)
 *   or the CLI / Temporal UI (`via: update` / `signal`).
 * - `registry`: the vendor's key registry says "installed and approved for this window";
 *   certrot polls the registry's approval state for the new key (`via: registry`).
 * - `continuity`: certrot sends the vendor a rotation statement signed inside Salesforce
 *   with the old and the new certificate; a vendor with a standing approval for continuity
 *   rotations approves by policy (`via: continuity`, the statement kept in status).
 *
 * An automatic route whose proof fails never approves: the refusal is noted and the
 * rotation goes on waiting (for a person, or until the approval timeout).
 *
 * Workflow-safe: types and constants only.
 */
import type { RotationWindow } from './rotation';

export const APPROVAL_MODES = ['manual', 'registry', 'continuity'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** Where the recorded approval came from. */
export type ApprovalVia = 'update' | 'signal' | 'link' | 'registry' | 'continuity';

/** How the approver was authenticated, as recorded with the decision. */
export type ApprovalAuthentication =
  /** Through Temporal (CLI, UI): whoever can send the update; the approver's name is as claimed. */
  | { readonly method: 'temporal' }
  /**
   * The approval service's signed link: possession of the link sent to `sentTo`. `linkId`
   * names the link (not the token: it opens nothing); `proof` is the service's HMAC over
   * the decision, checked by the worker before the approval counts.
   */
  | { readonly method: 'signed-link'; readonly sentTo: string; readonly linkId: string; readonly proof: string }
  /** The vendor's key registry, called with the vendor's own credentials. */
  | { readonly method: 'vendor-api'; readonly vendor: string; readonly approvedBy: string | null }
  /** A continuity statement both certificates signed, verified by certrot and by the vendor. */
  | { readonly method: 'continuity'; readonly vendor: string; readonly policy: string | null };

/** The signed link's part of an `approve` / `reject` message (sent by the approval service). */
export interface LinkAuthentication {
  readonly linkId: string;
  readonly sentTo: string;
  readonly proof: string;
}

/** What a key registry says about a staged key (GET .../keys/{fingerprint}/approval). */
export type RegistryApprovalState =
  | { readonly state: 'pending' }
  | { readonly state: 'approved'; readonly fingerprint: string; readonly window: RotationWindow | null; readonly approvedBy: string | null; readonly at: string | null }
  | { readonly state: 'rejected'; readonly fingerprint: string; readonly reason: string; readonly rejectedBy: string | null };

/** The vendor's answer to a continuity statement (POST .../keys/{fingerprint}:continuity). */
export interface ContinuityVerdict {
  /** Both signatures verified against the key the vendor trusts today and the new key. */
  readonly verified: boolean;
  /** Why not, when not verified (the vendor's words; escaped before display). */
  readonly problem: string | null;
  /** `approved` only under a standing approval for continuity rotations in agreed windows. */
  readonly approval: 'approved' | 'pending';
  readonly window: RotationWindow | null;
  /** The vendor's name for the standing approval it applied. */
  readonly policy: string | null;
}

/** How often a `registry` rotation asks the registry for its approval state, by default. */
export const DEFAULT_REGISTRY_POLL = '1 minute';

/**
 * The vendor side in the rotation's vocabulary. A vendor is one of two kinds, chosen by
 * configuration: a key **registry** (an API certrot calls, which says which keys it trusts)
 * or a provisioning **team** (people reached by email/webhook, who act and then confirm).
 * Plain data, workflow-safe.
 */

export type VendorKind = 'registry' | 'team';

export interface VendorCapabilities {
  readonly kind: VendorKind;
  /** Can the vendor trust the old and the new key at the same time (the `overlap` strategy)? */
  readonly multipleActiveKeys: boolean;
}

/** A run of a rotation: scopes vendor idempotency keys, so a later rotation's writes are new requests. */
export interface RotationRun {
  readonly workflowId: string;
  readonly runId: string;
}

/**
 * The contract between the renewal sweep and its activities: plain data only, so the
 * workflow (which must not import activity code) and the worker agree on one definition.
 * `src/activities/inventory-activities.ts` implements it.
 */
import type { InventoryConfig } from '../inventory-config';
import type { ReferenceRecord, ReferenceTarget } from '../rotation';

export interface InventoryCertificate {
  readonly uniqueName: string;
  readonly label: string;
  readonly keySize: number;
  readonly caSigned: boolean;
  /** false: a CA-signed certificate still waiting for its chain. */
  readonly usable: boolean;
  /** ISO-8601; null while a CA-signed certificate has no chain. The certificate's notAfter where its content was read, else the listed day 00:00Z. */
  readonly expiresAt: string | null;
  /** ISO-8601, read from the certificate's content (every usable one); null for a CSR, or one gone since the listing (never derived). */
  readonly notBefore: string | null;
  readonly notBeforeSource: 'certificate' | null;
}

export interface InventoryReference {
  /** The certificate name searched for, or the value of a certificate field naming none (it may not exist: a dangling reference, see `absent`). */
  readonly certificate: string;
  readonly object: string;
  readonly field: string;
  readonly recordId: string;
  readonly scope: ReferenceRecord['scope'];
  readonly owner: string | null;
  readonly value: string;
  /** 'label': the record holds the certificate's label, not its Unique Name. */
  readonly matchedBy: 'unique-name' | 'label';
  /**
   * Set when the org has no live certificate of that name (a dangling reference): 'deleted'
   * — Salesforce still lists it as a deleted certificate; 'unknown-name' — it lists none of
   * that name at all (never created in this org, e.g. copied from production by a sandbox
   * refresh, or deleted long enough ago that it is no longer listed).
   */
  readonly absent?: 'deleted' | 'unknown-name';
}

export interface OrgInventory {
  readonly org: string;
  readonly takenAt: string;
  readonly certificates: readonly InventoryCertificate[];
  readonly references: readonly InventoryReference[];
  /** Names the integrations give exactly that the org does not have (after a sandbox refresh, say). */
  readonly missing: readonly string[];
  /** The fields searched: the integrations' targets, plus discovered ones. */
  readonly targets: readonly ReferenceTarget[];
}

export type DriftProblem = 'missing-certificate' | 'expired-certificate' | 'unusable-certificate' | 'label-not-unique-name' | 'inventory-failed';

export interface DriftFinding {
  readonly org: string;
  readonly problem: DriftProblem;
  /** The certificate the reference names (or the org's error, for inventory-failed). */
  readonly certificate: string;
  /** Absent for inventory-failed. */
  readonly reference?: Omit<InventoryReference, 'certificate'>;
  /** Words an operator can act on. */
  readonly detail: string;
}

export interface DriftAlertInput {
  readonly workflowId: string;
  readonly sweptAt: string;
  readonly findings: readonly DriftFinding[];
}

export interface DriftAlertResult {
  readonly sent: boolean;
  /** Where it went (described without secrets), or why it was not sent. */
  readonly detail: string;
}

export interface RunningRotation {
  readonly certificate: string;
  /** Its RotationPhase search attribute; null when Temporal has none for it. */
  readonly phase: string | null;
}

/** What the sweep itself needs of the inventory (#15): the org aliases, not their configuration. */
export interface InventoryOutline {
  /** Every org alias in the inventory, sorted. */
  readonly orgs: readonly string[];
  /** Policies that leave no room for a renewal (room.ts) at `at`, at most `maxWarnings` of them. */
  readonly warnings: readonly string[];
  /** Warnings past `maxWarnings`, only counted. */
  readonly warningsLeftOut: number;
}

export interface InventoryActivities {
  /** The whole configuration: read by sweeps started before 'renewal-sweep-bounded' (its size grows with the fleet). */
  loadInventory(): Promise<InventoryConfig>;
  inventoryOutline(input: { at: string; maxWarnings: number }): Promise<InventoryOutline>;
  /** The inventory configuration of one org only (`{ orgs: { [org]: … } }`; no orgs when the inventory lacks it). */
  orgConfig(input: { org: string }): Promise<InventoryConfig>;
  inventoryOrg(input: { org: string }): Promise<OrgInventory>;
  sendDriftAlert(input: DriftAlertInput): Promise<DriftAlertResult>;
  /**
   * Which of `certificates` (Unique Names of the org's covered certificates) have a running
   * rotation, and in which phase, by their canonical ids `rotate/<org>/<name>` (described,
   * not listed: no visibility lag); the org's budget counts them.
   */
  rotationsRunning(input: { org: string; certificates: readonly string[] }): Promise<RunningRotation[]>;
}

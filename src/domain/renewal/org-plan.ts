/**
 * The sweep's decision for one org, from its inventory alone: for each certificate the
 * covering integration, the renewal chain's decision (decision.ts), the window a due one
 * would apply in, and whether the policy leaves room; and the drift audit. The org's budget
 * is applied afterwards (budget.ts), once the sweep knows which rotations run. Pure and
 * workflow-safe: the clock is passed in.
 */
import { matchIntegration, type InventoryConfig, type InventoryIntegration } from '../inventory-config';
import type { RotationWindow } from '../rotation';
import { decideCertificate, RenewalReason, type CertificateDecision } from './decision';
import { auditReferences } from './drift-audit';
import type { DriftFinding, InventoryCertificate, OrgInventory } from './inventory-contract';
import { certificateJitterFraction } from './jitter';
import { roomNeeded, roomProblem } from './room';
import { chooseWindow } from './window-choice';

export interface PlannedCertificate {
  readonly cert: InventoryCertificate;
  readonly integration: InventoryIntegration | null;
  readonly decision: CertificateDecision;
  readonly references: number;
  /** Due ones: the window it applies in; null with `urgent` (no window before expiry). */
  readonly window: RotationWindow | null;
  readonly urgent: boolean;
  /** The policy leaves too little time between renewal and expiry (room.ts), in words; null when it fits. */
  readonly room: string | null;
}

export interface OrgPlan {
  readonly org: string;
  /** Most urgent first: by expiry, then Unique Name. */
  readonly certificates: readonly PlannedCertificate[];
  readonly drift: readonly DriftFinding[];
}

function integrationOf(config: InventoryConfig, org: string, uniqueName: string): { integration: InventoryIntegration | null; error: string | null } {
  try {
    return { integration: matchIntegration(config, org, uniqueName), error: null };
  } catch (error) {
    return { integration: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export function planOrg(config: InventoryConfig, inv: OrgInventory, now: number): OrgPlan {
  const org = inv.org;
  const ordered = [...inv.certificates].sort((a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999') || a.uniqueName.localeCompare(b.uniqueName));
  const matched = new Map(ordered.map((c) => [c, integrationOf(config, org, c.uniqueName)]));
  const referenceCount = new Map<string, number>();
  for (const ref of inv.references) referenceCount.set(ref.certificate.toLowerCase(), (referenceCount.get(ref.certificate.toLowerCase()) ?? 0) + 1);

  const certificates = ordered.map((cert): PlannedCertificate => {
    const { integration, error } = matched.get(cert)!;
    const references = referenceCount.get(cert.uniqueName.toLowerCase()) ?? 0;
    const plain = { cert, integration, references, window: null, urgent: false, room: null };
    if (error !== null) {
      return { ...plain, decision: { reason: RenewalReason.configError, due: false, message: error, renewAt: null, daysLeft: null } };
    }
    // A newer certificate of the same integration: what a finished rotation leaves beside its old one.
    const newer = ordered.find((other) => other !== cert && other.expiresAt !== null && cert.expiresAt !== null && Date.parse(other.expiresAt) > Date.parse(cert.expiresAt) && matched.get(other)?.integration === integration && integration !== null);
    const decision = decideCertificate(
      {
        uniqueName: cert.uniqueName,
        usable: cert.usable,
        expiresAt: cert.expiresAt,
        notBefore: cert.notBefore,
        jitterFraction: cert.expiresAt === null ? 0 : certificateJitterFraction(org, cert.uniqueName, cert.expiresAt),
        policy: integration ? (integration.renewal ?? {}) : null,
        references,
        newer: newer ? { uniqueName: newer.uniqueName, expiresAt: newer.expiresAt! } : null,
      },
      now,
    );
    if (!integration || cert.expiresAt === null || decision.renewAt === null) return { ...plain, decision };
    const expiresAt = Date.parse(cert.expiresAt);
    const room = roomProblem(Date.parse(decision.renewAt), expiresAt, roomNeeded(integration.windowPolicy));
    if (!decision.due) return { ...plain, decision, room };
    let window: RotationWindow | null;
    try {
      window = chooseWindow(integration, expiresAt, now);
    } catch (e) {
      return { ...plain, room, decision: { ...decision, reason: RenewalReason.configError, due: false, message: e instanceof Error ? e.message : String(e) } };
    }
    return { ...plain, decision, room, window, urgent: window === null };
  });
  return { org, certificates, drift: auditReferences(inv, now) };
}

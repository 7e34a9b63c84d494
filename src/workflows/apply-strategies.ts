/**
 * The switch itself, by strategy (../shared/DESIGN.md, "applying"):
 * - `overlap`: the vendor trusts old and new first, then the org switches — traffic never
 *   meets a key the other side does not trust; the mismatch window is 0.
 * - `simultaneous` (a vendor that holds one key): one activity (switchBothSides) starts the
 *   vendor's activation and the org's switch — every record in one all-or-none request —
 *   in the same tick; the mismatch window runs from the first side's request sent to the
 *   last side's answer (an upper bound on what traffic saw). Histories from before
 *   `patched('simultaneous-one-switch')` replay the two activities started in one workflow task.
 * A provisioning team switches by hand: its side is done when it says so (an update),
 * bounded by the window's end.
 */
import { condition, patched } from '@temporalio/workflow';
import type { SwitchReferencesResult } from '../domain/activity-contract';
import type { CertificateSummary } from '../domain/certificate';
import type { ReferenceChange } from '../domain/reference';
import type { RotationWindow, Strategy } from '../domain/rotation';
import type { RotationRun, VendorCapabilities } from '../domain/vendor';
import { steps } from './activity-options';
import type { RotationState } from './rotation-state';
import { RotationStopped } from './rotation-stopped';


/** `simultaneous` drives both sides from one activity (older histories replay the two-activity path). */
export const SIMULTANEOUS_ONE_SWITCH = 'simultaneous-one-switch';

export interface ApplyPlan {
  readonly org: string;
  readonly vendor: string;
  readonly orgId: string;
  readonly run: RotationRun;
  readonly strategy: Strategy;
  readonly capabilities: VendorCapabilities;
  readonly old: CertificateSummary;
  readonly created: CertificateSummary;
  readonly changes: readonly ReferenceChange[];
  readonly window: RotationWindow;
}

/** Runs the switch; returns the measured mismatch window (ms). */
export async function applyRotation(plan: ApplyPlan, state: RotationState): Promise<number> {
  const switchOrg = async (): Promise<SwitchReferencesResult> => {
    const result = await steps.switchReferences({
      org: plan.org,
      changes: plan.changes,
      certificate: { uniqueName: plan.created.uniqueName, fingerprint: plan.created.fingerprint },
    });
    state.switched(result.applied, result.conflicts);
    return result;
  };
  const switchVendor = async (replacing: string | null): Promise<number> => {
    const activated = await steps.activateVendorKey({
      vendor: plan.vendor,
      orgId: plan.orgId,
      run: plan.run,
      fingerprint: plan.created.spkiFingerprint,
      replacing,
      window: plan.window,
    });
    return plan.capabilities.kind === 'registry' ? Date.parse(activated.at) : teamConfirmation(plan, state);
  };

  if (plan.strategy === 'overlap') {
    await switchVendor(null);
    await switchOrg();
    return 0;
  }
  if (patched(SIMULTANEOUS_ONE_SWITCH)) return switchBothSides(plan, state);
  const [org, vendorAt] = await Promise.all([switchOrg(), switchVendor(plan.old.spkiFingerprint)]);
  const orgFirst = org.firstAt === null ? Date.parse(org.at) : Date.parse(org.firstAt);
  const orgLast = Date.parse(org.at);
  return Math.max(orgLast, vendorAt) - Math.min(orgFirst, vendorAt);
}

/**
 * `simultaneous` since this patch: one activity starts both sides in the same tick and
 * reports what traffic can have seen (first request sent to last answer received). A
 * provisioning team's side ends with its confirmation, so the window ends there at the latest.
 */
async function switchBothSides(plan: ApplyPlan, state: RotationState): Promise<number> {
  const result = await steps.switchBothSides({
    references: { org: plan.org, changes: plan.changes, certificate: { uniqueName: plan.created.uniqueName, fingerprint: plan.created.fingerprint } },
    vendor: { vendor: plan.vendor, orgId: plan.orgId, run: plan.run, fingerprint: plan.created.spkiFingerprint, replacing: plan.old.spkiFingerprint, window: plan.window },
  });
  state.switched(result.references.applied, result.references.conflicts);
  if (plan.capabilities.kind === 'registry') return result.mismatchWindowMs;
  const confirmedAt = await teamConfirmation(plan, state);
  const sent = Math.min(Date.parse(result.orgSide.sentAt), Date.parse(result.vendorSide.sentAt));
  return Math.max(0, Math.max(Date.parse(result.orgSide.answeredAt), confirmedAt) - sent);
}

/** The provisioning team's own word that the new key is active, before the window closes. */
async function teamConfirmation(plan: ApplyPlan, state: RotationState): Promise<number> {
  const confirmed = await condition(
    () => state.status.vendorConfirmation !== null || state.abortReason !== null,
    Math.max(0, Date.parse(plan.window.end) - Date.now()),
  );
  const confirmation = state.status.vendorConfirmation;
  if (!confirmed || !confirmation) {
    throw new RotationStopped(
      state.abortReason ?? `the provisioning team did not confirm the new key before the window closed at ${plan.window.end}`,
    );
  }
  return Date.parse(confirmation.at);
}

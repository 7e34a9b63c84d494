/**
 * switchBothSides: the `simultaneous` switch driven from one place. The new certificate is
 * checked first (it exists, is usable, is the one recorded); the org side then reads and
 * compares every reference, and at that switch instant (write-barrier.ts) the vendor's
 * activation and the org's writes (every record in one all-or-none request, named
 * credentials and custom metadata beside it) start together, and both run to their end.
 *
 * The mismatch window reported is what traffic can have seen: from the earliest moment
 * either side may have switched (its request sent) to the latest (its answer received) —
 * an upper bound that never under-reports, with each side's own timings beside it. Two
 * activities measured from their end times missed the first reference flipping before the
 * vendor (../shared/BENCH-FINDINGS.md).
 *
 * A retry (the activity failed or its worker died) starts both sides again: the vendor's
 * activation is idempotent per run, the org's switch is compare-and-set and resumes from its
 * heartbeat (reference-switching.ts).
 */
import type { ActivateInput, SideTiming, SwitchBothSidesInput, SwitchBothSidesResult, SwitchedAt, SwitchReferencesInput, SwitchReferencesResult } from '../domain/activity-contract';
import type { SalesforceOrg } from '../salesforce/org-port';
import { requireTarget, type SwitchHow } from './reference-switching';

type SwitchReferences = (input: SwitchReferencesInput, how: SwitchHow) => Promise<SwitchReferencesResult>;

export function createBothSidesSwitch(deps: {
  orgOf: (alias: string) => SalesforceOrg;
  switchReferences: SwitchReferences;
  activateVendorKey: (input: ActivateInput) => Promise<SwitchedAt>;
  clock: () => Date;
}) {
  const now = () => deps.clock().toISOString();

  return async function switchBothSides(input: SwitchBothSidesInput): Promise<SwitchBothSidesResult> {
    await requireTarget(deps.orgOf(input.references.org), input.references.certificate);
    // The org side reads and compares every reference first; at the switch instant (every
    // read done, no write sent) the vendor's activation starts and the org's writes go out.
    const started: { at: string | null; vendor: Promise<{ value: SwitchedAt; timing: SideTiming }> | null } = { at: null, vendor: null };
    const startVendor = (): void => {
      if (started.vendor) return;
      const sentAt = now();
      started.at = sentAt;
      started.vendor = deps.activateVendorKey(input.vendor).then((value) => ({ value, timing: { sentAt, answeredAt: now() } }));
    };
    const [org] = await Promise.allSettled([
      deps.switchReferences(input.references, { atOnce: true, targetChecked: true, atSwitchInstant: startVendor }).then((value) => ({ value, answeredAt: now() })),
    ]);
    // an org side that failed before its instant wrote nothing, and the vendor was not touched
    if (org.status === 'fulfilled') startVendor(); // a port that does not report its instant: the vendor goes after it
    const vendorSide = started.vendor === null ? null : (await Promise.allSettled([started.vendor]))[0];
    if (org.status === 'rejected') throw org.reason;
    if (vendorSide === null) throw new Error('the vendor side was not started'); // unreachable: started just above
    if (vendorSide.status === 'rejected') throw vendorSide.reason;
    const orgSide: SideTiming = { sentAt: started.at ?? org.value.answeredAt, answeredAt: org.value.answeredAt };
    return {
      references: org.value.value,
      vendor: vendorSide.value.value,
      orgSide,
      vendorSide: vendorSide.value.timing,
      mismatchWindowMs: mismatchWindow([orgSide, vendorSide.value.timing]),
    };
  };
}

/** From the first request sent to the last answer received (ms, never negative). */
export function mismatchWindow(sides: readonly SideTiming[]): number {
  const sent = Math.min(...sides.map((s) => Date.parse(s.sentAt)));
  const answered = Math.max(...sides.map((s) => Date.parse(s.answeredAt)));
  return Math.max(0, answered - sent);
}

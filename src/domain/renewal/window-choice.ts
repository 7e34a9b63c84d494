/**
 * Which maintenance window a renewal applies in: the first whole window of the
 * integration's policy that opens at least APPROVAL_LEAD_MS after the sweep (time to share
 * the key and get it approved), outside every freeze period, before the certificate
 * expires; none when no such window exists (the rotation then applies on approval).
 * Pure and workflow-safe.
 */
import { nextWindow, type WindowPolicy } from '../maintenance-window';
import type { RotationWindow } from '../rotation';
import type { FreezePeriod } from './policy';

/** A window must open at least this long after the sweep: time to share the key and get it approved. */
export const APPROVAL_LEAD_MS = 24 * 3_600_000;
/** Windows considered before giving up on finding one (ones in a freeze are passed over). */
const MAX_WINDOWS_TRIED = 60;

export interface WindowChoiceInput {
  readonly windowPolicy: WindowPolicy;
  readonly renewal?: { readonly freezePeriods?: readonly FreezePeriod[] } | undefined;
}

function overlapsFreeze(window: { start: Date; end: Date }, integration: WindowChoiceInput): boolean {
  return (integration.renewal?.freezePeriods ?? []).some((f) => window.start.getTime() < Date.parse(f.end) && Date.parse(f.start) < window.end.getTime());
}

/** The window the renewal applies in, or null when none opens (outside freezes) before `expiresAt`. */
export function chooseWindow(integration: WindowChoiceInput, expiresAt: number, now: number): RotationWindow | null {
  let after = new Date(now + APPROVAL_LEAD_MS);
  for (let i = 0; i < MAX_WINDOWS_TRIED; i += 1) {
    const window = nextWindow(integration.windowPolicy, after);
    if (window.start.getTime() >= expiresAt) return null;
    if (window.start.getTime() < after.getTime() || overlapsFreeze(window, integration)) {
      after = window.end;
      continue;
    }
    return { start: window.start.toISOString(), end: window.end.toISOString() };
  }
  return null;
}

/**
 * The longest a renewal can wait for the start of a window of `policy`, and the longest
 * window: the largest gap between consecutive window starts over two weeks in winter and
 * two in summer (daylight saving moves local windows), plus an hour of slack for the shift.
 */
export function longestWindowWait(policy: WindowPolicy): { waitMs: number; windowMs: number } {
  let waitMs = 0;
  let windowMs = 0;
  for (const from of [Date.UTC(2027, 0, 4), Date.UTC(2027, 6, 5)]) {
    let previous: number | null = null;
    let after = new Date(from);
    while (after.getTime() < from + 15 * 86_400_000) {
      const window = nextWindow(policy, after);
      const start = window.start.getTime();
      if (previous !== null) waitMs = Math.max(waitMs, start - previous);
      windowMs = Math.max(windowMs, window.end.getTime() - start);
      previous = start;
      after = new Date(Math.max(window.end.getTime(), start + 60_000));
    }
  }
  return { waitMs: waitMs + 3_600_000, windowMs };
}

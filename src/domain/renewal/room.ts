/**
 * Whether a policy leaves room for a renewal: after the renewal time the sweep may take a
 * day to see it (the schedule runs daily), the window must open at least a day later
 * (APPROVAL_LEAD_MS: time to share the key and get it approved), the next window of the
 * integration's policy may be up to its longest gap away, and the approval may come until
 * that window ends. When the time left after the renewal time is shorter, the renewal
 * finds no window before expiry and applies on approval, outside any window — so certrot
 * says so at config load (an error for the lifetimes Salesforce gives today, a warning
 * for the shorter ones the CA/Browser Forum schedule brings later) and in `certrot
 * expiring` for each certificate. Pure and workflow-safe: the clock is passed in.
 */
import { maximumLifetimesFrom } from '../certificate-lifetime';
import { formatWindowPolicy, type WindowPolicy } from '../maintenance-window';
import type { InventoryConfig } from '../inventory-config';
import type { RenewalPolicy } from './policy';
import { renewalTime } from './renewal-time';
import { APPROVAL_LEAD_MS, longestWindowWait } from './window-choice';

const DAY_MS = 86_400_000;
/** The sweep runs daily (`certrot schedule create`'s default): a due certificate is seen within a day. */
export const SWEEP_INTERVAL_MS = DAY_MS;
/** The largest jitter fraction (the worst case for the room left). */
const WORST_JITTER = 0.9999;

export interface RoomNeeded {
  readonly ms: number;
  /** How the time adds up, in words. */
  readonly words: string;
}

function days(ms: number): string {
  const value = Math.round((ms / DAY_MS) * 10) / 10;
  return `${value} day${value === 1 ? '' : 's'}`;
}

/** By policy text: a fleet has thousands of integrations and certificates but few window policies. */
const neededByPolicy = new Map<string, RoomNeeded>();

/** The time a renewal needs between its renewal time and the certificate's expiry. */
export function roomNeeded(windowPolicy: WindowPolicy): RoomNeeded {
  const key = formatWindowPolicy(windowPolicy);
  let found = neededByPolicy.get(key);
  if (!found) {
    found = computeRoomNeeded(windowPolicy);
    neededByPolicy.set(key, found);
  }
  return found;
}

function computeRoomNeeded(windowPolicy: WindowPolicy): RoomNeeded {
  const { waitMs, windowMs } = longestWindowWait(windowPolicy);
  const ms = SWEEP_INTERVAL_MS + APPROVAL_LEAD_MS + waitMs + windowMs;
  return {
    ms,
    words: `${days(ms)}: up to 1 day until the daily sweep sees it, 1 day to share the key and get it approved, up to ${days(waitMs)} until a "${formatWindowPolicy(windowPolicy)}" window opens, and the window itself`,
  };
}

/** Words when the time between `renewAt` and `expiresAt` is shorter than `needed`; null when it fits. */
export function roomProblem(renewAt: number, expiresAt: number, needed: RoomNeeded): string | null {
  const left = expiresAt - renewAt;
  if (left >= needed.ms) return null;
  return `it renews ${days(Math.max(0, left))} before it expires, but a renewal needs up to ${needed.words}; it may find no window and apply on approval`;
}

export interface RoomFinding {
  readonly severity: 'error' | 'warning';
  /** The integration's key path, e.g. orgs.prod.integrations[0].renewal. */
  readonly path: string;
  readonly message: string;
}

/**
 * For every integration, whether its policy leaves room for a renewal of a certificate of
 * the longest lifetime Salesforce gives today (error when not) and of each shorter one the
 * schedule brings later (warning, naming the date).
 */
export function inventoryRoomProblems(config: InventoryConfig, now: Date): RoomFinding[] {
  const findings: RoomFinding[] = [];
  const steps = maximumLifetimesFrom(now);
  for (const [alias, org] of Object.entries(config.orgs)) {
    org.integrations.forEach((integration, i) => {
      const path = `orgs.${alias}.integrations[${i}].renewal`;
      const needed = roomNeeded(integration.windowPolicy);
      for (const [index, step] of steps.entries()) {
        const problem = lifetimeProblem(integration.renewal ?? {}, step.from, step.days, needed);
        if (!problem) continue;
        const when = index === 0 ? `a ${step.days}-day certificate (the longest Salesforce creates today)` : `a ${step.days}-day certificate (Salesforce's longest from ${step.from.toISOString().slice(0, 10)})`;
        findings.push({
          severity: index === 0 ? 'error' : 'warning',
          path,
          message: `${path}: for ${when} ${problem}. Renew earlier (a lower renewBeforePercent, a larger renewBeforeDays) or add windows.`,
        });
        break; // a shorter lifetime only fails worse
      }
    });
  }
  return findings;
}

function lifetimeProblem(policy: RenewalPolicy, from: Date, lifetimeDays: number, needed: RoomNeeded): string | null {
  const notBefore = from.getTime();
  const expiresAt = notBefore + lifetimeDays * DAY_MS;
  const time = renewalTime({ uniqueName: 'lifetime-check', notBefore: new Date(notBefore).toISOString(), expiresAt: new Date(expiresAt).toISOString(), jitterFraction: WORST_JITTER }, policy);
  return roomProblem(time.renewAt.getTime(), expiresAt, needed);
}

/**
 * The per-org budget: at most `maxActiveRotations` rotations run against one org at once
 * (Salesforce caps concurrent long requests at 25 per org and API calls per day, and every
 * rotation of an org shares them). A rotation waiting out its grace period does not count:
 * it calls Salesforce once more, to delete the old certificate, days later; every other
 * running phase does (awaiting approval and scheduled ones apply in the same windows).
 * Of the certificates due, those whose rotation already
 * runs stay as they are; the others start in window order — urgent ones (no window before
 * expiry) first, then by window start, then by expiry — while the budget has room; the
 * rest are queued for a later sweep, which takes them in the same order once rotations end.
 * Pure and workflow-safe.
 */
import { rotationWorkflowId } from '../rotation-id';
import { RenewalReason } from './decision';
import type { PlannedCertificate } from './org-plan';

/** Rotations per org at once when the inventory does not say (`orgs.<alias>.maxActiveRotations`). */
export const DEFAULT_MAX_ACTIVE_ROTATIONS = 3;
/** Salesforce's limit of concurrent long-running requests per org: no budget above it makes sense. */
export const MAX_ACTIVE_ROTATIONS_LIMIT = 25;

export interface Held {
  readonly planned: PlannedCertificate;
  readonly reason: typeof RenewalReason.alreadyRunning | typeof RenewalReason.overBudget;
  readonly message: string;
}

export interface BudgetedStarts {
  readonly start: readonly PlannedCertificate[];
  readonly held: readonly Held[];
}

/** Window order: urgent first, then window start, then expiry, then Unique Name. */
export function windowOrder(a: PlannedCertificate, b: PlannedCertificate): number {
  const key = (p: PlannedCertificate): string => (p.window ? `1${p.window.start}` : '0');
  return key(a).localeCompare(key(b)) || (a.cert.expiresAt ?? '').localeCompare(b.cert.expiresAt ?? '') || a.cert.uniqueName.localeCompare(b.cert.uniqueName);
}

/** The phase in which a running rotation does not count against the budget. */
export const IDLE_PHASE = 'grace-period';

/** How many of the org's running rotations count against its budget. */
export function activeCount(running: readonly { phase: string | null }[]): number {
  return running.filter((r) => r.phase !== IDLE_PHASE).length;
}

/**
 * @param org the org's alias
 * @param due the org's due certificates
 * @param running lower-case Unique Names of the org's certificates whose rotation runs now
 * @param active how many of those count against the budget (`activeCount`)
 * @param budget the org's maxActiveRotations
 */
export function applyBudget(org: string, due: readonly PlannedCertificate[], running: ReadonlySet<string>, active: number, budget: number): BudgetedStarts {
  const held: Held[] = [];
  const start: PlannedCertificate[] = [];
  let slots = Math.max(0, budget - active);
  const queued = [...due].filter((p) => {
    if (!running.has(p.cert.uniqueName.toLowerCase())) return true;
    held.push({ planned: p, reason: RenewalReason.alreadyRunning, message: `rotation already running (${rotationWorkflowId(org, p.cert.uniqueName)})` });
    return false;
  });
  queued.sort(windowOrder);
  queued.forEach((p, index) => {
    if (slots > 0) {
      slots -= 1;
      start.push(p);
      return;
    }
    held.push({
      planned: p,
      reason: RenewalReason.overBudget,
      message: `queued: ${active + start.length} rotation(s) already run against this org, its budget is ${budget} (maxActiveRotations); a later sweep starts it when one ends (place ${index - start.length + 1} in window order)`,
    });
  });
  return { start, held };
}

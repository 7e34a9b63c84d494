/**
 * Exponential backoff with full jitter (delay drawn uniformly from [0, min(cap, base·2^n)])
 * for the failures that can pass by themselves: REQUEST_LIMIT_EXCEEDED, 5xx and network
 * errors. Full jitter spreads the retries of many workers hitting the same org apart.
 * Activities have their own Temporal retry on top; this one absorbs short blips cheaply.
 */

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

/** The delay before retry number `retry` (0 = the first retry). */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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

/** Waits `ms`, or less when `signal` aborts first (the caller then checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done, { once: true });
  });
}

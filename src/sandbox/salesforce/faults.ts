/**
 * Injected faults, per operation, so tests and demos can watch the adapter's retry and
 * re-login behaviour against real wire responses. Set through the sandbox options or at
 * runtime with `POST /__sandbox/faults` (`DELETE` clears them).
 *
 * Operations are named `<api>.<call>`: oauth.token, rest.query, rest.update, rest.describe,
 * rest.describeGlobal, rest.limits, tooling.query, tooling.executeAnonymous,
 * metadata.createMetadata, metadata.readMetadata, metadata.updateMetadata,
 * metadata.deleteMetadata, metadata.listMetadata. `*` and `metadata.*` style wildcards work.
 */
import { z } from 'zod';

export const faultRuleSchema = z.object({
  operation: z.string().min(1),
  /** `login-rate-limit`: the token endpoint's `rate_limit_exceeded` (elsewhere it answers like request-limit). */
  kind: z.enum(['latency', 'http-500', 'http-503', 'request-limit', 'session-expired', 'login-rate-limit']),
  latencyMs: z.number().int().nonnegative().max(120_000).optional(),
  /** Share of matching calls hit (0..1); omitted: every matching call. */
  fraction: z.number().min(0).max(1).optional(),
  /** Only the next N matching calls; omitted: until cleared. */
  times: z.number().int().positive().optional(),
  /**
   * Let the call take effect, then answer with the fault (a lost answer): the case that
   * tempts a client into doing a create twice. Only for http-500/http-503/request-limit.
   */
  after: z.boolean().optional(),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultKind = FaultRule['kind'];

export const faultRequestSchema = z.object({ faults: z.array(faultRuleSchema), replace: z.boolean().default(false) });

function operationMatches(pattern: string, operation: string): boolean {
  if (pattern === '*' || pattern === operation) return true;
  return pattern.endsWith('.*') && operation.startsWith(pattern.slice(0, -1));
}

export class FaultInjector {
  private rules: { rule: FaultRule; remaining: number | null }[] = [];

  constructor(
    initial: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.add(initial);
  }

  add(rules: FaultRule[]): void {
    for (const rule of rules) this.rules.push({ rule, remaining: rule.times ?? null });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ rule, remaining }) => ({ ...rule, ...(remaining !== null ? { times: remaining } : {}) }));
  }

  /**
   * The faults that hit this call, consuming "next N" budgets: every matching latency, then
   * at most one failure (the first matching rule, in the order added) — so two "next call"
   * failures hit two successive calls rather than the same one.
   */
  draw(operation: string): FaultRule[] {
    const latencies: FaultRule[] = [];
    let failure: FaultRule | undefined;
    for (const entry of this.rules) {
      if (!operationMatches(entry.rule.operation, operation)) continue;
      if (entry.remaining !== null && entry.remaining <= 0) continue;
      const isLatency = entry.rule.kind === 'latency';
      if (!isLatency && failure) continue;
      if (entry.rule.fraction !== undefined && this.random() >= entry.rule.fraction) continue;
      if (entry.remaining !== null) entry.remaining -= 1;
      if (isLatency) latencies.push(entry.rule);
      else failure = entry.rule;
    }
    this.rules = this.rules.filter((entry) => entry.remaining === null || entry.remaining > 0);
    return failure ? [...latencies, failure] : latencies;
  }
}

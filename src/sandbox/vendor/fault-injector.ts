/**
 * Faults the sandbox vendor injects on request, to rehearse what real vendors do: answer
 * slowly, fail with 5xx/429, or hang up. A fault can strike before the operation is applied
 * (nothing happened) or after (the write happened but the caller never heard), which is
 * the case idempotency keys exist for. Rules come from options or `POST /__sandbox/faults`.
 */
import { z } from 'zod';

export const SANDBOX_OPERATIONS = [
  'capabilities',
  'listKeys',
  'stageKey',
  'activateKey',
  'retireKey',
  'restoreKey',
  'verifySignature',
  'approvalState',
  'submitContinuity',
  'mtls',
] as const;
export type SandboxOperation = (typeof SANDBOX_OPERATIONS)[number];

export const faultRuleSchema = z
  .object({
    /** Which calls; "*" for all. */
    operation: z.enum([...SANDBOX_OPERATIONS, '*']).default('*'),
    /** Wait this long before handling the call. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Answer with this status instead. */
    status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
    /** Hang up without answering. */
    drop: z.boolean().optional(),
    /** Fail before the operation is applied, or after it was applied. */
    when: z.enum(['before-apply', 'after-apply']).default('before-apply'),
    /** The fraction of matching calls affected. */
    probability: z.number().min(0).max(1).default(1),
    /** Only the next N matching calls; the rule is then used up. */
    times: z.number().int().positive().optional(),
  })
  .strict()
  .refine((r) => r.latencyMs !== undefined || r.status !== undefined || r.drop === true, {
    message: 'a fault needs latencyMs, status or drop',
  });
export type FaultRule = z.input<typeof faultRuleSchema>;
type ParsedRule = z.output<typeof faultRuleSchema>;

export interface DrawnFault {
  latencyMs: number;
  failure?: { status?: number; drop: boolean; when: 'before-apply' | 'after-apply' };
}

export class FaultInjector {
  private rules: Array<ParsedRule & { remaining: number }> = [];

  constructor(
    rules: readonly FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    for (const rule of rules) this.add(rule);
  }

  /** Validates and appends a rule; throws a ZodError naming the bad field. */
  add(rule: unknown): void {
    const parsed = faultRuleSchema.parse(rule);
    this.rules.push({ ...parsed, remaining: parsed.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  list(): ParsedRule[] {
    return this.rules.filter((r) => r.remaining > 0).map(({ remaining: _remaining, ...rule }) => rule);
  }

  /** The faults for one call; uses up one of each struck rule's `times`. */
  draw(operation: SandboxOperation): DrawnFault {
    const drawn: DrawnFault = { latencyMs: 0 };
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || (rule.operation !== '*' && rule.operation !== operation)) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      rule.remaining -= 1;
      drawn.latencyMs += rule.latencyMs ?? 0;
      if (!drawn.failure && (rule.status !== undefined || rule.drop === true)) {
        drawn.failure = { status: rule.status, drop: rule.drop === true, when: rule.when };
      }
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return drawn;
  }
}

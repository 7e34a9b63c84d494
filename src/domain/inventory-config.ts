/**
 * The inventory of automatic renewals: for each org, which certificates certrot renews by
 * itself, with which vendor, strategy, approvers, maintenance window and renewal policy.
 *
 *   orgs:
 *     prod:
 *       integrations:
 *         - certificatePattern: "Vendor_*"
 *           vendor: acme
 *           strategy: overlap
 *           window: "Saturdays 02:00-04:00 Europe/London"
 *           approval: { mode: registry, pollInterval: "5 minutes" }   # default: manual
 *           renewal: { renewBeforeDays: 30, jitterMaxHours: 12 }
 *       maxActiveRotations: 3      # rotations against this org at once (default 3, at most 25)
 *
 * Validated once at start-up; a bad file fails with the offending key path named.
 * Workflow-safe: zod and the pure domain only.
 */
import { z } from 'zod';
import { uniqueNameProblem } from './certificate-names';
import { RotationError } from './errors';
import { literalLength, patternMatches, patternProblem } from './certificate-pattern';
import { parseWindowPolicy, type WindowPolicy } from './maintenance-window';
import { DEFAULT_MAX_ACTIVE_ROTATIONS, MAX_ACTIVE_ROTATIONS_LIMIT } from './renewal/budget';
import { MAX_JITTER_HOURS, MAX_RENEW_BEFORE_DAYS } from './renewal/policy';
import { approvalRouteFields, referencesRequestSchema } from './rotation-request';

/*
 * An integration's schema is built on first use, not when the module loads (it is part of
 * the workflow bundle, which every new workflow evaluates afresh): lazy construction only,
 * what it accepts is unchanged.
 */
function buildIntegrationSchema() {
  const uniqueName = z.string().superRefine((value, ctx) => {
    const problem = uniqueNameProblem(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a Salesforce Unique Name: it ${problem}; for several certificates use certificatePattern` });
    }
  });

  const certificatePattern = z.string().superRefine((value, ctx) => {
    const problem = patternProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

  const windowText = z.string().superRefine((value, ctx) => {
    try {
      parseWindowPolicy(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  });

  const instant = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), {
    message: 'write an ISO-8601 instant with a time zone, e.g. "2027-12-20T00:00:00Z"',
  });

  const freezePeriod = z
    .object({ start: instant, end: instant, reason: z.string().trim().min(1, 'say why, e.g. "year-end freeze"') })
    .strict()
    .refine((f) => Date.parse(f.end) > Date.parse(f.start), { message: 'the freeze must end after it starts', path: ['end'] });

  const renewal = z
    .object({
      renewBeforeDays: z.number().min(0, 'a number of days ≥ 0').max(MAX_RENEW_BEFORE_DAYS, `at most ${MAX_RENEW_BEFORE_DAYS} days (ten years)`).optional(),
      renewBeforePercent: z
        .number()
        .gt(0, 'greater than 0 and less than 100 (66.67 renews at two thirds of the lifetime)')
        .lt(100, 'greater than 0 and less than 100 (66.67 renews at two thirds of the lifetime)')
        .optional(),
      jitterMaxHours: z.number().min(0, 'a number of hours ≥ 0').max(MAX_JITTER_HOURS, `at most ${MAX_JITTER_HOURS} hours (a week)`).optional(),
      freezePeriods: z.array(freezePeriod).optional(),
    })
    .strict();

  return z
    .object({
      certificate: uniqueName.optional(),
      certificatePattern: certificatePattern.optional(),
      vendor: z.string().min(1, 'the vendor id configured in the worker'),
      strategy: z.enum(['overlap', 'simultaneous']),
      // The same shape as a rotation request's references: an integration becomes one.
      references: referencesRequestSchema(),
      approvers: z.array(z.string().min(1)).optional(),
      // How its rotations may be approved besides a person: { mode: registry, pollInterval: "5 minutes" }.
      approval: z.object(approvalRouteFields()).strict().optional(),
      window: windowText,
      renewal: renewal.optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      const given = [value.certificate, value.certificatePattern].filter((v) => v !== undefined).length;
      if (given !== 1) {
        ctx.addIssue({
          code: 'custom',
          message: given === 0 ? 'give certificate (a Unique Name) or certificatePattern (e.g. "Vendor_*")' : 'give certificate or certificatePattern, not both',
        });
      }
    });
}

export const inventoryConfigSchema = z
  .object({
    orgs: z.record(
      z.string().min(1),
      z
        .object({
          integrations: z.array(z.lazy(buildIntegrationSchema)).min(1, 'list at least one integration, or leave the org out'),
          maxActiveRotations: z
            .number()
            .int('a whole number of rotations')
            .min(1, 'at least 1')
            .max(MAX_ACTIVE_ROTATIONS_LIMIT, `at most ${MAX_ACTIVE_ROTATIONS_LIMIT} (Salesforce's concurrent long-running requests per org)`)
            .optional(),
        })
        .strict(),
    ),
  })
  .strict();

type ParsedIntegration = z.infer<ReturnType<typeof buildIntegrationSchema>>;

export type InventoryIntegration = ParsedIntegration & {
  /** `window`, parsed. */
  readonly windowPolicy: WindowPolicy;
};

export interface InventoryConfig {
  readonly orgs: Readonly<Record<string, { readonly integrations: readonly InventoryIntegration[]; readonly maxActiveRotations: number }>>;
}

function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(config)';
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

function configError(problems: string[]): RotationError {
  return new RotationError('CONFIG_INVALID', `Invalid inventory configuration: ${problems.join('; ')}`);
}

/**
 * Validates the inventory configuration (already read from YAML/JSON); throws
 * CONFIG_INVALID naming the key path of every problem found.
 */
export function parseInventoryConfig(raw: unknown): InventoryConfig {
  const parsed = inventoryConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw configError(parsed.error.issues.map((issue) => `${pathText(issue.path)}: ${issue.message}`));
  }
  const orgs: Record<string, { integrations: InventoryIntegration[]; maxActiveRotations: number }> = {};
  const problems: string[] = [];
  for (const [alias, org] of Object.entries(parsed.data.orgs)) {
    // Two integrations claiming the same certificate would make matching a guess.
    const claimed = new Map<string, string>();
    org.integrations.forEach((item, i) => {
      const path = `orgs.${alias}.integrations[${i}]`;
      const key = item.certificate !== undefined ? `certificate "${item.certificate}"` : `certificatePattern "${item.certificatePattern}"`;
      const earlier = claimed.get(key.toLowerCase());
      if (earlier) problems.push(`${path}: ${key} is already covered by ${earlier}`);
      else claimed.set(key.toLowerCase(), path);
    });
    orgs[alias] = {
      integrations: org.integrations.map((item) => ({ ...item, windowPolicy: parseWindowPolicy(item.window) })),
      maxActiveRotations: org.maxActiveRotations ?? DEFAULT_MAX_ACTIVE_ROTATIONS,
    };
  }
  if (problems.length > 0) throw configError(problems);
  return { orgs };
}

/**
 * The integration covering certificate `uniqueName` in org `orgAlias`, or null. An exact
 * `certificate` beats any pattern; among patterns the most specific (most literal
 * characters) wins, and a tie is a configuration error naming both.
 */
export function matchIntegration(config: InventoryConfig, orgAlias: string, uniqueName: string): InventoryIntegration | null {
  const integrations = config.orgs[orgAlias]?.integrations ?? [];
  const exact = integrations.find((item) => item.certificate?.toLowerCase() === uniqueName.toLowerCase());
  if (exact) return exact;
  const matches = integrations
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.certificatePattern !== undefined && patternMatches(item.certificatePattern, uniqueName))
    .sort((a, b) => literalLength(b.item.certificatePattern!) - literalLength(a.item.certificatePattern!));
  const [best, next] = matches;
  if (!best) return null;
  if (next && literalLength(next.item.certificatePattern!) === literalLength(best.item.certificatePattern!)) {
    throw configError([
      `orgs.${orgAlias}.integrations[${best.index}] ("${best.item.certificatePattern}") and ` +
        `orgs.${orgAlias}.integrations[${next.index}] ("${next.item.certificatePattern}") both match "${uniqueName}" ` +
        'equally; name the certificate exactly or make one pattern more specific',
    ]);
  }
  return best.item;
}

/**
 * Validation of a rotation request and the defaults it gets. One schema serves every
 * edge: the CLI and client validate before starting, and the workflow validates again
 * first thing, because operators also start rotations from the Temporal UI with raw JSON.
 * A bad request fails before any side effect, with a message naming the field and the fix.
 *
 * Workflow-safe: zod is plain, deterministic JavaScript.
 */
import { z } from 'zod';
import { APPROVAL_MODES, DEFAULT_REGISTRY_POLL, type ApprovalMode } from './approval-route';
import { assertUniqueName, uniqueNameProblem } from './certificate-names';
import { isDuration, parseDuration } from './durations';
import { RotationError } from './errors';
import { ROTATION_DEFAULTS, type RotationInput, type RotationRequest, type RotationWindow } from './rotation';

const DAY_MS = 86_400_000;

export const DURATION_LIMITS_DAYS = { approvalTimeout: 90, windowDuration: 31, gracePeriod: 90 } as const;

/*
 * The schemas are built on first use, not when the module loads: every new workflow
 * evaluates the workflow modules afresh, and most never parse a request twice (lazy
 * construction only; what they accept is unchanged).
 */
const instantSchema = () =>
  z.string().refine((value) => !Number.isNaN(Date.parse(value)) && /\d{4}-\d{2}-\d{2}T/.test(value), {
    message: 'write an ISO-8601 instant with a time zone, e.g. "2026-12-05T02:00:00Z"',
  });

export const windowSchema = z.lazy(() =>
  z
    .object({ start: instantSchema(), end: instantSchema() })
    .strict()
    .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'the window must end after it starts' }),
);

/** `approval.pollInterval`: often enough to be useful, rarely enough not to hammer the registry. */
export const POLL_INTERVAL_LIMITS_MS = { min: 10_000, max: DAY_MS } as const;

/** `approval.mode` and `approval.pollInterval` (an inventory integration takes the same); built when called. */
export function approvalRouteFields() {
  return {
    mode: z.enum(APPROVAL_MODES, { message: `one of ${APPROVAL_MODES.map((m) => `"${m}"`).join(', ')} (default "manual")` }).optional(),
    pollInterval: z
      .string()
      .max(40, 'write a number and a unit, e.g. "1 minute"')
      .refine(isDuration, { message: 'write a number and a unit, e.g. "30 seconds", "1 minute", "1 hour"' })
      .refine((v) => v.length > 40 || !isDuration(v) || inPollRange(parseDuration(v, 'approval.pollInterval')), {
        message: 'between 10 seconds and 1 day',
      })
      .optional(),
  };
}

const inPollRange = (ms: number): boolean => ms >= POLL_INTERVAL_LIMITS_MS.min && ms <= POLL_INTERVAL_LIMITS_MS.max;

/** A request's `references` (an inventory integration takes the same shape); built when called. */
export function referencesRequestSchema() {
  const referenceTarget = z
    .object({
      object: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an API name such as csam__AsyncMessOptions__c'),
      field: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an API name such as csam__Certificate__c'),
      kind: z.enum(['hierarchy-setting', 'custom-object', 'custom-metadata']),
    })
    .strict();
  return z
    .object({
      discover: z.boolean().optional(),
      targets: z.array(referenceTarget).max(100).optional(),
      repairLabels: z.boolean().optional(),
      acknowledge: z
        .array(z.string().trim().min(1).max(300, 'an acknowledgement key such as apex-class:Contoso_Callout'))
        .max(200, 'at most 200 acknowledged places')
        .optional(),
    })
    .strict()
    .optional();
}

function buildRequestSchema() {
  const uniqueName = z.string().superRefine((value, ctx) => {
    const problem = uniqueNameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `"${value}" is not a Salesforce Unique Name: it ${problem}` });
  });

  /** A duration, bounded: no request needs a 20,000,000-week window, and dates past year 275760 do not exist. */
  const duration = (maxDays: number) =>
    z
      .string()
      .max(40, 'write a number and a unit, e.g. "7 days"')
      .refine(isDuration, { message: 'write a number and a unit, e.g. "7 days", "36 hours", "90 minutes"' })
      // zod runs every check even after .max fails: only measure what the checks above let through (a
      // 400-digit number parses to Infinity, and parseDuration throws on it).
      .refine((v) => v.length > 40 || !isDuration(v) || parseDuration(v, 'duration') <= maxDays * DAY_MS, { message: `at most ${maxDays} days` });

  const instant = instantSchema();

  const windowRequestSchema = z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('on-approval'), duration: duration(DURATION_LIMITS_DAYS.windowDuration) }).strict(),
    z
      .object({ mode: z.literal('fixed'), start: instant, end: instant })
      .strict()
      .refine((w) => Date.parse(w.end) - Date.parse(w.start) <= DURATION_LIMITS_DAYS.windowDuration * DAY_MS, {
        message: `a window may last at most ${DURATION_LIMITS_DAYS.windowDuration} days`,
      }),
  ]);

  return z
    .object({
      org: z.string().min(1, 'the org alias configured in the worker, e.g. "prod"').max(100),
      certificate: uniqueName,
      vendor: z.string().min(1, 'the vendor id configured in the worker').max(100),
      newUniqueName: uniqueName.optional(),
      newLabel: z.string().min(1).max(64, 'Salesforce labels are at most 64 characters').optional(),
      keySize: z.union([z.literal(2048), z.literal(3072), z.literal(4096)], 'Salesforce certificates are 2048, 3072 or 4096 bits').optional(),
      caSigned: z.boolean().optional(),
      strategy: z.enum(['overlap', 'simultaneous']).optional(),
      references: referencesRequestSchema(),
      approval: z
        .object({
          approvers: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
          timeout: duration(DURATION_LIMITS_DAYS.approvalTimeout).optional(),
          ...approvalRouteFields(),
        })
        .strict()
        .optional(),
      window: windowRequestSchema.optional(),
      gracePeriod: duration(DURATION_LIMITS_DAYS.gracePeriod).optional(),
      verification: z
        .object({ signature: z.boolean().optional(), calloutUrl: z.string().url().startsWith('https://').optional() })
        .strict()
        .optional(),
    })
    .strict();
}

export const rotationRequestSchema = z.lazy(buildRequestSchema);

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : '(input)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Validates `raw` and fills every default. `now` is the caller's clock (the workflow's
 * deterministic time inside a workflow).
 */
export function resolveRotationRequest(raw: unknown, now: Date): RotationInput {
  let parsed: ReturnType<typeof rotationRequestSchema.safeParse>;
  try {
    parsed = rotationRequestSchema.safeParse(raw);
  } catch {
    throw new RotationError('INVALID_INPUT', 'Invalid rotation request: the input could not be read as JSON');
  }
  if (!parsed.success) {
    throw new RotationError('INVALID_INPUT', `Invalid rotation request: ${describeIssues(parsed.error)}`);
  }
  const request: RotationRequest = parsed.data;
  if (request.newUniqueName !== undefined) {
    assertUniqueName(request.newUniqueName, 'newUniqueName');
    if (request.newUniqueName.toLowerCase() === request.certificate.toLowerCase()) {
      throw new RotationError('INVALID_INPUT', 'newUniqueName: must differ from the current certificate\'s Unique Name.');
    }
  }
  const window = request.window ?? { mode: 'on-approval', duration: ROTATION_DEFAULTS.windowDuration };
  if (window.mode === 'fixed') {
    if (Date.parse(window.end) <= Date.parse(window.start)) {
      throw new RotationError('INVALID_INPUT', 'window: the end must be after the start.');
    }
    if (Date.parse(window.end) <= now.getTime()) {
      throw new RotationError('INVALID_INPUT', `window: it ended at ${window.end}, before now (${now.toISOString()}); propose a future window.`);
    }
  }
  const targets = request.references?.targets ?? [];
  const approvalTimeout = request.approval?.timeout ?? ROTATION_DEFAULTS.approvalTimeout;
  const gracePeriod = request.gracePeriod ?? ROTATION_DEFAULTS.gracePeriod;
  const discover = request.references?.discover ?? targets.length === 0;
  const mode: ApprovalMode = request.approval?.mode ?? 'manual';
  const pollInterval = request.approval?.pollInterval ?? DEFAULT_REGISTRY_POLL;
  return {
    org: request.org,
    certificate: request.certificate,
    vendor: request.vendor,
    newUniqueName: request.newUniqueName ?? null,
    newLabel: request.newLabel ?? null,
    keySize: request.keySize ?? ROTATION_DEFAULTS.keySize,
    caSigned: request.caSigned ?? ROTATION_DEFAULTS.caSigned,
    strategy: request.strategy ?? ROTATION_DEFAULTS.strategy,
    references: { discover, targets, repairLabels: request.references?.repairLabels ?? false, acknowledge: request.references?.acknowledge ?? [] },
    approval: {
      approvers: request.approval?.approvers ?? [],
      timeout: approvalTimeout,
      timeoutMs: parseDuration(approvalTimeout, 'approval.timeout'),
      mode,
      pollInterval,
      pollIntervalMs: parseDuration(pollInterval, 'approval.pollInterval'),
    },
    window,
    windowDurationMs: window.mode === 'on-approval' ? parseDuration(window.duration, 'window.duration') : 0,
    gracePeriod,
    gracePeriodMs: parseDuration(gracePeriod, 'gracePeriod'),
    verification: {
      signature: request.verification?.signature ?? true,
      calloutUrl: request.verification?.calloutUrl ?? null,
    },
  };
}

/** The window an approval at `approvedAt` agrees to: the one it names, a rescheduled one, the fixed one, or "from now". */
export function agreedWindow(input: RotationInput, approvedAt: number, proposed: RotationWindow | null): RotationWindow {
  if (proposed) return proposed;
  if (input.window.mode === 'fixed') return { start: input.window.start, end: input.window.end };
  return { start: new Date(approvedAt).toISOString(), end: new Date(approvedAt + input.windowDurationMs).toISOString() };
}

/** Validates a window sent with approve/reschedule (v1 workflow; v2 uses operator-messages.ts). */
export function parseWindow(raw: unknown, field: string, now: Date): RotationWindow {
  const parsed = windowSchema.safeParse(raw);
  if (!parsed.success) throw new RotationError('INVALID_INPUT', `${field}: ${describeIssues(parsed.error)}`);
  if (Date.parse(parsed.data.end) <= now.getTime()) {
    throw new RotationError('INVALID_INPUT', `${field}: it ends at ${parsed.data.end}, which is not in the future (now ${now.toISOString()}).`);
  }
  return parsed.data;
}

/** The window the rotation will use once approved at `approvedAt`. */
export function windowFor(input: RotationInput, approvedAt: Date, proposed?: RotationWindow): RotationWindow {
  if (proposed) return proposed;
  if (input.window.mode === 'fixed') return { start: input.window.start, end: input.window.end };
  const start = approvedAt.toISOString();
  const end = new Date(approvedAt.getTime() + parseDuration(input.window.duration, 'window.duration')).toISOString();
  return { start, end };
}

/**
 * The approval mode a vendor cannot serve, or null: the automatic routes ask the vendor's
 * API (its registry's approval state, or its verdict on a continuity statement), which a
 * provisioning team — people reached by email or webhook — does not have.
 */
export function approvalModeProblem(mode: ApprovalMode, vendorKind: 'registry' | 'team', vendor: string): string | null {
  if (mode === 'manual' || vendorKind === 'registry') return null;
  return (
    `approval.mode: "${mode}" needs a vendor with a key registry API, but vendor ${vendor} is a provisioning team (people, no API); ` +
    'use approval.mode "manual" (a person approves through the CLI or the Temporal UI), or a vendor of kind http'
  );
}

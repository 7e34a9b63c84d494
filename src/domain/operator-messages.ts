/**
 * What people send a running rotation — approve, reject, reschedule, vendorApplied, abort,
 * rollback, confirmManualSteps — as payload schemas with size bounds. Anyone who can signal a workflow can send
 * anything (no codec key needed), so a handler parses its payload here first and never
 * touches state with what it could not parse: `parseMessage` never throws, and its refusal
 * names the field and the fix without echoing the payload back.
 *
 * Workflow-safe: zod is plain, deterministic JavaScript.
 */
import { z } from 'zod';
import { normalizeFingerprint } from './fingerprint';
import type { RotationWindow } from './rotation';

/** Bounds on what a sender controls: a handful of short strings and one window. */
export const MESSAGE_LIMITS = {
  approver: 200,
  reason: 2_000,
  fingerprint: 200,
  instant: 40,
  /** A window longer than this is a typo (weeks of "maintenance"), not an agreement. */
  windowMs: 31 * 86_400_000,
  /** How far ahead a window may start. */
  horizonMs: 400 * 86_400_000,
  /** The approval service's `link` (see src/approvals/link-token.ts): a link id, an address, an HMAC. */
  linkId: 64,
  sentTo: 320,
  proof: 100,
} as const;

/** The payload converter puts this in place of a payload it could not decode (see src/codec). */
export const UNDECODABLE_PAYLOAD = '__certrotUndecodablePayload';

/*
 * The schemas are built the first time a message is parsed, not when the module loads: every
 * new workflow evaluates the workflow modules afresh, and most rotations get one or two
 * messages. Lazy construction only: what each schema accepts is unchanged.
 */
function buildMessageSchemas() {
  const who = z.string().trim().min(1, 'say who you are').max(MESSAGE_LIMITS.approver, `at most ${MESSAGE_LIMITS.approver} characters`);
  const reason = z.string().trim().min(1, 'say why').max(MESSAGE_LIMITS.reason, `at most ${MESSAGE_LIMITS.reason} characters`);
  const fingerprint = z
    .string()
    .max(MESSAGE_LIMITS.fingerprint, 'too long for a SHA-256 fingerprint')
    .transform((value, ctx) => {
      try {
        return normalizeFingerprint(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not a SHA-256 fingerprint (64 hex digits, colons optional), e.g. AB:CD:...' });
        return z.NEVER;
      }
    });
  const instant = z
    .string()
    .max(MESSAGE_LIMITS.instant, 'not an ISO-8601 instant')
    .refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)), {
      message: 'write an ISO-8601 instant with a time zone, e.g. "2026-12-05T02:00:00Z"',
    })
    .transform((v) => new Date(Date.parse(v)).toISOString());

  const windowSchema = z
    .object({ start: instant, end: instant })
    .strict()
    .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: 'the window must end after it starts' })
    .refine((w) => Date.parse(w.end) - Date.parse(w.start) <= MESSAGE_LIMITS.windowMs, {
      message: `a window may last at most ${MESSAGE_LIMITS.windowMs / 86_400_000} days`,
    });

  const base64url = (max: number) =>
    z
      .string()
      .min(1, 'empty')
      .max(max, `at most ${max} characters`)
      .regex(/^[A-Za-z0-9_-]+$/, 'base64url characters only (A-Z a-z 0-9 - _)');
  // Only the approval service sends `link`; the worker checks `proof` before the decision counts.
  const link = z
    .object({
      linkId: base64url(MESSAGE_LIMITS.linkId),
      sentTo: z.string().min(1, 'where the link was sent').max(MESSAGE_LIMITS.sentTo, `at most ${MESSAGE_LIMITS.sentTo} characters`),
      proof: base64url(MESSAGE_LIMITS.proof),
    })
    .strict();

  return {
    approve: z.object({ approver: who, fingerprint, window: windowSchema.optional(), link: link.optional() }).strict(),
    reject: z.object({ approver: who, reason, link: link.optional() }).strict(),
    reschedule: z.object({ window: windowSchema }).strict(),
    vendorApplied: z.object({ fingerprint, by: who.optional() }).strict(),
    abort: z.object({ reason, by: who.optional() }).strict(),
    rollback: z.object({ reason, by: who.optional() }).strict(),
    confirmManualSteps: z.object({ by: who, note: reason.optional() }).strict(),
  } as const;
}

type MessageSchemas = ReturnType<typeof buildMessageSchemas>;
export type MessageName = keyof MessageSchemas;
export const MESSAGE_NAMES = ['approve', 'reject', 'reschedule', 'vendorApplied', 'abort', 'rollback', 'confirmManualSteps'] as const satisfies readonly MessageName[];
// every schema has its name in MESSAGE_NAMES (the compiler checks it both ways)
const everyNameListed: Exclude<MessageName, (typeof MESSAGE_NAMES)[number]> extends never ? true : never = true;
void everyNameListed;
export type ParsedMessage<N extends MessageName> = z.output<MessageSchemas[N]>;

let built: MessageSchemas | undefined;

/** Each message's schema, by name: built on first use (see above). */
export const messageSchemas = Object.defineProperties(
  {} as MessageSchemas,
  Object.fromEntries(MESSAGE_NAMES.map((name) => [name, { enumerable: true, get: () => (built ??= buildMessageSchemas())[name] }])),
);

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
    .join('; ');
}

/** Parses one message payload; never throws, whatever `raw` is. */
export function parseMessage<N extends MessageName>(name: N, raw: unknown): Parsed<ParsedMessage<N>> {
  try {
    if (raw !== null && typeof raw === 'object' && UNDECODABLE_PAYLOAD in raw) {
      return { ok: false, problem: 'the payload could not be decoded (wrong encoding, or encrypted with a key this worker does not have)' };
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return { ok: false, problem: `${name}: expected a JSON object, e.g. ${EXAMPLES[name]}` };
    }
    const parsed = messageSchemas[name].safeParse(raw);
    if (parsed.success) return { ok: true, value: parsed.data as ParsedMessage<N> };
    return { ok: false, problem: describe(parsed.error) };
  } catch {
    return { ok: false, problem: `${name}: the payload could not be read` };
  }
}

/** Parses a window (approve/reschedule) and checks it against `now`: not over, not absurdly far. */
export function windowProblem(window: RotationWindow, now: number): string | null {
  const end = Date.parse(window.end);
  if (end <= now) return `window: it ends at ${window.end}, which is not in the future (now ${new Date(now).toISOString()}); propose a later window`;
  if (Date.parse(window.start) - now > MESSAGE_LIMITS.horizonMs) {
    return `window: it starts more than ${MESSAGE_LIMITS.horizonMs / 86_400_000} days from now; propose a nearer window`;
  }
  return null;
}

/** One example per message, for refusals of a payload of the wrong shape (and for the README). */
export const EXAMPLES: Readonly<Record<MessageName, string>> = {
  approve: '{"approver":"vendor-team","fingerprint":"AB:CD:..."}',
  reject: '{"approver":"vendor-team","reason":"key not installed"}',
  reschedule: '{"window":{"start":"2026-12-05T02:00:00Z","end":"2026-12-05T04:00:00Z"}}',
  vendorApplied: '{"fingerprint":"AB:CD:...","by":"vendor-team"}',
  abort: '{"reason":"wrong certificate","by":"ops"}',
  rollback: '{"reason":"integration errors","by":"ops"}',
  confirmManualSteps: '{"by":"ops","note":"deployed Contoso_Callout with the new name"}',
};

/**
 * The sandbox vendor's fixture file: which orgs exist, in which mode, with which keys at
 * start. Schema documented in FIXTURE.md. A bad fixture fails with CONFIG_INVALID naming
 * the field (`orgs[1].keys[0].certificatePem`), never with a stack trace from the middle
 * of the server.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseCertificate } from '../../certificates';
import { RotationError } from '../../domain/errors';
import { continuityPolicySchema } from './continuity-policy';

const fixtureKeySchema = z
  .object({
    certificatePem: z.string().min(1, 'must be a PEM CERTIFICATE block'),
    state: z.enum(['staged', 'active', 'retired']).default('active'),
  })
  .strict();

const fixtureOrgSchema = z
  .object({
    orgId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of letters, digits, "_", "." or "-"'),
    mode: z.enum(['single-key', 'multi-key']),
    keys: z.array(fixtureKeySchema).default([]),
    /** A standing approval for continuity rotations of this org; none: verified statements stay pending. */
    continuityPolicy: continuityPolicySchema.nullable().default(null),
  })
  .strict();

const fixtureApprovalsSchema = z
  .object({
    /** The approval state of a key the vendor does not know: `404 KEY_NOT_FOUND` or `pending` (vendors differ). */
    unknownKey: z.enum(['not-found', 'pending']).default('not-found'),
    /** How old (by its issuedAt) a continuity statement may be. */
    statementMaxAgeSeconds: z.number().int().min(1).max(7 * 86_400).default(900),
  })
  .strict();

export const sandboxVendorFixtureSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    orgs: z.array(fixtureOrgSchema),
    approvals: fixtureApprovalsSchema.default({ unknownKey: 'not-found', statementMaxAgeSeconds: 900 }),
  })
  .strict()
  .superRefine((fixture, ctx) => {
    const seen = new Set<string>();
    fixture.orgs.forEach((org, o) => {
      if (seen.has(org.orgId)) ctx.addIssue({ code: 'custom', path: ['orgs', o, 'orgId'], message: `duplicates org "${org.orgId}"` });
      seen.add(org.orgId);
      org.keys.forEach((key, k) => {
        try {
          parseCertificate(key.certificatePem);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            path: ['orgs', o, 'keys', k, 'certificatePem'],
            message: `is not a certificate (${error instanceof Error ? error.message : String(error)})`,
          });
        }
      });
      const active = org.keys.filter((k) => k.state === 'active').length;
      if (org.mode === 'single-key' && active > 1) {
        ctx.addIssue({ code: 'custom', path: ['orgs', o, 'keys'], message: `has ${active} active keys but a single-key org holds at most one` });
      }
    });
  });

export type SandboxVendorFixture = z.output<typeof sandboxVendorFixtureSchema>;
/** A fixture as written (defaults not yet applied): what `SandboxVendorOptions.fixture` takes. */
export type SandboxVendorFixtureInput = z.input<typeof sandboxVendorFixtureSchema>;
export type FixtureOrg = SandboxVendorFixture['orgs'][number];

/** `orgs[1].keys[0].certificatePem` */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? String(part) : `${out}.${String(part)}`), '') || '(root)';
}

export function parseSandboxVendorFixture(value: unknown, source = 'fixture'): SandboxVendorFixture {
  const parsed = sandboxVendorFixtureSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? fieldPath(issue.path) : '(root)';
  throw new RotationError(
    'CONFIG_INVALID',
    `Sandbox vendor ${source}: "${field}" ${issue?.message ?? 'is invalid'}. See src/sandbox/vendor/FIXTURE.md for the schema.`,
    { details: { field, source } },
  );
}

export async function loadSandboxVendorFixture(file: string): Promise<SandboxVendorFixture> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RotationError('CONFIG_INVALID', `Cannot read the sandbox vendor fixture "${file}": ${error instanceof Error ? error.message : String(error)}.`, {
      details: { field: 'fixture', source: file },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RotationError('CONFIG_INVALID', `The sandbox vendor fixture "${file}" is not JSON: ${error instanceof Error ? error.message : String(error)}.`, {
      details: { field: '(root)', source: file },
    });
  }
  return parseSandboxVendorFixture(json, `fixture "${file}"`);
}

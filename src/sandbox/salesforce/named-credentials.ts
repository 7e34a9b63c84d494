/**
 * The sandbox org's named credentials, both models, as the Metadata API serves them:
 *
 *  - current model (`namedCredentialType` SecuredEndpoint / PrivateEndpoint, API 56+):
 *    the URL, the external credential, headers and the client certificate are entries of
 *    `namedCredentialParameters` (`parameterType` Url, Authentication, HttpHeader,
 *    ClientCertificate with `certificate` = Unique Name, ...); the top-level legacy fields
 *    are refused;
 *  - legacy (`namedCredentialType = Legacy`, the default when none is given): `endpoint`,
 *    `certificate`, `principalType`, `protocol`, the JWT settings (`jwtSigningCertificate`,
 *    ...) and the secrets `password`, `oauthToken`, `oauthRefreshToken`, `awsAccessSecret`.
 *
 * As in Salesforce, a read never returns a secret, and an update replaces the whole
 * component: whatever it leaves out is gone afterwards, secrets included. So an update
 * built from a read clears the secret — which is exactly what a test can catch.
 *
 * Here: the model, its fixture entry (read, written back, shown without secrets) and the
 * look-ups by name and by certificate. The Metadata API's read and save of a named
 * credential are in named-credential-metadata.ts.
 */
import { z } from 'zod';
import { newId } from './org-ids';
import type { OrgState } from './org-state';

export const LEGACY_TEXT_FIELDS = [
  'authProvider',
  'authTokenEndpointUrl',
  'awsAccessKey',
  'awsRegion',
  'awsService',
  'jwtAudience',
  'jwtFormulaSubject',
  'jwtIssuer',
  'jwtTextSubject',
  'jwtValidityPeriodSeconds',
  'oauthScope',
  'username',
] as const;
/** Stored, never returned by a read. */
export const SECRET_FIELDS = ['awsAccessSecret', 'oauthRefreshToken', 'oauthToken', 'password'] as const;
export const CERTIFICATE_FIELDS = ['certificate', 'jwtSigningCertificate'] as const;
/** Top-level fields valid only for `namedCredentialType = Legacy`. */
export const LEGACY_ONLY = ['endpoint', 'principalType', 'protocol', ...CERTIFICATE_FIELDS, ...LEGACY_TEXT_FIELDS, ...SECRET_FIELDS] as const;
export const PARAMETER_FIELDS = ['certificate', 'externalCredential', 'parameterName', 'parameterType', 'parameterValue', 'sequenceNumber'] as const;
const CURRENT_TYPES = ['SecuredEndpoint', 'PrivateEndpoint'] as const;

type SecretField = (typeof SECRET_FIELDS)[number];
type LegacyTextField = (typeof LEGACY_TEXT_FIELDS)[number];
export type SandboxNamedCredentialParameter = Partial<Record<(typeof PARAMETER_FIELDS)[number], string>> & { parameterName: string; parameterType: string };

export interface SandboxNamedCredential {
  id: string;
  fullName: string;
  label: string;
  namedCredentialType: 'Legacy' | (typeof CURRENT_TYPES)[number];
  allowMergeFieldsInBody: boolean;
  allowMergeFieldsInHeader: boolean;
  generateAuthorizationHeader: boolean;
  /** Legacy only (null in the current model). */
  endpoint: string | null;
  certificate: string | null;
  jwtSigningCertificate: string | null;
  principalType: string | null;
  protocol: string | null;
  settings: Partial<Record<LegacyTextField, string>>;
  /** Never leave the sandbox through a read or the state view. */
  secrets: Partial<Record<SecretField, string>>;
  /** Current model only. */
  parameters: SandboxNamedCredentialParameter[];
  lastModifiedDate: string;
}

// ---------------------------------------------------------------- fixture

const parameterSchema = z.object({
  parameterName: z.string().min(1),
  parameterType: z.string().min(1),
  parameterValue: z.string().optional(),
  certificate: z.string().optional(),
  externalCredential: z.string().optional(),
  sequenceNumber: z.number().int().nonnegative().optional(),
});

const optionalText = z.string().min(1).optional();

/** One `namedCredentials[]` entry of the fixture (FIXTURE.md). */
export const namedCredentialFixtureSchema = z
  .object({
    fullName: z
      .string()
      .max(80)
      .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and hold only letters, digits and underscores')
      .refine((v) => !v.includes('__') && !v.endsWith('_'), 'must not contain "__" or end with "_"'),
    label: z.string().min(1),
    namedCredentialType: z.enum(['Legacy', ...CURRENT_TYPES]).default('Legacy'),
    allowMergeFieldsInBody: z.boolean().default(false),
    allowMergeFieldsInHeader: z.boolean().default(false),
    generateAuthorizationHeader: z.boolean().default(false),
    endpoint: z.url().optional(),
    certificate: z.string().nullable().optional(),
    jwtSigningCertificate: z.string().nullable().optional(),
    principalType: optionalText,
    protocol: optionalText,
    ...Object.fromEntries(LEGACY_TEXT_FIELDS.filter((f) => f !== 'jwtValidityPeriodSeconds').map((f) => [f, optionalText])),
    jwtValidityPeriodSeconds: z.number().int().positive().optional(),
    ...Object.fromEntries(SECRET_FIELDS.map((f) => [f, optionalText])),
    namedCredentialParameters: z.array(parameterSchema).default([]),
  })
  .superRefine((nc, ctx) => {
    const given = nc as Record<string, unknown>;
    if (nc.namedCredentialType === 'Legacy') {
      if (!nc.endpoint) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'a legacy named credential needs an endpoint URL' });
      if (nc.namedCredentialParameters.length > 0) ctx.addIssue({ code: 'custom', path: ['namedCredentialParameters'], message: 'parameters belong to the current model (SecuredEndpoint)' });
      return;
    }
    for (const field of LEGACY_ONLY) {
      if (given[field] !== undefined && given[field] !== null) ctx.addIssue({ code: 'custom', path: [field], message: `valid only when namedCredentialType is Legacy` });
    }
    if (nc.namedCredentialParameters.filter((p) => p.parameterType === 'Url').length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['namedCredentialParameters'], message: 'a current-model named credential needs exactly one Url parameter' });
    }
  });
export type NamedCredentialFixture = z.output<typeof namedCredentialFixtureSchema>;

/** The certificates a fixture entry names, with the path of each (for the fixture's own check). */
export function certificatesNamedBy(nc: NamedCredentialFixture): { path: (string | number)[]; name: string }[] {
  const top = CERTIFICATE_FIELDS.flatMap((f) => (nc[f] ? [{ path: [f], name: nc[f] }] : []));
  const params = nc.namedCredentialParameters.flatMap((p, i) => (p.certificate ? [{ path: ['namedCredentialParameters', i, 'certificate'], name: p.certificate }] : []));
  return [...top, ...params];
}

export function namedCredentialFromFixture(state: Pick<OrgState, 'nextId'>, nc: NamedCredentialFixture, now: string): SandboxNamedCredential {
  const given = nc as Record<string, unknown>;
  const legacy = nc.namedCredentialType === 'Legacy';
  return {
    id: newId(state, '0XA'),
    fullName: nc.fullName,
    label: nc.label,
    namedCredentialType: nc.namedCredentialType,
    allowMergeFieldsInBody: nc.allowMergeFieldsInBody,
    allowMergeFieldsInHeader: nc.allowMergeFieldsInHeader,
    generateAuthorizationHeader: nc.generateAuthorizationHeader,
    endpoint: nc.endpoint ?? null,
    certificate: nc.certificate ?? null,
    jwtSigningCertificate: nc.jwtSigningCertificate ?? null,
    principalType: legacy ? (nc.principalType ?? 'Anonymous') : null,
    protocol: legacy ? (nc.protocol ?? 'NoAuthentication') : null,
    settings: pick(given, LEGACY_TEXT_FIELDS),
    secrets: pick(given, SECRET_FIELDS),
    parameters: nc.namedCredentialParameters.map((p) => ({ ...p, ...(p.sequenceNumber !== undefined ? { sequenceNumber: String(p.sequenceNumber) } : {}) }) as SandboxNamedCredentialParameter),
    lastModifiedDate: now,
  };
}

/** Back to a fixture entry (secrets included: `save` writes the org's own storage). */
export function namedCredentialToFixture(nc: SandboxNamedCredential): Record<string, unknown> {
  const { id: _id, lastModifiedDate: _modified, settings, secrets, parameters, ...rest } = nc;
  const jwtValidity = settings.jwtValidityPeriodSeconds;
  return {
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)),
    ...settings,
    ...(jwtValidity !== undefined ? { jwtValidityPeriodSeconds: Number(jwtValidity) } : {}),
    ...secrets,
    namedCredentialParameters: parameters.map((p) => ({ ...p, ...(p.sequenceNumber !== undefined ? { sequenceNumber: Number(p.sequenceNumber) } : {}) })),
  };
}

/** What `/__sandbox/state` shows: everything but the secrets, which are only named. */
export function namedCredentialView(nc: SandboxNamedCredential): Record<string, unknown> {
  const { secrets, settings, parameters, ...rest } = nc;
  return { ...rest, ...settings, namedCredentialParameters: parameters.map((p) => ({ ...p })), secretsSet: Object.keys(secrets).sort() };
}

// ---------------------------------------------------------------- look-ups

export function findNamedCredential(state: OrgState, fullName: string): SandboxNamedCredential | undefined {
  const wanted = fullName.toLowerCase();
  return state.namedCredentials.find((nc) => nc.fullName.toLowerCase() === wanted);
}

/** Named credentials naming `uniqueName` anywhere (what blocks deleting that certificate). */
export function namedCredentialsUsing(state: OrgState, uniqueName: string): SandboxNamedCredential[] {
  const wanted = uniqueName.toLowerCase();
  return state.namedCredentials.filter((nc) =>
    [nc.certificate, nc.jwtSigningCertificate, ...nc.parameters.map((p) => p.certificate ?? null)].some((name) => name?.toLowerCase() === wanted),
  );
}

// ---------------------------------------------------------------- values
// read alike from a fixture entry and from a Metadata API item (named-credential-metadata.ts)

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A field's value as text: a string (empty is none), number or boolean, or an XML element's `#text`. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = asRecord(value)['#text'];
  return typeof inner === 'string' && inner !== '' ? inner : undefined;
}

/** The given fields that hold text, as text. */
export function pick<K extends string>(from: Record<string, unknown>, fields: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const field of fields) {
    const value = text(from[field]);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

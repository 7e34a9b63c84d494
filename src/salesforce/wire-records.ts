/**
 * The shapes jsforce hands back for the calls the adapter makes, checked with zod rather
 * than trusted: an org (or a proxy in front of it) answering something unexpected should
 * fail with a clear SALESFORCE_ERROR, not with `undefined` deep inside a rotation.
 */
import { z } from 'zod';
import { RotationError } from '../domain/errors';
import type { MetadataResultError } from './errors';

/** jsforce casts Metadata booleans/numbers by schema; REST gives real JSON types. */
const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const numberish = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

export const metadataErrorSchema = z.object({
  statusCode: z.string().default('UNKNOWN'),
  message: z.string().default(''),
  fields: z.array(z.string()).nullish().transform((v) => v ?? []),
});

export const saveResultSchema = z.object({
  fullName: z.string().nullish(),
  success: booleanish,
  errors: z
    .union([z.array(metadataErrorSchema), metadataErrorSchema])
    .nullish()
    .transform((v): MetadataResultError[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v])),
});

/** A Certificate from readMetadata; a missing one comes back without fullName. */
export const certificateMetadataSchema = z.object({
  fullName: z.string().nullish(),
  masterLabel: z.string().nullish(),
  caSigned: booleanish.nullish(),
  keySize: numberish.nullish(),
  privateKeyExportable: booleanish.nullish(),
  expirationDate: z.string().nullish(),
  content: z.string().nullish(),
});
export type CertificateMetadata = z.infer<typeof certificateMetadataSchema>;

/**
 * xml2js text: a string, `{ _: text, $: attributes }`, or `{ $: { 'xsi:nil': 'true' } }`
 * (null); numbers and booleans as jsforce may have cast them.
 */
const wireText = z.unknown().transform((v): string | null => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && v !== null && '_' in v && typeof v._ === 'string') return v._;
  return null;
});

/**
 * One `namedCredentialParameters` entry (API 56+): `parameterType` Url, HttpHeader,
 * Authentication (the external credential), ClientCertificate (`certificate` = Unique
 * Name), AllowedManagedPackageNamespaces, ... Kept loose: every field read is sent back.
 */
export const namedCredentialParameterSchema = z
  .object({
    parameterName: wireText.optional(),
    parameterType: wireText.optional(),
    parameterValue: wireText.optional(),
    certificate: wireText.optional(),
  })
  .loose();

/**
 * A NamedCredential from readMetadata (a missing one comes back without fullName).
 * jsforce 3.10.16's bundled schema predates API 56: it knows neither `namedCredentialType`
 * nor `namedCredentialParameters`, so those arrive untyped, as xml2js made them — one
 * parameter as an object, several as an array — and the schema's required `principalType`
 * and `protocol` are invented as '' when the (current-model) component has none.
 */
export const namedCredentialMetadataSchema = z
  .object({
    fullName: z.string().nullish(),
    label: z.string().nullish(),
    namedCredentialType: wireText.optional(),
    certificate: z.string().nullish(),
    jwtSigningCertificate: z.string().nullish(),
    protocol: z.string().nullish(),
    namedCredentialParameters: z
      .union([z.array(namedCredentialParameterSchema), namedCredentialParameterSchema])
      .nullish()
      .transform((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v])),
  })
  .loose();
export type NamedCredentialMetadata = z.infer<typeof namedCredentialMetadataSchema>;

/** listMetadata's FileProperties (only live components: unlike the Tooling query, no deleted ones). */
export const filePropertiesSchema = z.object({ fullName: z.string(), id: z.string().nullish(), type: z.string().nullish(), createdDate: z.string().nullish() }).loose();
export type FileProperties = z.infer<typeof filePropertiesSchema>;

/** Tooling API `Certificate` rows. */
export const toolingCertificateSchema = z.object({
  Id: z.string(),
  DeveloperName: z.string(),
  MasterLabel: z.string(),
  ExpirationDate: z.string().nullish(),
  KeySize: numberish.nullish(),
  OptionsIsCaSigned: booleanish.nullish(),
  OptionsIsPrivateKeyExportable: booleanish.nullish(),
  OptionsIsUnusable: booleanish.nullish(),
});
export type ToolingCertificate = z.infer<typeof toolingCertificateSchema>;

export const executeAnonymousSchema = z.object({
  compiled: booleanish,
  success: booleanish,
  compileProblem: z.string().nullish(),
  exceptionMessage: z.string().nullish(),
  exceptionStackTrace: z.string().nullish(),
  line: z.number().nullish(),
  column: z.number().nullish(),
});

export const limitsSchema = z.object({
  DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }),
});

export const describeGlobalSchema = z.object({
  sobjects: z.array(z.object({ name: z.string(), customSetting: z.boolean().nullish(), queryable: z.boolean().nullish() }).loose()),
});

/**
 * An object's describe. `filterable` (may appear in a SOQL WHERE; a Long Text Area may not),
 * `calculated` (a formula) and `updateable` decide how a field is searched and whether it
 * can be switched at all; missing flags are read as the safe answer (not filterable, not
 * writable).
 */
export const describeSchema = z.object({
  name: z.string(),
  customSetting: z.boolean().nullish(),
  fields: z.array(
    z
      .object({
        name: z.string(),
        label: z.string().nullish(),
        type: z.string(),
        length: z.number().nullish(),
        custom: z.boolean().nullish(),
        filterable: z.boolean().nullish(),
        calculated: z.boolean().nullish(),
        updateable: z.boolean().nullish(),
      })
      .loose(),
  ),
});
export type DescribedObject = z.infer<typeof describeSchema>;

/**
 * A CustomMetadata component from readMetadata. `values[].value` arrives as xml2js made it:
 * text, `{ _: text, $: { 'xsi:type' } }`, or `{ $: { 'xsi:nil': 'true' } }` for an empty field.
 */
export const customMetadataSchema = z
  .object({
    fullName: z.string().nullish(),
    label: z.string().nullish(),
    description: z.string().nullish(),
    protected: booleanish.nullish(),
    values: z
      .array(z.object({ field: z.string(), value: z.unknown() }).loose())
      .nullish()
      .transform((v) => v ?? []),
  })
  .loose();
export type CustomMetadataRecord = z.infer<typeof customMetadataSchema>;

export const calloutResultSchema = z.object({ statusCode: z.number().int(), body: z.string().nullish().transform((v) => v ?? '') });

/** Any SOQL row: we only read string/null fields from it. */
export const soqlRowSchema = z.record(z.string(), z.unknown());

export function parseWire<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new RotationError(
    'SALESFORCE_ERROR',
    `Salesforce answered ${what} in an unexpected shape (at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}); check the API version and any proxy in between.`,
  );
}

/** Salesforce field names are case-insensitive; rows use the describe's spelling. */
export function stringField(row: Record<string, unknown>, field: string): string | null {
  const key = field in row ? field : Object.keys(row).find((k) => k.toLowerCase() === field.toLowerCase());
  const value = key === undefined ? undefined : row[key];
  return typeof value === 'string' ? value : null;
}

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

export const namedCredentialMetadataSchema = z
  .object({
    fullName: z.string().nullish(),
    label: z.string().nullish(),
    certificate: z.string().nullish(),
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

export const describeSchema = z.object({
  name: z.string(),
  fields: z.array(z.object({ name: z.string(), type: z.string(), custom: z.boolean().nullish(), updateable: z.boolean().nullish() }).loose()),
});

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

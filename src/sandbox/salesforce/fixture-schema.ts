/**
 * The sandbox org's fixture file (documented in FIXTURE.md), validated with zod. A bad
 * fixture fails at start-up with the offending field named, e.g.
 * `customSettings[0].records[1].setupOwnerId: ...`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RotationError } from '../../domain/errors';
import { certificatesNamedBy, namedCredentialFixtureSchema } from './named-credentials';

const recordId = (prefix: string, what: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9]{${15 - prefix.length}}(?:[A-Za-z0-9]{3})?$`), `must be a 15/18-character ${what} Id starting with ${prefix}`);

/** Salesforce developer-name rules (the Unique Name of a certificate or named credential). */
const developerName = z
  .string()
  .max(80)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and hold only letters, digits and underscores')
  .refine((v) => !v.includes('__') && !v.endsWith('_'), 'must not contain "__" or end with "_"');

const customApiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'must be a custom API name ending in __c');
const pem = (type: string) => z.string().refine((v) => v.includes(`-----BEGIN ${type}`), `must be a PEM ${type}`);

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const fieldDefinition = z.object({
  name: customApiName,
  label: z.string().optional(),
  /** `textarea` longer than 255 is a Long Text Area: describe says `filterable: false`. */
  type: z.enum(['string', 'textarea', 'boolean', 'double']).default('string'),
  length: z.number().int().positive().max(131072).default(255),
  /** A formula field: describe says `calculated: true`, `updateable: false`; records give its (computed) value. */
  calculated: z.boolean().default(false),
  /** false: read-only for the integration user (field-level security). */
  updateable: z.boolean().default(true),
});

/**
 * Whether the integration user can see an object: `hidden` (missing from describeGlobal and
 * describe, as if not installed), `refuses-describe` (listed, but describe and query answer
 * INSUFFICIENT_ACCESS) or `refuses-query` (described, but the query answers INSUFFICIENT_ACCESS)
 * — what a managed package's protected custom setting or an object without read access does.
 */
const objectAccess = z.enum(['readable', 'hidden', 'refuses-describe', 'refuses-query']).default('readable');

/** Custom Metadata Type records: SOQL reads them, only the Metadata API (`CustomMetadata`) writes them. */
const customMetadataType = z.object({
  apiName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__mdt$/, 'must be a Custom Metadata Type API name ending in __mdt'),
  label: z.string().min(1),
  fields: z.array(fieldDefinition).default([]),
  records: z
    .array(
      z.object({
        developerName: developerName,
        label: z.string().min(1).max(40),
        values: z.record(z.string(), fieldValue).default({}),
      }),
    )
    .default([]),
});

/** Apex code: installed managed code (a namespacePrefix) reads as `(hidden)`, as in a subscriber org. */
const apexCode = z.object({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'must be an Apex class or trigger name'),
  body: z.string().min(1),
  namespacePrefix: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,14}$/).optional(),
  status: z.enum(['Active', 'Inactive']).default('Active'),
});

const customSetting = z.object({
  apiName: customApiName,
  label: z.string().min(1),
  settingType: z.enum(['hierarchy', 'list']).default('hierarchy'),
  access: objectAccess,
  fields: z.array(fieldDefinition).default([]),
  records: z
    .array(
      z.object({
        id: recordId('a0', 'custom setting record').optional(),
        /** Hierarchy settings: the organization, profile or user the record applies to. */
        setupOwnerId: z.string().optional(),
        /** List settings: the record's Name. */
        name: z.string().optional(),
        lastModifiedDate: z.iso.datetime().optional(),
        values: z.record(z.string(), fieldValue).default({}),
      }),
    )
    .default([]),
});

const customObject = z.object({
  apiName: customApiName,
  label: z.string().min(1),
  access: objectAccess,
  fields: z.array(fieldDefinition).default([]),
  records: z
    .array(
      z.object({
        id: recordId('a', 'custom object record').optional(),
        name: z.string().min(1),
        lastModifiedDate: z.iso.datetime().optional(),
        values: z.record(z.string(), fieldValue).default({}),
      }),
    )
    .default([]),
});

const certificate = z.object({
  id: recordId('0P1', 'certificate').optional(),
  uniqueName: developerName,
  label: z.string().min(1).max(64),
  keySize: z.union([z.literal(2048), z.literal(3072), z.literal(4096)], 'must be 2048, 3072 or 4096 (the key sizes Salesforce offers)').default(2048),
  caSigned: z.boolean().default(false),
  privateKeyExportable: z.boolean().default(true),
  /** When key material is generated at load: when the certificate starts (to make one that expires soon). */
  notBefore: z.iso.datetime().optional(),
  createdDate: z.iso.datetime().optional(),
  /** Key material: all optional — omitted, the sandbox generates it at load. */
  privateKeyPem: pem('').refine((v) => /PRIVATE KEY-----/.test(v), 'must be a PEM private key').optional(),
  /** The certificate, or a CA-signed one's whole chain in any order (the leaf is the one carrying privateKeyPem's key). */
  certificatePem: pem('CERTIFICATE').optional(),
  /** CA-signed and waiting for its chain: the pending CSR. */
  csrPem: pem('CERTIFICATE REQUEST').optional(),
  /** A deleted certificate the Tooling API still lists (as Salesforce does). */
  deleted: z.boolean().default(false),
});


const connectedApp = z.object({
  name: z.string().min(1),
  consumerKey: z.string().min(10),
  consumerSecret: z.string().min(8).optional(),
  /** The certificate registered for JWT bearer ("Use digital signatures"); generated at start when omitted. */
  certificatePem: pem('CERTIFICATE').optional(),
  refreshTokens: z.array(z.object({ token: z.string().min(16), username: z.string() })).default([]),
  /** "Issue JSON Web Token (JWT)-based access tokens for named users": access tokens are JWTs (jsforce then refuses SOAP). */
  jwtBasedAccessTokens: z.boolean().default(false),
  /** Permitted Users = "Admin approved users are pre-authorized": others get invalid_app_access. */
  adminApprovedUsersOnly: z.boolean().default(false),
  /** With adminApprovedUsersOnly: the profiles the app is assigned to. */
  preAuthorizedProfileIds: z.array(z.string()).default([]),
});

/**
 * Switches for Salesforce behaviour that is not confirmed: the sandbox gives either answer,
 * and the adapter is tested against both (FIXTURE.md, "behaviour").
 */
const certificateBehaviour = {
  /** Whether a deleted certificate's Unique Name can be used again by a create, or stays reserved. */
  deletedCertificateNames: z.enum(['reusable', 'reserved']).default('reusable'),
  /**
   * Whether the Tooling Certificate query returns deleted certificates. SALESFORCE.md: "The
   * query may also return deleted records" — may: for how long (until they are purged?) is
   * not documented. `listed` returns them, `purged` no longer does.
   */
  deletedCertificatesInTooling: z.enum(['listed', 'purged']).default('listed'),
  /** The failure of deleting a certificate a named credential uses; `{namedCredentials}` in the message names them. */
  certificateInUseFault: z
    .object({
      statusCode: z.string().regex(/^[A-Z][A-Z_]*$/, 'a Salesforce status code such as DEPENDENCY_EXISTS').default('DEPENDENCY_EXISTS'),
      message: z.string().min(1).default("This certificate is in use by named credential {namedCredentials} and can't be deleted."),
    })
    .prefault({}),
};

const recordBehaviour = {
  /** How a PATCH's If-Unmodified-Since (an HTTP date, whole seconds) is compared with LastModifiedDate. */
  ifUnmodifiedSincePrecision: z.enum(['second', 'millisecond']).default('second'),
  /** A Composite subrequest refused by its If-Unmodified-Since: 412 with the usual error list, or 412 with no body (composite-api.ts). */
  compositePreconditionBody: z.enum(['errors', 'empty']).default('errors'),
};

/**
 * Not Salesforce behaviour at all, a test-speed switch (FIXTURE.md, "behaviour"): key material
 * the sandbox generates at load is shared process-wide — one key pair and content per key
 * size and notBefore for certificates (per key size for pending CSRs), one JWT key pair for
 * connected apps — so a fleet of orgs starts without generating thousands of RSA keys.
 */
const speedBehaviour = {
  shareFixtureKeyMaterial: z.boolean().default(false),
  /**
   * Also no Salesforce behaviour, a benchmark-speed switch (FIXTURE.md): how many RSA key
   * pairs per key size the process generates when the org loads, for certificates created
   * through the API later (each used once; generated on demand when they run out). 0: none.
   */
  pregeneratedKeys: z.number().int().min(0).max(10_000).default(0),
};

export const sandboxFixtureSchema = z
  .object({
    orgId: recordId('00D', 'organization'),
    orgName: z.string().default('certrot sandbox org'),
    /** A sandbox org: JWT bearer wants the audience https://test.salesforce.com (else https://login.salesforce.com). */
    isSandbox: z.boolean().default(false),
    dailyApiRequests: z.object({ max: z.number().int().positive(), used: z.number().int().nonnegative().default(0) }).default({ max: 15000, used: 0 }),
    profiles: z.array(z.object({ id: recordId('00e', 'profile'), name: z.string().min(1) })).default([]),
    users: z
      .array(
        z.object({
          id: recordId('005', 'user'),
          username: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like an e-mail address'),
          name: z.string().default(''),
          profileId: z.string(),
          active: z.boolean().default(true),
        }),
      )
      .min(1),
    connectedApps: z.array(connectedApp).default([]),
    certificates: z.array(certificate).default([]),
    customSettings: z.array(customSetting).default([]),
    customObjects: z.array(customObject).default([]),
    namedCredentials: z.array(namedCredentialFixtureSchema).default([]),
    customMetadataTypes: z.array(customMetadataType).default([]),
    apexClasses: z.array(apexCode).default([]),
    apexTriggers: z.array(apexCode.extend({ object: z.string().min(1).default('Account') })).default([]),
    /** CA certificates Apex callouts trust (in addition to those given in the options). */
    trustedCaPems: z.array(pem('CERTIFICATE')).default([]),
    /**
     * Unique Names named credentials may name although the org has no live certificate of
     * that name: what a sandbox refresh leaves behind (SALESFORCE.md, "settings copied from
     * production may then name a certificate that does not exist there"). Any other unknown
     * name still fails the start, as a typo.
     */
    absentCertificateNames: z.array(developerName).default([]),
    /** Unconfirmed Salesforce behaviour: which answer the sandbox gives (and one test-speed switch). */
    behaviour: z.object({ ...certificateBehaviour, ...recordBehaviour, ...speedBehaviour }).strict().prefault({}),
  })
  .superRefine((fixture, ctx) => {
    const profileIds = new Set(fixture.profiles.map((p) => p.id));
    const ownerIds = new Set([fixture.orgId, ...profileIds, ...fixture.users.map((u) => u.id)]);
    fixture.users.forEach((user, i) => {
      if (!profileIds.has(user.profileId)) ctx.addIssue({ code: 'custom', path: ['users', i, 'profileId'], message: `no profile with Id ${user.profileId}` });
    });
    const certNames = new Set<string>();
    fixture.certificates.forEach((cert, i) => {
      if (!cert.deleted) {
        if (certNames.has(cert.uniqueName.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['certificates', i, 'uniqueName'], message: 'duplicate Unique Name' });
        certNames.add(cert.uniqueName.toLowerCase());
      }
      const hasKey = cert.privateKeyPem !== undefined;
      if (hasKey !== (cert.certificatePem !== undefined || cert.csrPem !== undefined)) {
        ctx.addIssue({ code: 'custom', path: ['certificates', i, 'privateKeyPem'], message: 'give privateKeyPem together with certificatePem (or csrPem), or neither' });
      }
      if (cert.csrPem !== undefined && !cert.caSigned) ctx.addIssue({ code: 'custom', path: ['certificates', i, 'csrPem'], message: 'only a CA-signed certificate waits with a CSR' });
    });
    fixture.customSettings.forEach((setting, s) => {
      const fieldNames = new Set(setting.fields.map((f) => f.name));
      setting.records.forEach((record, r) => {
        if (setting.settingType === 'hierarchy' && (record.setupOwnerId === undefined || !ownerIds.has(record.setupOwnerId))) {
          ctx.addIssue({
            code: 'custom',
            path: ['customSettings', s, 'records', r, 'setupOwnerId'],
            message: 'a hierarchy setting record needs the Id of the organization, a profile or a user of this fixture',
          });
        }
        for (const key of Object.keys(record.values)) {
          if (!fieldNames.has(key)) ctx.addIssue({ code: 'custom', path: ['customSettings', s, 'records', r, 'values', key], message: `no field ${key} on ${setting.apiName}` });
        }
      });
    });
    fixture.customObjects.forEach((object, o) => {
      const fieldNames = new Set(object.fields.map((f) => f.name));
      object.records.forEach((record, r) => {
        for (const key of Object.keys(record.values)) {
          if (!fieldNames.has(key)) ctx.addIssue({ code: 'custom', path: ['customObjects', o, 'records', r, 'values', key], message: `no field ${key} on ${object.apiName}` });
        }
      });
    });
    fixture.customMetadataTypes.forEach((type, t) => {
      const fieldNames = new Set(type.fields.map((f) => f.name));
      const names = new Set<string>();
      type.records.forEach((record, r) => {
        if (names.has(record.developerName.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['customMetadataTypes', t, 'records', r, 'developerName'], message: 'duplicate DeveloperName' });
        names.add(record.developerName.toLowerCase());
        for (const key of Object.keys(record.values)) {
          if (!fieldNames.has(key)) ctx.addIssue({ code: 'custom', path: ['customMetadataTypes', t, 'records', r, 'values', key], message: `no field ${key} on ${type.apiName}` });
        }
      });
    });
    const absent = new Set(fixture.absentCertificateNames.map((n) => n.toLowerCase()));
    fixture.namedCredentials.forEach((nc, i) => {
      for (const { path, name } of certificatesNamedBy(nc)) {
        if (!certNames.has(name.toLowerCase()) && !absent.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['namedCredentials', i, ...path], message: `no certificate with Unique Name ${name}` });
      }
    });
  });

export type SandboxFixture = z.output<typeof sandboxFixtureSchema>;
export type SandboxFixtureInput = z.input<typeof sandboxFixtureSchema>;

/** `a.b[0].c` from a zod path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

export function parseFixture(value: unknown, source = 'fixture'): SandboxFixture {
  const result = sandboxFixtureSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? formatPath(issue.path) : '';
  throw new RotationError('CONFIG_INVALID', `Invalid sandbox org ${source}: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, {
    details: { field, problems: result.error.issues.length },
  });
}

export async function loadFixtureFile(path: string): Promise<SandboxFixture> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RotationError('CONFIG_INVALID', `Cannot read sandbox org fixture ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RotationError('CONFIG_INVALID', `Sandbox org fixture ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseFixture(json, `fixture ${path}`);
}

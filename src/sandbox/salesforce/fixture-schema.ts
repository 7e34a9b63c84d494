/**
 * The sandbox org's fixture file (documented in FIXTURE.md), validated with zod. A bad
 * fixture fails at start-up with the offending field named, e.g.
 * `customSettings[0].records[1].setupOwnerId: ...`.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RotationError } from '../../domain/errors';

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
  type: z.enum(['string', 'textarea', 'boolean', 'double']).default('string'),
  length: z.number().int().positive().max(131072).default(255),
});

const customSetting = z.object({
  apiName: customApiName,
  label: z.string().min(1),
  settingType: z.enum(['hierarchy', 'list']).default('hierarchy'),
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
  keySize: z.union([z.literal(2048), z.literal(4096)]).default(2048),
  caSigned: z.boolean().default(false),
  privateKeyExportable: z.boolean().default(true),
  /** When key material is generated at load: when the certificate starts (to make one that expires soon). */
  notBefore: z.iso.datetime().optional(),
  createdDate: z.iso.datetime().optional(),
  /** Key material: all optional — omitted, the sandbox generates it at load. */
  privateKeyPem: pem('').refine((v) => /PRIVATE KEY-----/.test(v), 'must be a PEM private key').optional(),
  certificatePem: pem('CERTIFICATE').optional(),
  /** CA-signed and waiting for its chain: the pending CSR. */
  csrPem: pem('CERTIFICATE REQUEST').optional(),
  /** A deleted certificate the Tooling API still lists (as Salesforce does). */
  deleted: z.boolean().default(false),
});

const namedCredential = z.object({
  fullName: developerName,
  label: z.string().min(1),
  endpoint: z.url(),
  certificate: z.string().nullable().optional(),
  principalType: z.string().default('Anonymous'),
  protocol: z.string().default('NoAuthentication'),
});

const connectedApp = z.object({
  name: z.string().min(1),
  consumerKey: z.string().min(10),
  consumerSecret: z.string().min(8).optional(),
  /** The certificate registered for JWT bearer ("Use digital signatures"); generated at start when omitted. */
  certificatePem: pem('CERTIFICATE').optional(),
  refreshTokens: z.array(z.object({ token: z.string().min(16), username: z.string() })).default([]),
});

export const sandboxFixtureSchema = z
  .object({
    orgId: recordId('00D', 'organization'),
    orgName: z.string().default('certrot sandbox org'),
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
    namedCredentials: z.array(namedCredential).default([]),
    /** CA certificates Apex callouts trust (in addition to those given in the options). */
    trustedCaPems: z.array(pem('CERTIFICATE')).default([]),
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
    fixture.namedCredentials.forEach((nc, i) => {
      if (nc.certificate && !certNames.has(nc.certificate.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: ['namedCredentials', i, 'certificate'], message: `no certificate with Unique Name ${nc.certificate}` });
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

/**
 * The sandbox org's data in memory: built from a fixture (generating missing key material),
 * written back to a fixture (`save`), and shown without private keys (`publicView`).
 *
 * Custom settings, custom objects, profiles and users are all "tables" of rows keyed by
 * their canonical field names, so SOQL, describe and PATCH work on them the same way.
 */
import { X509Certificate, createPublicKey, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { certificateFingerprint, createSelfSignedCertificate, generateRsaKeyPair, parseCertificate, splitPemBlocks } from '../../certificates';
import type { SandboxFixture } from './fixture-schema';
import { makeCsr, makeSelfSigned } from './key-material';

export type FieldValue = string | number | boolean | null;
export type Row = Record<string, FieldValue>;

export interface FieldDef {
  name: string;
  label: string;
  /** describe's field type: id, reference, string, textarea, boolean, double, datetime. */
  type: string;
  length: number;
  custom: boolean;
  updateable: boolean;
}

export interface Table {
  name: string;
  label: string;
  keyPrefix: string;
  custom: boolean;
  customSetting: boolean;
  settingType: 'hierarchy' | 'list' | null;
  fields: FieldDef[];
  rows: Row[];
}

export interface SandboxCertificate {
  id: string;
  uniqueName: string;
  label: string;
  keySize: 2048 | 4096;
  caSigned: boolean;
  privateKeyExportable: boolean;
  /** Never leaves the sandbox through any endpoint. */
  privateKeyPem: string;
  /** The leaf certificate; null while a CA-signed certificate waits for its chain. */
  certificatePem: string | null;
  /** The uploaded chain (leaf first) of a CA-signed certificate. */
  chainPem: string | null;
  csrPem: string | null;
  createdDate: string;
  lastModifiedDate: string;
  deleted: boolean;
}

export interface SandboxNamedCredential {
  id: string;
  fullName: string;
  label: string;
  endpoint: string;
  certificate: string | null;
  principalType: string;
  protocol: string;
  lastModifiedDate: string;
}

export interface SandboxConnectedApp {
  name: string;
  consumerKey: string;
  consumerSecret: string | null;
  certificatePem: string;
  refreshTokens: { token: string; username: string }[];
}

export interface SandboxUser {
  id: string;
  username: string;
  name: string;
  profileId: string;
  active: boolean;
}

export interface OrgState {
  orgId: string;
  orgName: string;
  dailyApiRequests: { max: number; used: number };
  users: SandboxUser[];
  profiles: { id: string; name: string }[];
  connectedApps: SandboxConnectedApp[];
  certificates: SandboxCertificate[];
  namedCredentials: SandboxNamedCredential[];
  /** Custom settings, custom objects and the standard Profile/User tables. */
  tables: Table[];
  trustedCaPems: string[];
  nextId: number;
}

/** What `buildOrgState` made that the caller may need to hand out (once, at start). */
export interface GeneratedSecrets {
  /** Connected apps whose JWT key pair was generated at start: consumer key -> private key PEM. */
  connectedAppKeys: Map<string, string>;
}

const SYSTEM_FIELDS = (setting: boolean, hierarchy: boolean): FieldDef[] => [
  { name: 'Id', label: 'Record ID', type: 'id', length: 18, custom: false, updateable: false },
  { name: 'Name', label: 'Name', type: 'string', length: 80, custom: false, updateable: !hierarchy },
  ...(setting && hierarchy ? [{ name: 'SetupOwnerId', label: 'Location', type: 'reference', length: 18, custom: false, updateable: false }] : []),
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', length: 0, custom: false, updateable: false },
  { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', length: 0, custom: false, updateable: false },
  { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', length: 0, custom: false, updateable: false },
];

/** An 18-character Salesforce-like Id with the object's key prefix. */
export function newId(state: Pick<OrgState, 'nextId'>, prefix: string): string {
  state.nextId += 1;
  const body = state.nextId.toString(36).toUpperCase().padStart(15 - prefix.length, '0');
  return `${prefix}${body}AAA`;
}

function customTable(
  def: { apiName: string; label: string; fields: { name: string; label?: string | undefined; type: string; length: number }[] },
  keyPrefix: string,
  setting: 'hierarchy' | 'list' | null,
): Table {
  return {
    name: def.apiName,
    label: def.label,
    keyPrefix,
    custom: true,
    customSetting: setting !== null,
    settingType: setting,
    fields: [
      ...SYSTEM_FIELDS(setting !== null, setting === 'hierarchy'),
      ...def.fields.map((f) => ({ name: f.name, label: f.label ?? f.name, type: f.type, length: f.length, custom: true, updateable: true })),
    ],
    rows: [],
  };
}

export async function buildOrgState(fixture: SandboxFixture, options: { now?: Date; extraTrustedCaPems?: string[] } = {}): Promise<{ state: OrgState; secrets: GeneratedSecrets }> {
  const now = (options.now ?? new Date()).toISOString();
  const state: OrgState = {
    orgId: fixture.orgId.length === 15 ? `${fixture.orgId}AAA` : fixture.orgId,
    orgName: fixture.orgName,
    dailyApiRequests: { ...fixture.dailyApiRequests },
    users: fixture.users.map((u) => ({ ...u })),
    profiles: fixture.profiles.map((p) => ({ ...p })),
    connectedApps: [],
    certificates: [],
    namedCredentials: [],
    tables: [],
    trustedCaPems: [...fixture.trustedCaPems, ...(options.extraTrustedCaPems ?? [])],
    nextId: 1000,
  };
  const secrets: GeneratedSecrets = { connectedAppKeys: new Map() };

  for (const app of fixture.connectedApps) {
    let certificatePem = app.certificatePem;
    if (!certificatePem) {
      const { privateKeyPem } = await generateRsaKeyPair(2048);
      certificatePem = createSelfSignedCertificate({ privateKeyPem, subject: { commonName: `${app.name} JWT` }, validityDays: 365 });
      secrets.connectedAppKeys.set(app.consumerKey, privateKeyPem);
    }
    state.connectedApps.push({ name: app.name, consumerKey: app.consumerKey, consumerSecret: app.consumerSecret ?? null, certificatePem, refreshTokens: app.refreshTokens });
  }

  for (const cert of fixture.certificates) {
    const base = {
      id: cert.id ?? newId(state, '0P1'),
      uniqueName: cert.uniqueName,
      label: cert.label,
      keySize: cert.keySize,
      caSigned: cert.caSigned,
      privateKeyExportable: cert.privateKeyExportable,
      createdDate: cert.createdDate ?? cert.notBefore ?? now,
      lastModifiedDate: cert.createdDate ?? now,
      deleted: cert.deleted,
      chainPem: null,
    };
    if (cert.privateKeyPem) {
      // a saved CA-signed certificate keeps its whole chain in certificatePem (leaf first)
      const blocks = cert.certificatePem ? splitPemBlocks(cert.certificatePem).filter((b) => b.type === 'CERTIFICATE') : [];
      state.certificates.push({
        ...base,
        privateKeyPem: cert.privateKeyPem,
        certificatePem: blocks[0]?.pem ?? null,
        chainPem: blocks.length > 1 ? cert.certificatePem ?? null : null,
        csrPem: cert.csrPem ?? null,
      });
    } else if (cert.caSigned) {
      const made = await makeCsr({ uniqueName: cert.uniqueName, keySize: cert.keySize, orgId: state.orgId });
      state.certificates.push({ ...base, privateKeyPem: made.privateKeyPem, certificatePem: null, csrPem: made.csrPem });
    } else {
      const made = await makeSelfSigned({
        uniqueName: cert.uniqueName,
        keySize: cert.keySize,
        orgId: state.orgId,
        ...(cert.notBefore ? { notBefore: new Date(cert.notBefore) } : {}),
      });
      state.certificates.push({ ...base, privateKeyPem: made.privateKeyPem, certificatePem: made.certificatePem, csrPem: null });
    }
  }

  for (const nc of fixture.namedCredentials) {
    state.namedCredentials.push({
      id: newId(state, '0XA'),
      fullName: nc.fullName,
      label: nc.label,
      endpoint: nc.endpoint,
      certificate: nc.certificate ?? null,
      principalType: nc.principalType,
      protocol: nc.protocol,
      lastModifiedDate: now,
    });
  }

  state.tables.push({
    name: 'Organization',
    label: 'Organization',
    keyPrefix: '00D',
    custom: false,
    customSetting: false,
    settingType: null,
    fields: [
      { name: 'Id', label: 'Organization ID', type: 'id', length: 18, custom: false, updateable: false },
      { name: 'Name', label: 'Name', type: 'string', length: 80, custom: false, updateable: false },
    ],
    rows: [{ Id: state.orgId, Name: state.orgName }],
  });
  state.tables.push({
    name: 'Profile',
    label: 'Profile',
    keyPrefix: '00e',
    custom: false,
    customSetting: false,
    settingType: null,
    fields: [
      { name: 'Id', label: 'Profile ID', type: 'id', length: 18, custom: false, updateable: false },
      { name: 'Name', label: 'Name', type: 'string', length: 255, custom: false, updateable: false },
    ],
    rows: state.profiles.map((p) => ({ Id: p.id, Name: p.name })),
  });
  state.tables.push({
    name: 'User',
    label: 'User',
    keyPrefix: '005',
    custom: false,
    customSetting: false,
    settingType: null,
    fields: [
      { name: 'Id', label: 'User ID', type: 'id', length: 18, custom: false, updateable: false },
      { name: 'Username', label: 'Username', type: 'string', length: 80, custom: false, updateable: false },
      { name: 'Name', label: 'Full Name', type: 'string', length: 121, custom: false, updateable: false },
      { name: 'ProfileId', label: 'Profile ID', type: 'reference', length: 18, custom: false, updateable: false },
      { name: 'IsActive', label: 'Active', type: 'boolean', length: 0, custom: false, updateable: false },
    ],
    rows: state.users.map((u) => ({ Id: u.id, Username: u.username, Name: u.name, ProfileId: u.profileId, IsActive: u.active })),
  });

  fixture.customSettings.forEach((setting, i) => {
    const table = customTable(setting, `a0${String.fromCharCode(65 + (i % 26))}`, setting.settingType);
    for (const record of setting.records) {
      const modified = record.lastModifiedDate ?? now;
      table.rows.push({
        Id: record.id ?? newId(state, table.keyPrefix),
        Name: record.name ?? (setting.settingType === 'hierarchy' ? `${setting.label} (${record.setupOwnerId ?? ''})` : ''),
        ...(setting.settingType === 'hierarchy' ? { SetupOwnerId: record.setupOwnerId ?? null } : {}),
        CreatedDate: modified,
        LastModifiedDate: modified,
        SystemModstamp: modified,
        ...record.values,
      });
    }
    state.tables.push(table);
  });
  fixture.customObjects.forEach((object, i) => {
    const table = customTable(object, `a1${String.fromCharCode(65 + (i % 26))}`, null);
    for (const record of object.records) {
      const modified = record.lastModifiedDate ?? now;
      table.rows.push({
        Id: record.id ?? newId(state, table.keyPrefix),
        Name: record.name,
        CreatedDate: modified,
        LastModifiedDate: modified,
        SystemModstamp: modified,
        ...record.values,
      });
    }
    state.tables.push(table);
  });
  return { state, secrets };
}

export function liveCertificate(state: OrgState, uniqueName: string): SandboxCertificate | undefined {
  const wanted = uniqueName.toLowerCase();
  return state.certificates.find((c) => !c.deleted && c.uniqueName.toLowerCase() === wanted);
}

export function findTable(state: OrgState, name: string): Table | undefined {
  const wanted = name.toLowerCase();
  return state.tables.find((t) => t.name.toLowerCase() === wanted);
}

export function expirationOf(cert: SandboxCertificate): string | null {
  return cert.certificatePem ? parseCertificate(cert.certificatePem).notAfter.toISOString() : null;
}

/** The state as a fixture again (private keys included: it is the org's own storage). */
export function toFixture(state: OrgState): unknown {
  const customRows = (table: Table) =>
    table.rows.map((row) => {
      const values: Record<string, FieldValue> = {};
      for (const field of table.fields) if (field.custom && row[field.name] !== undefined) values[field.name] = row[field.name] ?? null;
      return { id: row.Id, lastModifiedDate: row.LastModifiedDate, values, row };
    });
  const customFields = (table: Table) => table.fields.filter((f) => f.custom).map((f) => ({ name: f.name, label: f.label, type: f.type, length: f.length }));
  return {
    orgId: state.orgId,
    orgName: state.orgName,
    dailyApiRequests: state.dailyApiRequests,
    profiles: state.profiles,
    users: state.users,
    connectedApps: state.connectedApps.map((a) => ({
      name: a.name,
      consumerKey: a.consumerKey,
      ...(a.consumerSecret ? { consumerSecret: a.consumerSecret } : {}),
      certificatePem: a.certificatePem,
      refreshTokens: a.refreshTokens,
    })),
    certificates: state.certificates.map((c) => ({
      id: c.id,
      uniqueName: c.uniqueName,
      label: c.label,
      keySize: c.keySize,
      caSigned: c.caSigned,
      privateKeyExportable: c.privateKeyExportable,
      createdDate: c.createdDate,
      privateKeyPem: c.privateKeyPem,
      ...(c.certificatePem ? { certificatePem: c.chainPem ?? c.certificatePem } : {}),
      ...(c.csrPem && !c.certificatePem ? { csrPem: c.csrPem } : {}),
      deleted: c.deleted,
    })),
    customSettings: state.tables
      .filter((t) => t.customSetting)
      .map((t) => ({
        apiName: t.name,
        label: t.label,
        settingType: t.settingType ?? 'hierarchy',
        fields: customFields(t),
        records: customRows(t).map(({ id, lastModifiedDate, values, row }) => ({
          id,
          ...(t.settingType === 'hierarchy' ? { setupOwnerId: row.SetupOwnerId } : { name: row.Name }),
          lastModifiedDate,
          values,
        })),
      })),
    customObjects: state.tables
      .filter((t) => t.custom && !t.customSetting)
      .map((t) => ({
        apiName: t.name,
        label: t.label,
        fields: customFields(t),
        records: customRows(t).map(({ id, lastModifiedDate, values, row }) => ({ id, name: row.Name, lastModifiedDate, values })),
      })),
    namedCredentials: state.namedCredentials.map((n) => ({
      fullName: n.fullName,
      label: n.label,
      endpoint: n.endpoint,
      certificate: n.certificate,
      principalType: n.principalType,
      protocol: n.protocol,
    })),
    trustedCaPems: state.trustedCaPems,
  };
}

export async function saveState(state: OrgState, path: string): Promise<void> {
  // mode 0600: the saved org holds its certificates' private keys, as the real org does
  await writeFile(path, `${JSON.stringify(toFixture(state), null, 2)}\n`, { mode: 0o600 });
}

/** Everything an operator may see — no private key, no consumer secret, no refresh token. */
export function publicView(state: OrgState): unknown {
  return {
    orgId: state.orgId,
    orgName: state.orgName,
    dailyApiRequests: state.dailyApiRequests,
    profiles: state.profiles,
    users: state.users,
    connectedApps: state.connectedApps.map((a) => ({ name: a.name, consumerKey: a.consumerKey, certificatePem: a.certificatePem })),
    certificates: state.certificates.map((c) => ({
      id: c.id,
      uniqueName: c.uniqueName,
      label: c.label,
      keySize: c.keySize,
      caSigned: c.caSigned,
      usable: c.certificatePem !== null,
      privateKeyExportable: c.privateKeyExportable,
      expiresAt: expirationOf(c),
      fingerprintSha256: c.certificatePem ? certificateFingerprint(c.certificatePem) : null,
      certificatePem: c.certificatePem,
      csrPem: c.certificatePem ? null : c.csrPem,
      deleted: c.deleted,
    })),
    namedCredentials: state.namedCredentials,
    customSettings: state.tables.filter((t) => t.customSetting).map((t) => ({ apiName: t.name, settingType: t.settingType, records: t.rows })),
    customObjects: state.tables.filter((t) => t.custom && !t.customSetting).map((t) => ({ apiName: t.name, records: t.rows })),
  };
}

/** A fresh access token: opaque like Salesforce's (`<orgId>!<random>`), never JWT-shaped. */
export function newAccessToken(state: OrgState): string {
  return `${state.orgId.slice(0, 15)}!${randomBytes(30).toString('base64url')}`;
}

/** The public key registered on a connected app, for checking JWT signatures. */
export function connectedAppKey(app: SandboxConnectedApp) {
  return createPublicKey(new X509Certificate(app.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
}

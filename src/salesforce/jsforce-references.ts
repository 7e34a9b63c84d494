/**
 * The records that name a certificate, through jsforce: hierarchy custom settings and
 * custom objects by SOQL (REST), named credentials by the Metadata API. Finding is one
 * query per target field and one named-credential read however many certificates are
 * searched; switching is compare-and-set, one reference at a time, reporting progress.
 *
 * A hierarchy record's SetupOwnerId stays in here: a Reference carries its scope and the
 * owner's readable name (profile name, username) instead.
 */
import type { Connection } from 'jsforce';
import { RotationError } from '../domain/errors';
import { isoDate } from './certificate-content';
import { MetadataOperationFailed, describeFailure } from './errors';
import { READ_BATCH, type JsforceCertificates } from './jsforce-certificates';
import { queryRows, type OrgSession } from './jsforce-session';
import { isValidApiName, soqlString } from './names-and-escaping';
import type {
  CertificateNames,
  DiscoveredTarget,
  NamedReference,
  Reference,
  ReferenceChange,
  ReferenceConflict,
  ReferenceProgress,
  ReferenceScope,
  ReferenceTarget,
  UpdateReferencesResult,
} from './org-port';
import {
  describeGlobalSchema,
  describeSchema,
  filePropertiesSchema,
  namedCredentialMetadataSchema,
  parseWire,
  saveResultSchema,
  stringField,
  type NamedCredentialMetadata,
} from './wire-records';

/** Names per SOQL `IN (...)` list, to keep queries well under the SOQL length limit. */
const SOQL_IN_BATCH = 100;
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const ORG_DEFAULT_OWNER = 'Organization default';

/** A record row found by a target query, before its owner is named. */
interface FoundRow extends Omit<NamedReference, 'owner'> {
  readonly setupOwnerId: string | null;
  readonly recordName: string | null;
}

export class JsforceReferences {
  constructor(
    private readonly session: OrgSession,
    private readonly certificates: Pick<JsforceCertificates, 'list' | 'readRecord' | 'requireUniqueName'>,
  ) {}

  async find(uniqueName: string, targets: ReferenceTarget[]): Promise<Reference[]> {
    const name = await this.certificates.requireUniqueName(uniqueName);
    // The certificate may already be gone (e.g. after a sandbox refresh): search by name then.
    const record = await this.certificates.readRecord(name);
    const label = record?.masterLabel && record.masterLabel !== name ? record.masterLabel : null;
    const found = await this.search([{ uniqueName: name, label }], targets);
    return found.map(({ certificate: _certificate, ...reference }) => reference);
  }

  async findToAny(certificates: CertificateNames[], targets: ReferenceTarget[]): Promise<NamedReference[]> {
    const wanted = certificates.map((c) => ({ uniqueName: c.uniqueName, label: c.label && c.label !== c.uniqueName ? c.label : null }));
    return wanted.length === 0 ? [] : this.search(wanted, targets);
  }

  /** One query per target field (per 100 names) and one named-credential read, for any number of certificates. */
  private async search(wanted: readonly CertificateNames[], targets: ReferenceTarget[]): Promise<NamedReference[]> {
    targets.forEach((t) => requireTarget(t));
    const values = [...new Set(wanted.flatMap((w) => [w.uniqueName, ...(w.label ? [w.label] : [])]))];
    const rows: FoundRow[] = [];
    for (const target of targets) {
      const hierarchy = target.kind === 'hierarchy-setting';
      const fields = hierarchy ? `Id, SetupOwnerId, ${target.field}` : `Id, Name, ${target.field}`;
      for (let i = 0; i < values.length; i += SOQL_IN_BATCH) {
        const inList = values.slice(i, i + SOQL_IN_BATCH).map(soqlString).join(', ');
        const found = await this.session.call(`searching ${target.object}.${target.field}`, (conn) =>
          queryRows(conn, `SELECT ${fields} FROM ${target.object} WHERE ${target.field} IN (${inList})`),
        );
        for (const row of found) {
          const value = stringField(row, target.field);
          const hit = matchAny(value, wanted);
          const id = stringField(row, 'Id');
          if (!value || !hit || !id) continue;
          const setupOwnerId = hierarchy ? stringField(row, 'SetupOwnerId') : null;
          rows.push({
            certificate: hit.certificate,
            object: target.object,
            field: target.field,
            recordId: id,
            scope: hierarchy ? scopeOf(setupOwnerId) : 'record',
            value,
            matchedBy: hit.matchedBy,
            setupOwnerId,
            recordName: hierarchy ? null : stringField(row, 'Name'),
          });
        }
      }
    }
    const owners = await this.ownerNames(rows);
    const records = rows.map(({ setupOwnerId, recordName, ...row }): NamedReference => {
      const owner = row.scope === 'org-default' ? ORG_DEFAULT_OWNER : setupOwnerId ? (owners.get(setupOwnerId.slice(0, 15)) ?? null) : recordName;
      return { ...row, owner };
    });
    return [...records, ...(await this.namedCredentialsUsing(wanted))];
  }

  /** Profile names and usernames of the hierarchy records' owners, by 15-character Id. */
  private async ownerNames(rows: readonly FoundRow[]): Promise<Map<string, string>> {
    const idsOf = (scope: ReferenceScope) => [...new Set(rows.filter((r) => r.scope === scope && r.setupOwnerId).map((r) => r.setupOwnerId as string))];
    const lookups: Array<[ReferenceScope, string, string]> = [
      ['profile', 'Profile', 'Name'],
      ['user', 'User', 'Username'],
    ];
    const names = new Map<string, string>();
    for (const [scope, object, field] of lookups) {
      const ids = idsOf(scope).filter((id) => RECORD_ID.test(id));
      if (ids.length === 0) continue;
      const found = await this.session.call(`naming ${object} records`, (conn) =>
        queryRows(conn, `SELECT Id, ${field} FROM ${object} WHERE Id IN (${ids.map(soqlString).join(', ')})`),
      );
      for (const row of found) {
        const id = stringField(row, 'Id');
        const value = stringField(row, field);
        if (id && value) names.set(id.slice(0, 15), value);
      }
    }
    return names;
  }

  async namedCredentialsUsing(wanted: readonly CertificateNames[]): Promise<NamedReference[]> {
    return this.session.call('reading named credentials', async (conn) => {
      const listed = parseWire(filePropertiesSchema.array(), await conn.metadata.list([{ type: 'NamedCredential' }]), 'listMetadata(NamedCredential)');
      const names = listed.map((p) => p.fullName);
      const refs: NamedReference[] = [];
      for (let i = 0; i < names.length; i += READ_BATCH) {
        const raw: unknown = await conn.metadata.read('NamedCredential', names.slice(i, i + READ_BATCH));
        for (const nc of parseWire(namedCredentialMetadataSchema.array(), raw, 'readMetadata(NamedCredential)')) {
          const hit = matchAny(nc.certificate ?? null, wanted);
          if (!nc.fullName || !hit || !nc.certificate) continue;
          refs.push({
            certificate: hit.certificate,
            object: 'NamedCredential',
            field: 'certificate',
            recordId: nc.fullName,
            scope: 'named-credential',
            owner: nc.label ?? nc.fullName,
            value: nc.certificate,
            matchedBy: hit.matchedBy,
          });
        }
      }
      return refs;
    });
  }

  async discoverTargets(configuredObjects: string[] = []): Promise<DiscoveredTarget[]> {
    configuredObjects.forEach((object) => requireTarget({ object, field: 'Id' }));
    const certificates = await this.certificates.list();
    const known = new Map<string, string>();
    for (const c of certificates) {
      known.set(c.uniqueName.toLowerCase(), c.uniqueName);
      known.set(c.label.toLowerCase(), c.label);
    }
    const global = parseWire(describeGlobalSchema, await this.session.call('listing objects', (conn) => conn.describeGlobal()), 'describeGlobal');
    const settings = global.sobjects.filter((s) => s.customSetting === true).map((s) => s.name);
    const objects = [...new Set([...settings, ...configuredObjects])];

    const found: DiscoveredTarget[] = [];
    for (const object of objects) {
      const described = parseWire(describeSchema, await this.session.call(`describing ${object}`, (conn) => conn.describe(object)), `describe(${object})`);
      const hierarchy = described.fields.some((f) => f.name === 'SetupOwnerId');
      const textFields = described.fields.filter((f) => f.custom === true && (f.type === 'string' || f.type === 'textarea')).map((f) => f.name);
      if (textFields.length === 0) continue;
      const rows = await this.session.call(`reading ${object}`, (conn) => queryRows(conn, `SELECT Id, ${textFields.join(', ')} FROM ${described.name}`));
      for (const field of textFields) {
        const seen = new Set<string>();
        for (const row of rows) {
          const value = stringField(row, field);
          const match = value === null ? undefined : known.get(value.trim().toLowerCase());
          if (match !== undefined && value !== null) seen.add(value);
        }
        if (seen.size > 0) {
          found.push({ object: described.name, field, kind: hierarchy ? 'hierarchy-setting' : 'custom-object', valuesSeen: [...seen].sort() });
        }
      }
    }
    return found;
  }

  /**
   * Compare-and-set, one reference after the other. The results are the caller's own change
   * objects (a conflict adds `actual`); `progress` hears copies after each reference, so an
   * activity can heartbeat them and a retry resume. A cancelled activity stops before the
   * next reference (CANCELLED); those already switched stay switched and were reported.
   */
  async update(changes: readonly ReferenceChange[], progress?: ReferenceProgress): Promise<UpdateReferencesResult> {
    const applied: ReferenceChange[] = [];
    const conflicts: ReferenceConflict[] = [];
    for (const change of changes) {
      const actual = change.object === 'NamedCredential' ? await this.swapNamedCredential(change) : await this.swapRecordField(change);
      if (actual === undefined) applied.push(change);
      else conflicts.push({ ...change, actual });
      progress?.({ applied: [...applied], conflicts: [...conflicts] });
    }
    return { applied, conflicts };
  }

  /**
   * Compare-and-set on one record field. Returns undefined when applied (or already at the
   * new value — a retry of an update whose answer was lost), else what the record holds.
   * The read-compare-write is guarded by If-Unmodified-Since on the LastModifiedDate we
   * read, so a write in between makes Salesforce refuse ours (412) instead of losing it.
   * (That guard has one-second resolution; the compare before it catches the rest.)
   */
  private async swapRecordField(change: ReferenceChange): Promise<string | null | undefined> {
    requireTarget(change);
    if (!RECORD_ID.test(change.recordId)) throw new RotationError('INVALID_INPUT', `"${change.recordId}" is not a Salesforce record Id`);
    const read = async (conn: Connection) => {
      const rows = await queryRows(conn, `SELECT Id, ${change.field}, LastModifiedDate FROM ${change.object} WHERE Id = ${soqlString(change.recordId)}`);
      const row = rows[0];
      return row ? { value: stringField(row, change.field), lastModified: stringField(row, 'LastModifiedDate') } : null;
    };
    return this.session.call(`updating ${change.object}.${change.field} on ${change.recordId}`, async (conn) => {
      const current = await read(conn);
      if (current === null) return null;
      if (current.value === change.value && change.value !== change.expected) return undefined;
      if (current.value !== change.expected) return current.value;
      const since = isoDate(current.lastModified);
      try {
        await conn.sobject(change.object).update(
          { Id: change.recordId, [change.field]: change.value },
          { headers: since ? { 'If-Unmodified-Since': new Date(since).toUTCString() } : {} },
        );
      } catch (err) {
        const code = describeFailure(err).salesforceCode;
        if (code === 'PRECONDITION_FAILED' || code === 'ERROR_HTTP_412') return (await read(conn))?.value ?? null;
        throw err;
      }
      return undefined;
    });
  }

  /** Compare-and-set on a named credential's certificate through Metadata read + update. */
  private async swapNamedCredential(change: ReferenceChange): Promise<string | null | undefined> {
    if (change.field !== 'certificate') {
      throw new RotationError('INVALID_INPUT', `Named credential changes must target the "certificate" field, not "${change.field}"`);
    }
    await this.certificates.requireUniqueName(change.value, 'certificate Unique Name for a named credential');
    return this.session.call(`updating named credential ${change.recordId}`, async (conn) => {
      const raw: unknown = await conn.metadata.read('NamedCredential', [change.recordId]);
      const current: NamedCredentialMetadata | undefined = parseWire(namedCredentialMetadataSchema.array(), raw, 'readMetadata(NamedCredential)')[0];
      if (!current?.fullName) return null;
      const actual = current.certificate ?? null;
      if (actual === change.value && change.value !== change.expected) return undefined;
      if (actual !== change.expected) return actual;
      // Metadata update replaces the whole component: send back everything read, changed in one field.
      const updated = Object.fromEntries(Object.entries({ ...current, certificate: change.value }).filter(([, v]) => v !== null && v !== undefined));
      const untypedMetadata: { update(type: string, metadata: Record<string, unknown>): Promise<unknown> } = conn.metadata;
      const result = parseWire(saveResultSchema, await untypedMetadata.update('NamedCredential', updated), 'updateMetadata(NamedCredential)');
      if (!result.success) {
        throw new RotationError('SALESFORCE_ERROR', `Salesforce refused to update named credential ${change.recordId}: ${new MetadataOperationFailed(change.recordId, result.errors).message}`);
      }
      return undefined;
    });
  }
}

function requireTarget(target: { object: string; field: string }): void {
  if (!isValidApiName(target.object) || !isValidApiName(target.field)) {
    throw new RotationError('CONFIG_INVALID', `Reference target ${target.object}.${target.field} is not a valid object/field API name`, {
      details: { object: target.object, field: target.field },
    });
  }
}

/** The certificate a stored value names, by Unique Name first, then by label. */
function matchAny(value: string | null, wanted: readonly CertificateNames[]): { certificate: string; matchedBy: 'unique-name' | 'label' } | null {
  for (const w of wanted) if (matchOf(value, w.uniqueName, null) === 'unique-name') return { certificate: w.uniqueName, matchedBy: 'unique-name' };
  for (const w of wanted) if (matchOf(value, w.uniqueName, w.label) === 'label') return { certificate: w.uniqueName, matchedBy: 'label' };
  return null;
}

function matchOf(value: string | null, uniqueName: string, label: string | null): 'unique-name' | 'label' | null {
  if (value === null) return null;
  const v = value.trim().toLowerCase();
  if (v === uniqueName.toLowerCase()) return 'unique-name';
  if (label !== null && v === label.toLowerCase()) return 'label';
  return null;
}

/** SetupOwnerId key prefixes: 00D organization, 00e profile, 005 user. */
function scopeOf(setupOwnerId: string | null): ReferenceScope {
  if (setupOwnerId?.startsWith('00D')) return 'org-default';
  if (setupOwnerId?.startsWith('00e')) return 'profile';
  if (setupOwnerId?.startsWith('005')) return 'user';
  return 'record';
}

/**
 * The records that name a certificate, through jsforce: hierarchy custom settings, custom
 * objects and Custom Metadata Type records by SOQL (REST), named credentials by the Metadata
 * API. Finding is one describe per target object, one query per target field and one
 * named-credential read however many certificates are searched; switching is
 * compare-and-set, one reference at a time, reporting progress.
 *
 * An inventory also wants what names no certificate at all (`dangling`): a certificate
 * field (certificate-fields.ts) is then read for every non-empty value — still one query —
 * and a value naming none of the certificates searched is a reference to that name.
 *
 * A hierarchy record's SetupOwnerId stays in here: a Reference carries its scope and the
 * owner's readable name (profile name, username) instead.
 */
import { RotationError } from '../domain/errors';
import { asCertificateName, isCertificateField } from './certificate-fields';
import type { JsforceCertificates } from './jsforce-certificates';
import { JsforceCustomMetadata, METADATA_RECORD_FIELDS, metadataRecordOf } from './jsforce-custom-metadata';
import { JsforceNamedCredentials } from './jsforce-named-credentials';
import { swapRecordField } from './jsforce-record-swap';
import { objectsToScan, scanObjects, type ScanResult } from './jsforce-object-scan';
import { SchemaCache, fieldOf, isCustomMetadataObject, type FieldFacts, type ObjectFacts } from './jsforce-schema';
import { queryRows, type OrgSession } from './jsforce-session';
import { isValidApiName, soqlString } from './names-and-escaping';
import type {
  CertificateNames,
  DiscoveredTarget,
  DiscoveryOptions,
  NamedReference,
  Reference,
  ReferenceChange,
  ReferenceConflict,
  ReferenceProgress,
  ReferenceScope,
  ReferenceSearchOptions,
  ReferenceTarget,
  UnswitchableReference,
  UpdateReferencesResult,
} from './org-port';
import { stringField } from './wire-records';

/** Names per SOQL `IN (...)` list, to keep queries well under the SOQL length limit. */
const SOQL_IN_BATCH = 100;
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const ORG_DEFAULT_OWNER = 'Organization default';
/** Rows read whole (no WHERE) when a target field cannot be filtered (a Long Text Area). */
export const MAX_UNFILTERED_ROWS = 10_000;

/** A record row found by a target query, before its owner is named. */
interface FoundRow extends Omit<NamedReference, 'owner'> {
  readonly setupOwnerId: string | null;
  readonly recordName: string | null;
}

export class JsforceReferences {
  private readonly customMetadata: JsforceCustomMetadata;
  private readonly namedCredentials: JsforceNamedCredentials;

  constructor(
    private readonly session: OrgSession,
    private readonly certificates: Pick<JsforceCertificates, 'listWithDeleted' | 'readRecord' | 'requireUniqueName'>,
  ) {
    this.customMetadata = new JsforceCustomMetadata(session);
    this.namedCredentials = new JsforceNamedCredentials(session, certificates, matchAny);
  }

  /** `known.label` given (the caller has just read the certificate): not read again. */
  async find(uniqueName: string, targets: ReferenceTarget[], known: { label?: string | null; schema?: SchemaCache } = {}): Promise<Reference[]> {
    const name = await this.certificates.requireUniqueName(uniqueName);
    // The certificate may already be gone (e.g. after a sandbox refresh): search by name then.
    const stored = known.label !== undefined ? known.label : ((await this.certificates.readRecord(name))?.masterLabel ?? null);
    const label = stored && stored !== name ? stored : null;
    const found = await this.search([{ uniqueName: name, label }], targets, null, known.schema);
    return found.map(({ certificate: _certificate, ...reference }) => reference);
  }

  async findToAny(certificates: CertificateNames[], targets: ReferenceTarget[], options: ReferenceSearchOptions = {}): Promise<NamedReference[]> {
    const wanted = certificates.map((c) => ({ uniqueName: c.uniqueName, label: c.label && c.label !== c.uniqueName ? c.label : null }));
    if (options.dangling) return this.search(wanted, targets, options.dangling.declaredFields);
    return wanted.length === 0 ? [] : this.search(wanted, targets);
  }

  /**
   * One query per target field (per 100 names; a certificate field when `declared` is given:
   * one for all its values) and one named-credential read, for any number of certificates.
   * A target object the integration user cannot read is skipped here:
   * findUnswitchableReferences names it (a protected or unreadable setting).
   */
  private async search(
    wanted: readonly CertificateNames[],
    targets: ReferenceTarget[],
    declared: readonly ReferenceTarget[] | null = null,
    schema: SchemaCache = new SchemaCache(this.session),
  ): Promise<NamedReference[]> {
    targets.forEach((t) => requireTarget(t));
    const values = [...new Set(nameValuesOf(wanted))];
    const declaredKeys = new Set((declared ?? []).map((t) => `${t.object}.${t.field}`.toLowerCase()));
    const rows: FoundRow[] = [];
    for (const target of targets) {
      const described = await schema.describe(target.object);
      if (!described.readable) continue;
      const field = fieldOf(described, target.field);
      if (!field) {
        throw new RotationError('CONFIG_INVALID', `Reference target ${target.object}.${target.field}: ${described.name} has no field ${target.field}. Check the reference targets in the configuration.`, {
          details: { object: target.object, field: target.field },
        });
      }
      const everyValue = declared !== null && isCertificateField(field.name, field.label, declaredKeys.has(`${described.name}.${field.name}`.toLowerCase()));
      if (!everyValue && values.length === 0) continue;
      for (const row of await this.targetRows(described, field, everyValue ? null : values)) {
        const value = stringField(row, field.name);
        const dangling = everyValue ? asCertificateName(value) : null;
        const hit = matchAny(value, wanted) ?? (dangling === null ? null : { certificate: dangling, matchedBy: 'unique-name' as const });
        const id = stringField(row, 'Id');
        if (!value || !hit || !id) continue;
        const found = { certificate: hit.certificate, object: described.name, field: field.name, value, matchedBy: hit.matchedBy };
        if (described.customMetadata) {
          const record = metadataRecordOf(described.name, row);
          if (record) rows.push({ ...found, recordId: record.fullName, scope: 'metadata-record', setupOwnerId: null, recordName: record.label });
        } else {
          const setupOwnerId = described.hierarchy ? stringField(row, 'SetupOwnerId') : null;
          const scope = described.hierarchy ? scopeOf(setupOwnerId) : 'record';
          rows.push({ ...found, recordId: id, scope, setupOwnerId, recordName: described.hierarchy ? null : stringField(row, 'Name') });
        }
      }
    }
    const owners = await this.ownerNames(rows);
    const records = rows.map(({ setupOwnerId, recordName, ...row }): NamedReference => {
      const owner = row.scope === 'org-default' ? ORG_DEFAULT_OWNER : setupOwnerId ? (owners.get(setupOwnerId.slice(0, 15)) ?? null) : recordName;
      return { ...row, owner };
    });
    return [...records, ...(await this.namedCredentialsUsing(wanted, declared !== null))];
  }

  /**
   * The rows of one target that may hold one of `values`: by `WHERE field IN (...)` when the
   * field is filterable; a Long Text Area is not, so it is read whole and matched locally,
   * up to MAX_UNFILTERED_ROWS (beyond that the search fails rather than miss a reference).
   * `values` null (a certificate field, every value wanted): the rows holding any value, by
   * `WHERE field != null`, or read whole where that cannot be filtered — and a Custom
   * Metadata Type always (few records; its SOQL's support for `!= null` is unconfirmed).
   */
  private async targetRows(object: ObjectFacts, field: FieldFacts, values: readonly string[] | null): Promise<Record<string, unknown>[]> {
    const select = object.customMetadata ? `${METADATA_RECORD_FIELDS}, ${field.name}` : object.hierarchy ? `Id, SetupOwnerId, ${field.name}` : `Id, Name, ${field.name}`;
    const what = `searching ${object.name}.${field.name}`;
    const whole = `${object.name} holds more than ${MAX_UNFILTERED_ROWS} records to read whole`;
    if (!field.filterable) {
      const why = `it cannot be filtered in a query (a Long Text Area), and ${whole}. Keep certificate names in a Text field, or configure a filterable field instead`;
      return this.cappedRows(object, field, `SELECT ${select} FROM ${object.name}`, what, why);
    }
    if (values === null && object.customMetadata) return this.cappedRows(object, field, `SELECT ${select} FROM ${object.name}`, what, whole);
    if (values === null) {
      const why = `more than ${MAX_UNFILTERED_ROWS} records of ${object.name} hold a value in it, too many to report each`;
      return this.cappedRows(object, field, `SELECT ${select} FROM ${object.name} WHERE ${field.name} != null`, what, why);
    }
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < values.length; i += SOQL_IN_BATCH) {
      const inList = values.slice(i, i + SOQL_IN_BATCH).map(soqlString).join(', ');
      rows.push(...(await this.session.call(what, (conn) => queryRows(conn, `SELECT ${select} FROM ${object.name} WHERE ${field.name} IN (${inList})`))));
    }
    return rows;
  }

  /** Up to MAX_UNFILTERED_ROWS rows of `soql`; more fail the search (saying `why`) rather than miss a reference. */
  private async cappedRows(object: ObjectFacts, field: FieldFacts, soql: string, what: string, why: string): Promise<Record<string, unknown>[]> {
    const rows = await this.session.call(what, (conn) => queryRows(conn, `${soql} LIMIT ${MAX_UNFILTERED_ROWS + 1}`));
    if (rows.length <= MAX_UNFILTERED_ROWS) return rows;
    throw new RotationError('CONFIG_INVALID', `Reference target ${object.name}.${field.name}: ${why}.`, { details: { object: object.name, field: field.name } });
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

  /** Every place a named credential (either model) names a wanted certificate (`everyValue`: or any): jsforce-named-credentials.ts. */
  namedCredentialsUsing(wanted: readonly CertificateNames[], everyValue = false): Promise<NamedReference[]> {
    return this.namedCredentials.using(wanted, everyValue);
  }

  /** Named credentials naming one of `wanted` that cannot be updated without clearing a secret. */
  namedCredentialsUnswitchable(wanted: readonly CertificateNames[]): Promise<UnswitchableReference[]> {
    return this.namedCredentials.unswitchable(wanted);
  }

  /**
   * Text fields of every custom setting and Custom Metadata Type (and of the configured
   * objects) holding the Unique Name or label of a certificate the org has or had (deleted,
   * where the Tooling query still lists it), and certificate fields by name
   * (certificate-fields.ts) holding any value that can be a name: a dangling one too is a
   * reference. `certificates` given (just listed by the caller) saves the listing. Objects
   * the integration user cannot read, and fields no API can write (formula, read-only), are
   * left out: they are findUnswitchableReferences' to report, never targets to switch.
   */
  async discoverTargets(configuredObjects: string[] = [], certificates?: readonly CertificateNames[], options: DiscoveryOptions = {}): Promise<DiscoveredTarget[]> {
    configuredObjects.forEach((object) => requireTarget({ object, field: 'Id' }));
    if (options.namingOnly && certificates === undefined) {
      throw new RotationError('INVALID_INPUT', 'Discovery of the fields naming some certificates needs their names (none were given).');
    }
    const names = certificates ?? (await this.orgCertificateNames());
    const objects = await objectsToScan(this.session, configuredObjects);
    const scan = await scanObjects(this.session, new SchemaCache(this.session), objects, options.namingOnly ? nameValuesOf(names) : undefined);
    return targetsInScan(scan, names, options);
  }

  /** Unique Names and labels of the org's certificates, live and deleted (one listing). */
  private async orgCertificateNames(): Promise<CertificateNames[]> {
    const { certificates, deleted } = await this.certificates.listWithDeleted();
    return [...certificates.map((c) => ({ uniqueName: c.uniqueName, label: c.label })), ...deleted];
  }

  /**
   * Compare-and-set, one reference after the other. The results are the caller's own change
   * objects (a conflict adds `actual`); `progress` hears copies after each reference, so an
   * activity can heartbeat them and a retry resume. A cancelled activity stops before the
   * next reference (CANCELLED); those already switched stay switched and were reported.
   * A field no API can write (formula, read-only) is refused before anything is written.
   */
  async update(changes: readonly ReferenceChange[], progress?: ReferenceProgress): Promise<UpdateReferencesResult> {
    changes.filter((c) => c.object !== 'NamedCredential').forEach((c) => requireTarget(c)); // a named-credential place is checked by its own swap
    await new SchemaCache(this.session).requireWritable(changes);
    const applied: ReferenceChange[] = [];
    const conflicts: ReferenceConflict[] = [];
    for (const change of changes) {
      const actual =
        change.object === 'NamedCredential'
          ? await this.swapNamedCredential(change)
          : isCustomMetadataObject(change.object)
            ? await this.customMetadata.swap(change)
            : await swapRecordField(this.session, change);
      if (actual === undefined) applied.push(change);
      else conflicts.push({ ...change, actual });
      progress?.({ applied: [...applied], conflicts: [...conflicts] });
    }
    return { applied, conflicts };
  }

  /** Compare-and-set on one named-credential place: jsforce-named-credentials.ts. */
  private swapNamedCredential(change: ReferenceChange): Promise<string | null | undefined> {
    return this.namedCredentials.swap(change);
  }
}

/** The Unique Names and labels of `names`, as values a field may hold. */
export function nameValuesOf(names: readonly CertificateNames[]): string[] {
  return names.flatMap((c) => [c.uniqueName, ...(c.label ? [c.label] : [])]);
}

/** Discovery's answer from a scan: writable fields holding one of `names` (or, unless `namingOnly`, any name in a certificate field). */
export function targetsInScan(scan: ScanResult, names: readonly CertificateNames[], options: DiscoveryOptions = {}): DiscoveredTarget[] {
  const known = new Set(nameValuesOf(names).map((v) => v.trim().toLowerCase()));
  const found: DiscoveredTarget[] = [];
  for (const field of scan.fields) {
    if (field.notWritable !== null) continue;
    const seen = field.values.filter((v) => known.has(v.trim().toLowerCase()));
    const holdsAName = !options.namingOnly && field.certificateField && field.values.some((v) => asCertificateName(v) !== null);
    if (seen.length > 0 || holdsAName) found.push({ object: field.object, field: field.field, kind: field.kind, valuesSeen: [...seen] });
  }
  return found;
}

export function requireTarget(target: { object: string; field: string }): void {
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

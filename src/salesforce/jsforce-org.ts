/**
 * The SalesforceOrg port on jsforce v3: Metadata API (SOAP) for certificates and named
 * credentials, Tooling API for the certificate inventory and anonymous Apex, REST for
 * custom settings/objects, describe and limits.
 *
 * Every call goes through `call()`: exponential backoff with full jitter on
 * REQUEST_LIMIT_EXCEEDED, 5xx and network errors, and exactly one new login when the
 * session is rejected. jsforce's own retry and session refresh are switched off so these
 * are the only ones (its retry would sleep 0.5–16 s per call; its refresh has no bound).
 */
import { Connection } from 'jsforce';
import { Transport } from 'jsforce/lib/transport';
import type { HttpRequest, HttpRequestOptions } from 'jsforce/lib/types';
import { certificateFingerprint, spkiFingerprint, splitPemBlocks } from '../certificates';
import { RotationError } from '../domain/errors';
import { calloutSnippet, extractResult, signingSnippet } from './apex-snippets';
import { createAuthenticator, loginUrlOf, type Authenticator, type SalesforceAuthConfig } from './auth';
import { certificateDetailsFrom, isoDate, toKeySize } from './certificate-content';
import {
  MetadataOperationFailed,
  certificateNotFound,
  describeFailure,
  labelGivenError,
  redact,
  toRotationError,
} from './errors';
import { isValidApiName, soqlString, uniqueNameProblem } from './names-and-escaping';
import type {
  ApiUsage,
  CalloutResult,
  CertificateDetails,
  CertificateNames,
  CertificateReference,
  CertificateSummary,
  CreateCertificateInput,
  DiscoveredTarget,
  NamedReference,
  ReferenceChange,
  ReferenceConflict,
  ReferenceScope,
  ReferenceTarget,
  SalesforceOrg,
  UpdateReferencesResult,
} from './org-port';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, sleep, type RetryPolicy } from './retry-policy';
import {
  calloutResultSchema,
  certificateMetadataSchema,
  describeGlobalSchema,
  describeSchema,
  executeAnonymousSchema,
  filePropertiesSchema,
  limitsSchema,
  namedCredentialMetadataSchema,
  parseWire,
  saveResultSchema,
  soqlRowSchema,
  stringField,
  toolingCertificateSchema,
  type CertificateMetadata,
  type NamedCredentialMetadata,
} from './wire-records';

export const DEFAULT_API_VERSION = '62.0';

export interface JsforceOrgOptions {
  auth: SalesforceAuthConfig;
  /** Salesforce API version, e.g. '62.0' (jsforce would default to 50.0). */
  apiVersion?: string;
  retry?: Partial<RetryPolicy>;
}

/** Names per SOQL `IN (...)` list, to keep queries well under the SOQL length limit. */
const SOQL_IN_BATCH = 100;
/** Metadata readMetadata accepts at most 10 names per call. */
const READ_BATCH = 10;
const MAX_LABEL_LENGTH = 64;
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/** Turns off jsforce's built-in fetch retry: certrot's policy (below) is the only one. */
class SinglePassTransport extends Transport {
  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}) {
    return super.httpRequest(req, { ...options, retry: { ...options.retry, maxRetries: 0 } });
  }
}

export function createJsforceOrg(options: JsforceOrgOptions): SalesforceOrg {
  return new JsforceOrg(options);
}

export class JsforceOrg implements SalesforceOrg {
  private readonly conn: Connection;
  private readonly authenticate: Authenticator;
  private readonly retry: RetryPolicy;
  /** Bumped on every login, so a call knows whether someone already logged in again. */
  private sessionGeneration = 0;
  private loggingIn: Promise<void> | null = null;

  constructor(options: JsforceOrgOptions) {
    const version = options.apiVersion ?? DEFAULT_API_VERSION;
    if (!/^\d{2,3}\.0$/.test(version)) {
      throw new RotationError('CONFIG_INVALID', `Salesforce API version "${version}" must look like "62.0"`, { details: { key: 'apiVersion' } });
    }
    this.authenticate = createAuthenticator(options.auth);
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.conn = new Connection({ loginUrl: loginUrlOf(options.auth), version });
    this.conn._transport = new SinglePassTransport();
  }

  // ---------------------------------------------------------------- call machinery

  private secrets(): string[] {
    return this.conn.accessToken ? [this.conn.accessToken] : [];
  }

  private async login(): Promise<void> {
    if (!this.loggingIn) {
      this.loggingIn = (async () => {
        try {
          await this.withRetry('logging in to Salesforce', () => this.authenticate(this.conn), false);
          this.sessionGeneration += 1;
        } finally {
          this.loggingIn = null;
        }
      })();
    }
    await this.loggingIn;
  }

  private async ensureSession(): Promise<void> {
    if (this.loggingIn) await this.loggingIn;
    else if (!this.conn.accessToken) await this.login();
  }

  /** Runs `fn` with backoff on transient failures and, if `relogin`, one new login on a rejected session. */
  private async withRetry<T>(operation: string, fn: () => Promise<T>, relogin: boolean): Promise<T> {
    let loggedInAgain = false;
    let retries = 0;
    for (;;) {
      const generation = this.sessionGeneration;
      try {
        return await fn();
      } catch (err) {
        const failure = describeFailure(err);
        if (relogin && failure.kind === 'session-expired' && !loggedInAgain) {
          loggedInAgain = true;
          // another call may have logged in meanwhile: then only the retry is needed
          if (this.sessionGeneration === generation) await this.login();
          continue;
        }
        if (failure.kind === 'retryable' && retries + 1 < this.retry.maxAttempts) {
          await sleep(backoffDelayMs(this.retry, retries));
          retries += 1;
          continue;
        }
        throw toRotationError(err, operation, this.secrets());
      }
    }
  }

  private async call<T>(operation: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    await this.ensureSession();
    return this.withRetry(operation, () => fn(this.conn), true);
  }

  // ---------------------------------------------------------------- small reads

  private async queryRows(conn: Connection, soql: string, tooling = false): Promise<Record<string, unknown>[]> {
    const query = tooling ? conn.tooling.query(soql, { autoFetch: true, maxFetch: 100_000 }) : conn.query(soql, { autoFetch: true, maxFetch: 100_000 });
    const result: unknown = await query;
    const records = typeof result === 'object' && result !== null && 'records' in result ? result.records : undefined;
    return parseWire(soqlRowSchema.array(), records ?? [], 'a query');
  }

  private async readCertificateRecords(conn: Connection, names: string[]): Promise<Map<string, CertificateMetadata & { fullName: string }>> {
    const found = new Map<string, CertificateMetadata & { fullName: string }>();
    for (let i = 0; i < names.length; i += READ_BATCH) {
      // always an array: jsforce crashes reading a single missing name
      const raw: unknown = await conn.metadata.read('Certificate', names.slice(i, i + READ_BATCH));
      for (const record of parseWire(certificateMetadataSchema.array(), raw, 'readMetadata(Certificate)')) {
        if (record.fullName) found.set(record.fullName.toLowerCase(), { ...record, fullName: record.fullName });
      }
    }
    return found;
  }

  private async readCertificateRecord(conn: Connection, uniqueName: string): Promise<(CertificateMetadata & { fullName: string }) | null> {
    return (await this.readCertificateRecords(conn, [uniqueName])).get(uniqueName.toLowerCase()) ?? null;
  }

  /** The Unique Name of the certificate whose label is `label`, if any (for a helpful error). */
  private async uniqueNameForLabel(label: string): Promise<string | null> {
    const rows = await this.call(`looking up certificate label "${label}"`, (conn) =>
      this.queryRows(conn, `SELECT Id, DeveloperName, MasterLabel FROM Certificate WHERE MasterLabel = ${soqlString(label)}`, true),
    );
    const row = rows[0];
    return row ? stringField(row, 'DeveloperName') : null;
  }

  /** Validates a Unique Name; a label given instead becomes LABEL_NOT_UNIQUE_NAME. */
  private async requireUniqueName(value: string, what = 'certificate Unique Name'): Promise<string> {
    const problem = uniqueNameProblem(value);
    if (problem === null) return value;
    const owner = value.length <= MAX_LABEL_LENGTH && value.trim() !== '' ? await this.uniqueNameForLabel(value) : null;
    if (owner) throw labelGivenError(value, owner);
    throw new RotationError('INVALID_INPUT', `"${value}" is not a valid ${what}: ${problem}`, { details: { value } });
  }

  private async notFound(uniqueName: string): Promise<RotationError> {
    const owner = await this.uniqueNameForLabel(uniqueName);
    return owner && owner !== uniqueName ? labelGivenError(uniqueName, owner) : certificateNotFound(uniqueName);
  }

  // ---------------------------------------------------------------- certificates

  async listCertificates(): Promise<CertificateSummary[]> {
    return this.call('listing certificates', async (conn) => {
      const rows = await this.queryRows(
        conn,
        'SELECT Id, DeveloperName, MasterLabel, ExpirationDate, KeySize, OptionsIsCaSigned, OptionsIsPrivateKeyExportable, OptionsIsUnusable FROM Certificate',
        true,
      );
      const tooling = parseWire(toolingCertificateSchema.array(), rows, 'the Tooling Certificate query');
      // The Tooling query can also return deleted certificates; listMetadata cannot.
      const live = parseWire(filePropertiesSchema.array(), await conn.metadata.list([{ type: 'Certificate' }]), 'listMetadata(Certificate)');
      const liveIds = new Set(live.map((p) => (p.id ?? '').slice(0, 15)).filter((id) => id !== ''));
      const liveNames = new Set(live.map((p) => p.fullName.toLowerCase()));
      return tooling
        .filter((row) => (liveIds.size > 0 ? liveIds.has(row.Id.slice(0, 15)) : liveNames.has(row.DeveloperName.toLowerCase())))
        .map(
          (row): CertificateSummary => ({
            uniqueName: row.DeveloperName,
            label: row.MasterLabel,
            keySize: toKeySize(row.KeySize),
            caSigned: row.OptionsIsCaSigned ?? false,
            usable: !(row.OptionsIsUnusable ?? false),
            privateKeyExportable: row.OptionsIsPrivateKeyExportable ?? true,
            expiresAt: isoDate(row.ExpirationDate),
          }),
        )
        .sort((a, b) => a.uniqueName.localeCompare(b.uniqueName));
    });
  }

  async getCertificate(uniqueName: string): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(uniqueName);
    const record = await this.call(`reading certificate ${name}`, (conn) => this.readCertificateRecord(conn, name));
    if (!record) throw await this.notFound(name);
    return certificateDetailsFrom(record);
  }

  async createCertificate(input: CreateCertificateInput): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(input.uniqueName);
    if (input.label.trim() === '' || input.label.length > MAX_LABEL_LENGTH) {
      throw new RotationError('INVALID_INPUT', `Certificate label must be 1-${MAX_LABEL_LENGTH} characters (got ${input.label.length})`);
    }
    if (input.keySize !== 2048 && input.keySize !== 4096) {
      throw new RotationError('INVALID_INPUT', `Salesforce certificates are 2048 or 4096 bits, not ${String(input.keySize)}`);
    }
    const sameAsRequested = (record: CertificateMetadata & { fullName: string }): CertificateDetails => {
      const differences = [
        record.masterLabel !== input.label ? `label "${record.masterLabel ?? ''}"` : null,
        toKeySize(record.keySize) !== input.keySize ? `key size ${toKeySize(record.keySize)}` : null,
        (record.caSigned ?? false) !== input.caSigned ? (record.caSigned ? 'CA-signed' : 'self-signed') : null,
      ].filter((d): d is string => d !== null);
      if (differences.length > 0) {
        throw new RotationError(
          'CERT_ALREADY_EXISTS',
          `A certificate with Unique Name ${name} already exists with different settings (${differences.join(', ')}); choose another Unique Name or delete it first.`,
          { details: { uniqueName: name } },
        );
      }
      return certificateDetailsFrom(record);
    };
    // Check-then-create as one unit: a retry (after a lost answer) checks again first, and
    // "duplicate" from create is the same idempotent case — never a second certificate.
    return this.call(`creating certificate ${name}`, async (conn) => {
      const existing = await this.readCertificateRecord(conn, name);
      if (existing) return sameAsRequested(existing);
      const result = parseWire(
        saveResultSchema,
        await conn.metadata.create('Certificate', {
          fullName: name,
          masterLabel: input.label,
          caSigned: input.caSigned,
          keySize: input.keySize,
          privateKeyExportable: input.privateKeyExportable,
        }),
        'createMetadata(Certificate)',
      );
      if (!result.success) {
        const failure = new MetadataOperationFailed(name, result.errors);
        if (failure.hasStatus('DUPLICATE_DEVELOPER_NAME', 'DUPLICATE_VALUE') || failure.mentions(/duplicate|already exists/i)) {
          const raced = await this.readCertificateRecord(conn, name);
          if (raced) return sameAsRequested(raced);
        }
        throw new RotationError('SALESFORCE_ERROR', `Salesforce refused to create certificate ${name}: ${failure.message}`, { details: { uniqueName: name } });
      }
      const created = await this.readCertificateRecord(conn, name);
      if (!created) throw new RotationError('SALESFORCE_ERROR', `Salesforce reported certificate ${name} created but cannot read it back; retry.`, { retryable: true });
      return certificateDetailsFrom(created);
    });
  }

  async uploadSignedChain(uniqueName: string, chainPem: string): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(uniqueName);
    const current = await this.getCertificate(name);
    if (!current.caSigned) {
      throw new RotationError('INVALID_INPUT', `Certificate ${name} is self-signed; only a CA-signed certificate takes a signed chain.`);
    }
    const leaf = splitPemBlocks(chainPem).find((b) => b.type === 'CERTIFICATE');
    if (!leaf) throw new RotationError('INVALID_INPUT', 'The signed chain holds no CERTIFICATE block (leaf first, then intermediates).');
    if (spkiFingerprint(leaf.pem) !== current.spkiFingerprintSha256) {
      throw new RotationError('KEY_MISMATCH', `The first certificate of the chain was not issued for ${name}'s key (its public key differs from the CSR's); upload the certificate the CA issued for this CSR.`, {
        details: { uniqueName: name },
      });
    }
    if (current.fingerprintSha256 !== null && current.fingerprintSha256 === certificateFingerprint(leaf.pem)) {
      return current; // an earlier attempt already uploaded this very chain
    }
    await this.call(`uploading the signed chain of ${name}`, async (conn) => {
      const result = parseWire(
        saveResultSchema,
        await conn.metadata.update('Certificate', {
          fullName: name,
          masterLabel: current.label,
          caSigned: true,
          keySize: current.keySize,
          privateKeyExportable: current.privateKeyExportable,
          content: Buffer.from(chainPem, 'utf8').toString('base64'),
        }),
        'updateMetadata(Certificate)',
      );
      if (!result.success) {
        throw new RotationError('CHAIN_INVALID', `Salesforce refused the signed chain for ${name}: ${new MetadataOperationFailed(name, result.errors).message}`, {
          details: { uniqueName: name },
        });
      }
    });
    return this.getCertificate(name);
  }

  async deleteCertificate(uniqueName: string): Promise<void> {
    const name = await this.requireUniqueName(uniqueName);
    let attempts = 0;
    const outcome = await this.call(`deleting certificate ${name}`, async (conn) => {
      attempts += 1;
      const result = parseWire(saveResultSchema, await conn.metadata.delete('Certificate', name), 'deleteMetadata(Certificate)');
      if (result.success) return 'deleted' as const;
      const failure = new MetadataOperationFailed(name, result.errors);
      if (failure.hasStatus('INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND') || failure.mentions(/not found|no certificate named|does not exist/i)) {
        // after a failed attempt, "not found" means that attempt deleted it
        return attempts > 1 ? ('deleted' as const) : ('missing' as const);
      }
      return failure;
    });
    if (outcome === 'deleted') return;
    if (outcome === 'missing') throw await this.notFound(name);
    if (outcome.hasStatus('DEPENDENCY_EXISTS', 'CANNOT_DELETE_MANAGED_OBJECT') || outcome.mentions(/in use|referenced|used by/i)) {
      const users = await this.namedCredentialsUsing([{ uniqueName: name, label: null }]);
      const who = users.length > 0 ? ` Named credentials using it: ${users.map((u) => u.recordId).join(', ')}.` : '';
      throw new RotationError('CERT_IN_USE', `Certificate ${name} is still in use and was not deleted (${redact(outcome.message)}).${who} Switch those to another certificate first.`, {
        details: { uniqueName: name, usedBy: users.map((u) => u.recordId).join(',') || outcome.message },
      });
    }
    throw new RotationError('SALESFORCE_ERROR', `Salesforce refused to delete certificate ${name}: ${outcome.message}`, { details: { uniqueName: name } });
  }

  // ---------------------------------------------------------------- references

  private requireTarget(target: { object: string; field: string }): void {
    if (!isValidApiName(target.object) || !isValidApiName(target.field)) {
      throw new RotationError('CONFIG_INVALID', `Reference target ${target.object}.${target.field} is not a valid object/field API name`, {
        details: { object: target.object, field: target.field },
      });
    }
  }

  private async namedCredentialsUsing(wanted: readonly CertificateNames[]): Promise<NamedReference[]> {
    return this.call('reading named credentials', async (conn) => {
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
            value: nc.certificate,
            matchedBy: hit.matchedBy,
            scope: 'named-credential',
            setupOwnerId: null,
            ownerName: nc.label ?? nc.fullName,
          });
        }
      }
      return refs;
    });
  }

  async findReferences(uniqueName: string, targets: ReferenceTarget[]): Promise<CertificateReference[]> {
    const name = await this.requireUniqueName(uniqueName);
    // The certificate may already be gone (e.g. after a sandbox refresh): search by name then.
    const record = await this.call(`reading certificate ${name}`, (conn) => this.readCertificateRecord(conn, name));
    const label = record?.masterLabel && record.masterLabel !== name ? record.masterLabel : null;
    const found = await this.searchReferences([{ uniqueName: name, label }], targets);
    return found.map(({ certificate: _certificate, ...reference }) => reference);
  }

  async findReferencesToAny(certificates: CertificateNames[], targets: ReferenceTarget[]): Promise<NamedReference[]> {
    const wanted = certificates.map((c) => ({ uniqueName: c.uniqueName, label: c.label && c.label !== c.uniqueName ? c.label : null }));
    return wanted.length === 0 ? [] : this.searchReferences(wanted, targets);
  }

  /** One query per target field (per 100 names) and one named-credential read, for any number of certificates. */
  private async searchReferences(wanted: readonly CertificateNames[], targets: ReferenceTarget[]): Promise<NamedReference[]> {
    targets.forEach((t) => this.requireTarget(t));
    const values = [...new Set(wanted.flatMap((w) => [w.uniqueName, ...(w.label ? [w.label] : [])]))];
    const refs: NamedReference[] = [];
    for (const target of targets) {
      const hierarchy = target.kind === 'hierarchy-setting';
      const fields = hierarchy ? `Id, SetupOwnerId, ${target.field}` : `Id, Name, ${target.field}`;
      for (let i = 0; i < values.length; i += SOQL_IN_BATCH) {
        const inList = values.slice(i, i + SOQL_IN_BATCH).map(soqlString).join(', ');
        const rows = await this.call(`searching ${target.object}.${target.field}`, (conn) =>
          this.queryRows(conn, `SELECT ${fields} FROM ${target.object} WHERE ${target.field} IN (${inList})`),
        );
        for (const row of rows) {
          const value = stringField(row, target.field);
          const hit = matchAny(value, wanted);
          const id = stringField(row, 'Id');
          if (!value || !hit || !id) continue;
          const setupOwnerId = hierarchy ? stringField(row, 'SetupOwnerId') : null;
          refs.push({
            certificate: hit.certificate,
            object: target.object,
            field: target.field,
            recordId: id,
            value,
            matchedBy: hit.matchedBy,
            scope: hierarchy ? scopeOf(setupOwnerId) : 'record',
            setupOwnerId,
            ownerName: hierarchy ? null : stringField(row, 'Name'),
          });
        }
      }
    }
    await this.nameOwners(refs);
    return [...refs, ...(await this.namedCredentialsUsing(wanted))];
  }

  /** Fills ownerName for hierarchy records: the profile name or the username. */
  private async nameOwners(refs: CertificateReference[]): Promise<void> {
    const idsOf = (scope: ReferenceScope) => [...new Set(refs.filter((r) => r.scope === scope && r.setupOwnerId).map((r) => r.setupOwnerId as string))];
    const lookups: Array<[ReferenceScope, string, string]> = [
      ['profile', 'Profile', 'Name'],
      ['user', 'User', 'Username'],
    ];
    const names = new Map<string, string>();
    for (const [scope, object, field] of lookups) {
      const ids = idsOf(scope).filter((id) => RECORD_ID.test(id));
      if (ids.length === 0) continue;
      const rows = await this.call(`naming ${object} records`, (conn) => this.queryRows(conn, `SELECT Id, ${field} FROM ${object} WHERE Id IN (${ids.map(soqlString).join(', ')})`));
      for (const row of rows) {
        const id = stringField(row, 'Id');
        const value = stringField(row, field);
        if (id && value) names.set(id.slice(0, 15), value);
      }
    }
    for (const ref of refs) {
      if (ref.scope === 'org-default') ref.ownerName = 'Organization default';
      else if (ref.setupOwnerId) ref.ownerName = names.get(ref.setupOwnerId.slice(0, 15)) ?? ref.ownerName;
    }
  }

  async discoverReferenceTargets(configuredObjects: string[] = []): Promise<DiscoveredTarget[]> {
    configuredObjects.forEach((object) => this.requireTarget({ object, field: 'Id' }));
    const certificates = await this.listCertificates();
    const known = new Map<string, string>();
    for (const c of certificates) {
      known.set(c.uniqueName.toLowerCase(), c.uniqueName);
      known.set(c.label.toLowerCase(), c.label);
    }
    const global = parseWire(describeGlobalSchema, await this.call('listing objects', (conn) => conn.describeGlobal()), 'describeGlobal');
    const settings = global.sobjects.filter((s) => s.customSetting === true).map((s) => s.name);
    const objects = [...new Set([...settings, ...configuredObjects])];

    const found: DiscoveredTarget[] = [];
    for (const object of objects) {
      const described = parseWire(describeSchema, await this.call(`describing ${object}`, (conn) => conn.describe(object)), `describe(${object})`);
      const hierarchy = described.fields.some((f) => f.name === 'SetupOwnerId');
      const textFields = described.fields.filter((f) => f.custom === true && (f.type === 'string' || f.type === 'textarea')).map((f) => f.name);
      if (textFields.length === 0) continue;
      const rows = await this.call(`reading ${object}`, (conn) => this.queryRows(conn, `SELECT Id, ${textFields.join(', ')} FROM ${described.name}`));
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

  async updateReferences(changes: ReferenceChange[]): Promise<UpdateReferencesResult> {
    const applied: ReferenceChange[] = [];
    const conflicts: ReferenceConflict[] = [];
    for (const change of changes) {
      const actual = change.object === 'NamedCredential' ? await this.swapNamedCredential(change) : await this.swapRecordField(change);
      if (actual === undefined) applied.push(change);
      else conflicts.push({ ...change, actual });
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
    this.requireTarget(change);
    if (!RECORD_ID.test(change.recordId)) throw new RotationError('INVALID_INPUT', `"${change.recordId}" is not a Salesforce record Id`);
    const read = async (conn: Connection) => {
      const rows = await this.queryRows(conn, `SELECT Id, ${change.field}, LastModifiedDate FROM ${change.object} WHERE Id = ${soqlString(change.recordId)}`);
      const row = rows[0];
      return row ? { value: stringField(row, change.field), lastModified: stringField(row, 'LastModifiedDate') } : null;
    };
    return this.call(`updating ${change.object}.${change.field} on ${change.recordId}`, async (conn) => {
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
    await this.requireUniqueName(change.value, 'certificate Unique Name for a named credential');
    return this.call(`updating named credential ${change.recordId}`, async (conn) => {
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

  // ---------------------------------------------------------------- proof by Apex

  private async requireUsable(uniqueName: string): Promise<string> {
    const details = await this.getCertificate(uniqueName);
    if (!details.usable) {
      throw new RotationError('CERT_UNUSABLE', `Certificate ${details.uniqueName} is CA-signed and still waits for its signed chain; upload the chain before using it.`, {
        details: { uniqueName: details.uniqueName },
      });
    }
    return details.uniqueName;
  }

  private async runApexForResult(operation: string, body: string): Promise<string> {
    const result = parseWire(executeAnonymousSchema, await this.call(operation, (conn) => conn.tooling.executeAnonymous(body)), 'executeAnonymous');
    if (!result.compiled) {
      throw new RotationError('APEX_FAILED', `Anonymous Apex for ${operation} did not compile: ${result.compileProblem ?? 'no reason given'}. The user needs "Author Apex".`);
    }
    const value = extractResult(result.exceptionMessage);
    if (value !== null) return value;
    const said = redact(result.exceptionMessage ?? 'it ended without a result');
    const hint = /unauthorized endpoint/i.test(said) ? ' Add a Remote Site Setting (or use a named credential) for the endpoint.' : '';
    throw new RotationError('APEX_FAILED', `Anonymous Apex failed while ${operation}: ${said}.${hint}`);
  }

  async signWithCertificate(uniqueName: string, nonce: string): Promise<string> {
    if (nonce.length === 0 || nonce.length > 4096) throw new RotationError('INVALID_INPUT', 'The nonce to sign must be 1-4096 characters');
    const name = await this.requireUsable(uniqueName);
    return this.runApexForResult(`signing with certificate ${name}`, signingSnippet(name, nonce));
  }

  async calloutWithCertificate(uniqueName: string, url: string): Promise<CalloutResult> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RotationError('INVALID_INPUT', `"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:') throw new RotationError('INVALID_INPUT', `A client-certificate callout needs an https:// URL, not ${parsed.protocol}`);
    const name = await this.requireUsable(uniqueName);
    const encoded = await this.runApexForResult(`calling ${parsed.origin} with certificate ${name}`, calloutSnippet(name, parsed.toString()));
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    } catch {
      throw new RotationError('APEX_FAILED', 'The callout result from anonymous Apex is not JSON');
    }
    return parseWire(calloutResultSchema, json, 'the callout result');
  }

  async apiUsage(): Promise<ApiUsage> {
    const limits = parseWire(limitsSchema, await this.call('reading API limits', (conn) => conn.limits()), 'limits');
    const { Max: max, Remaining: remaining } = limits.DailyApiRequests;
    return { max, remaining, used: max - remaining };
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

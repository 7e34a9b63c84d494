/**
 * Certificates through jsforce: the Tooling API for the inventory, the Metadata API
 * (listMetadata, readMetadata, create/update/delete) for everything else.
 *
 * Unique Names are compared case-insensitively, as Salesforce compares DeveloperNames:
 * `vendor_signing` beside `Vendor_Signing` is the same name. `create` never adopts an
 * existing certificate — whether one is an earlier attempt's is the caller's decision,
 * made on `createdAt` (from listMetadata's FileProperties).
 *
 * The Tooling query also returns deleted certificates; only listMetadata's live ones count
 * as existing. Whether Salesforce lets a deleted certificate's Unique Name be used again is
 * unconfirmed: a create is tried, and if Salesforce refuses it as a duplicate while no live
 * certificate has the name, the error says the name is held by the deleted certificate.
 *
 * The reads these operations share (listMetadata, readMetadata, the Tooling rows) are in
 * jsforce-certificate-reads.ts.
 */
import { certificateFingerprint, findLeaf, parseCertificate } from '../certificates';
import { KEY_SIZES, isKeySize, sameUniqueName } from '../domain/certificate';
import { RotationError, isRotationError } from '../domain/errors';
import { certificateDetailsFrom, isoDate, toKeySize } from './certificate-content';
import { MetadataOperationFailed, certificateNotFound, labelGivenError, redact } from './errors';
import { READ_BATCH, createdAtOf, deletedHolderOf, listLive, oneRowPerName, readCertificateRecord, readCertificateRecords, type CertificateRecord } from './jsforce-certificate-reads';
import { queryRows, type OrgSession } from './jsforce-session';
import { soqlString, uniqueNameProblem } from './names-and-escaping';
import type { CertificateDetails, CertificateListing, CertificateNames, CertificatesWithDeleted, CertificateValidity, CreateCertificateInput } from './org-port';
import { parseWire, saveResultSchema, stringField, toolingCertificateSchema, type ToolingCertificate } from './wire-records';

export { READ_BATCH, type CertificateRecord } from './jsforce-certificate-reads';

const MAX_LABEL_LENGTH = 64;

export class JsforceCertificates {
  constructor(private readonly session: OrgSession) {}

  async list(): Promise<CertificateListing[]> {
    return (await this.listWithDeleted()).certificates;
  }

  /**
   * The live certificates, and the deleted ones the Tooling query still returns whose Unique
   * Name no live certificate has (a reusable name may be taken again): from the same two
   * calls as `list`. None where Salesforce no longer returns deleted rows.
   */
  async listWithDeleted(): Promise<CertificatesWithDeleted> {
    return this.session.call('listing certificates', async (conn) => {
      const rows = await queryRows(
        conn,
        'SELECT Id, DeveloperName, MasterLabel, ExpirationDate, KeySize, OptionsIsCaSigned, OptionsIsPrivateKeyExportable, OptionsIsUnusable FROM Certificate',
        true,
      );
      const tooling = parseWire(toolingCertificateSchema.array(), rows, 'the Tooling Certificate query');
      // The Tooling query can also return deleted certificates; listMetadata cannot.
      const live = await listLive(conn);
      const liveIds = new Set(live.map((p) => (p.id ?? '').slice(0, 15)).filter((id) => id !== ''));
      const liveNames = new Set(live.map((p) => p.fullName.toLowerCase()));
      const isLive = (row: ToolingCertificate) => (liveIds.size > 0 ? liveIds.has(row.Id.slice(0, 15)) : liveNames.has(row.DeveloperName.toLowerCase()));
      const liveRows = tooling.filter(isLive);
      const deleted = oneRowPerName(tooling.filter((row) => !isLive(row) && !liveNames.has(row.DeveloperName.toLowerCase())))
        .map((row): CertificateNames => ({ uniqueName: row.DeveloperName, label: row.MasterLabel }))
        .sort((a, b) => a.uniqueName.localeCompare(b.uniqueName));
      const certificates = oneRowPerName(liveRows)
        .map(
          (row): CertificateListing => ({
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
      return { certificates, deleted };
    });
  }

  /**
   * `createdAt: false` skips the listMetadata call when the caller does not need it;
   * `leafKey` (SPKI SHA-256) picks the leaf of the chain by its key (known right after an upload).
   */
  async get(uniqueName: string, options: { createdAt?: boolean; leafKey?: string } = {}): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(uniqueName);
    const found = await this.session.call(`reading certificate ${name}`, async (conn) => {
      const record = await readCertificateRecord(conn, name);
      if (!record) return null;
      const createdAt = options.createdAt === false ? null : createdAtOf((await listLive(conn)).find((p) => sameUniqueName(p.fullName, name)));
      return { record, createdAt };
    });
    if (!found) throw await this.notFound(name);
    return certificateDetailsFrom(found.record, found.createdAt, options.leafKey);
  }

  /**
   * notBefore/notAfter of each named certificate from its content, READ_BATCH names per
   * Metadata read, each batch its own (retryable) call. Left out: names the org does not
   * have, and CA-signed certificates that are still only a CSR. Names are checked, not
   * looked up as labels: the caller has them from a listing.
   */
  async readValidity(uniqueNames: readonly string[]): Promise<CertificateValidity[]> {
    const names = [...new Map(uniqueNames.map((n) => [n.toLowerCase(), n])).values()];
    for (const name of names) {
      const problem = uniqueNameProblem(name);
      if (problem !== null) throw new RotationError('INVALID_INPUT', `"${name}" is not a valid certificate Unique Name: ${problem}`, { details: { value: name } });
    }
    const found: CertificateValidity[] = [];
    for (let i = 0; i < names.length; i += READ_BATCH) {
      const batch = names.slice(i, i + READ_BATCH);
      const records = await this.session.call(`reading the validity of certificates ${batch.join(', ')}`, (conn) => readCertificateRecords(conn, batch));
      for (const name of batch) {
        const record = records.get(name.toLowerCase());
        const leafPem = record ? certificateDetailsFrom(record, null).certificatePem : null;
        if (!record || leafPem === null) continue;
        const { notBefore, notAfter } = parseCertificate(leafPem);
        found.push({ uniqueName: record.fullName, notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() });
      }
    }
    return found;
  }

  async create(input: CreateCertificateInput): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(input.uniqueName);
    if (input.label.trim() === '' || input.label.length > MAX_LABEL_LENGTH) {
      throw new RotationError('INVALID_INPUT', `Certificate label must be 1-${MAX_LABEL_LENGTH} characters (got ${input.label.length})`);
    }
    if (!isKeySize(input.keySize)) {
      throw new RotationError('INVALID_INPUT', `keySize: Salesforce certificates are ${KEY_SIZES.join(', ')} bits, not ${String(input.keySize)}`);
    }
    const subjectFrom = input.subjectFromCertificatePem;
    if (subjectFrom !== undefined && !input.caSigned) {
      throw new RotationError('INVALID_INPUT', 'subjectFromCertificatePem: only a CA-signed certificate takes its subject from another certificate; leave it out for a self-signed one.');
    }
    // Salesforce copies the subject of the certificate given as content; send it alone (the leaf), as PEM.
    const content = subjectFrom === undefined ? {} : { content: Buffer.from(findLeaf(subjectFrom), 'utf8').toString('base64') };
    // Check-then-create as one unit. A retry after a lost answer checks again and finds the
    // certificate that attempt made: CERT_ALREADY_EXISTS, and the caller decides (on createdAt).
    await this.session.call(`creating certificate ${name}`, async (conn) => {
      const existing = (await listLive(conn)).find((p) => sameUniqueName(p.fullName, name));
      if (existing) throw alreadyExists(name, existing.fullName);
      const result = parseWire(
        saveResultSchema,
        await conn.metadata.create('Certificate', {
          fullName: name,
          masterLabel: input.label,
          caSigned: input.caSigned,
          keySize: input.keySize,
          privateKeyExportable: input.privateKeyExportable,
          ...content,
        }),
        'createMetadata(Certificate)',
      );
      if (result.success) return;
      const failure = new MetadataOperationFailed(name, result.errors);
      if (failure.hasStatus('DUPLICATE_DEVELOPER_NAME', 'DUPLICATE_VALUE') || failure.mentions(/duplicate|already exists/i)) {
        // someone created it between our check and our create, or a deleted certificate still holds the name
        const raced = (await listLive(conn)).find((p) => sameUniqueName(p.fullName, name));
        if (raced) throw alreadyExists(name, raced.fullName);
        const deleted = await deletedHolderOf(conn, name);
        throw deleted === null ? alreadyExists(name, name) : heldByDeleted(name, deleted);
      }
      throw new RotationError('SALESFORCE_ERROR', `Salesforce refused to create certificate ${name}: ${failure.message}`, { details: { uniqueName: name } });
    });
    return this.get(name);
  }

  async uploadSignedChain(uniqueName: string, chainPem: string): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(uniqueName);
    const current = await this.get(name);
    if (!current.caSigned) {
      throw new RotationError('INVALID_INPUT', `Certificate ${name} is self-signed; only a CA-signed certificate takes a signed chain.`);
    }
    // the chain may come in any order: its leaf is the certificate carrying the CSR's key
    let leafPem: string;
    try {
      leafPem = findLeaf(chainPem, { spkiFingerprintSha256: current.spkiFingerprintSha256 });
    } catch (error) {
      if (!isRotationError(error, 'KEY_MISMATCH')) throw error;
      throw new RotationError('KEY_MISMATCH', `No certificate of the chain was issued for ${name}'s key (none carries the public key of its CSR); upload the certificate the CA issued for this CSR, with its chain.`, {
        details: { uniqueName: name },
      });
    }
    if (current.fingerprintSha256 !== null && current.fingerprintSha256 === certificateFingerprint(leafPem)) {
      return current; // an earlier attempt already uploaded this very chain
    }
    await this.session.call(`uploading the signed chain of ${name}`, async (conn) => {
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
    return this.get(name, { leafKey: current.spkiFingerprintSha256 });
  }

  /** `usersOf` names what still uses the certificate when Salesforce refuses (named credentials). */
  async delete(uniqueName: string, usersOf: (uniqueName: string) => Promise<string[]>): Promise<void> {
    const name = await this.requireUniqueName(uniqueName);
    let attempts = 0;
    const outcome = await this.session.call(`deleting certificate ${name}`, async (conn) => {
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
      const users = await usersOf(name);
      const who = users.length > 0 ? ` Named credentials using it: ${users.join(', ')}.` : '';
      throw new RotationError('CERT_IN_USE', `Certificate ${name} is still in use and was not deleted (${redact(outcome.message)}).${who} Switch those to another certificate first.`, {
        details: { uniqueName: name, usedBy: users.join(',') || outcome.message },
      });
    }
    throw new RotationError('SALESFORCE_ERROR', `Salesforce refused to delete certificate ${name}: ${outcome.message}`, { details: { uniqueName: name } });
  }

  /** Validates a Unique Name; a label given instead becomes LABEL_NOT_UNIQUE_NAME. */
  async requireUniqueName(value: string, what = 'certificate Unique Name'): Promise<string> {
    const problem = uniqueNameProblem(value);
    if (problem === null) return value;
    const owner = value.length <= MAX_LABEL_LENGTH && value.trim() !== '' ? await this.uniqueNameForLabel(value) : null;
    if (owner) throw labelGivenError(value, owner);
    throw new RotationError('INVALID_INPUT', `"${value}" is not a valid ${what}: ${problem}`, { details: { value } });
  }

  /** The certificate's Metadata record, or null when there is none (e.g. after a sandbox refresh). */
  async readRecord(uniqueName: string): Promise<CertificateRecord | null> {
    return this.session.call(`reading certificate ${uniqueName}`, (conn) => readCertificateRecord(conn, uniqueName));
  }

  private async notFound(uniqueName: string): Promise<RotationError> {
    const owner = await this.uniqueNameForLabel(uniqueName);
    return owner && owner !== uniqueName ? labelGivenError(uniqueName, owner) : certificateNotFound(uniqueName);
  }

  /** The Unique Name of the live certificate whose label is `label`, if any (for a helpful error). */
  private async uniqueNameForLabel(label: string): Promise<string | null> {
    return this.session.call(`looking up certificate label "${label}"`, async (conn) => {
      const rows = await queryRows(conn, `SELECT Id, DeveloperName, MasterLabel FROM Certificate WHERE MasterLabel = ${soqlString(label)}`, true);
      if (rows.length === 0) return null;
      // the Tooling query also returns deleted certificates: a deleted one's label is nobody's
      const live = new Set((await listLive(conn)).map((p) => p.fullName.toLowerCase()));
      const names = rows.map((row) => stringField(row, 'DeveloperName')).filter((n): n is string => n !== null);
      return names.find((n) => live.has(n.toLowerCase())) ?? null;
    });
  }
}

function alreadyExists(requested: string, existing: string): RotationError {
  const sameSpelling = existing === requested;
  return new RotationError(
    'CERT_ALREADY_EXISTS',
    `A certificate with Unique Name ${existing} already exists${sameSpelling ? '' : ` (Unique Names are case-insensitive: ${requested} is the same name)`}, ` +
      'and certrot never takes over an existing certificate. Choose another Unique Name for the new certificate.',
    { details: { uniqueName: existing } },
  );
}

function heldByDeleted(requested: string, deleted: string): RotationError {
  return new RotationError(
    'CERT_ALREADY_EXISTS',
    `Salesforce refused the Unique Name ${requested}: the deleted certificate ${deleted} still holds it (this org keeps the names of deleted certificates reserved). ` +
      'Choose another Unique Name for the new certificate.',
    { details: { uniqueName: deleted, deleted: true } },
  );
}

/**
 * Certificates through jsforce: the Tooling API for the inventory, the Metadata API
 * (listMetadata, readMetadata, create/update/delete) for everything else.
 *
 * Unique Names are compared case-insensitively, as Salesforce compares DeveloperNames:
 * `vendor_signing` beside `Vendor_Signing` is the same name. `create` never adopts an
 * existing certificate — whether one is an earlier attempt's is the caller's decision,
 * made on `createdAt` (from listMetadata's FileProperties).
 */
import type { Connection } from 'jsforce';
import { certificateFingerprint, spkiFingerprint, splitPemBlocks } from '../certificates';
import { sameUniqueName } from '../domain/certificate';
import { RotationError } from '../domain/errors';
import { certificateDetailsFrom, isoDate, toKeySize } from './certificate-content';
import { MetadataOperationFailed, certificateNotFound, labelGivenError, redact } from './errors';
import { queryRows, type OrgSession } from './jsforce-session';
import { soqlString, uniqueNameProblem } from './names-and-escaping';
import type { CertificateDetails, CertificateListing, CreateCertificateInput } from './org-port';
import {
  certificateMetadataSchema,
  filePropertiesSchema,
  parseWire,
  saveResultSchema,
  stringField,
  toolingCertificateSchema,
  type CertificateMetadata,
  type FileProperties,
} from './wire-records';

/** Metadata readMetadata accepts at most 10 names per call. */
export const READ_BATCH = 10;
const MAX_LABEL_LENGTH = 64;
/** Before this, a FileProperties date is a placeholder (some types report the epoch), not a creation time. */
const EARLIEST_REAL_DATE = Date.UTC(2000, 0, 1);

export type CertificateRecord = CertificateMetadata & { fullName: string };

export class JsforceCertificates {
  constructor(private readonly session: OrgSession) {}

  async list(): Promise<CertificateListing[]> {
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
      return tooling
        .filter((row) => (liveIds.size > 0 ? liveIds.has(row.Id.slice(0, 15)) : liveNames.has(row.DeveloperName.toLowerCase())))
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
    });
  }

  /** `createdAt: false` skips the listMetadata call when the caller does not need it. */
  async get(uniqueName: string, options: { createdAt?: boolean } = {}): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(uniqueName);
    const found = await this.session.call(`reading certificate ${name}`, async (conn) => {
      const record = await readCertificateRecord(conn, name);
      if (!record) return null;
      const createdAt = options.createdAt === false ? null : createdAtOf((await listLive(conn)).find((p) => sameUniqueName(p.fullName, name)));
      return { record, createdAt };
    });
    if (!found) throw await this.notFound(name);
    return certificateDetailsFrom(found.record, found.createdAt);
  }

  async create(input: CreateCertificateInput): Promise<CertificateDetails> {
    const name = await this.requireUniqueName(input.uniqueName);
    if (input.label.trim() === '' || input.label.length > MAX_LABEL_LENGTH) {
      throw new RotationError('INVALID_INPUT', `Certificate label must be 1-${MAX_LABEL_LENGTH} characters (got ${input.label.length})`);
    }
    if (input.keySize !== 2048 && input.keySize !== 4096) {
      throw new RotationError('INVALID_INPUT', `Salesforce certificates are 2048 or 4096 bits, not ${String(input.keySize)}`);
    }
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
        }),
        'createMetadata(Certificate)',
      );
      if (result.success) return;
      const failure = new MetadataOperationFailed(name, result.errors);
      if (failure.hasStatus('DUPLICATE_DEVELOPER_NAME', 'DUPLICATE_VALUE') || failure.mentions(/duplicate|already exists/i)) {
        // someone created it between our check and our create
        const raced = (await listLive(conn)).find((p) => sameUniqueName(p.fullName, name));
        throw alreadyExists(name, raced?.fullName ?? name);
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
    return this.get(name);
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

  /** The Unique Name of the certificate whose label is `label`, if any (for a helpful error). */
  private async uniqueNameForLabel(label: string): Promise<string | null> {
    const rows = await this.session.call(`looking up certificate label "${label}"`, (conn) =>
      queryRows(conn, `SELECT Id, DeveloperName, MasterLabel FROM Certificate WHERE MasterLabel = ${soqlString(label)}`, true),
    );
    const row = rows[0];
    return row ? stringField(row, 'DeveloperName') : null;
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

/** Live certificates as listMetadata reports them (fullName as stored, id, createdDate). */
async function listLive(conn: Connection): Promise<FileProperties[]> {
  return parseWire(filePropertiesSchema.array(), await conn.metadata.list([{ type: 'Certificate' }]), 'listMetadata(Certificate)');
}

function createdAtOf(properties: FileProperties | undefined): string | null {
  const iso = isoDate(properties?.createdDate);
  return iso !== null && Date.parse(iso) >= EARLIEST_REAL_DATE ? iso : null;
}

async function readCertificateRecords(conn: Connection, names: string[]): Promise<Map<string, CertificateRecord>> {
  const found = new Map<string, CertificateRecord>();
  for (let i = 0; i < names.length; i += READ_BATCH) {
    // always an array: jsforce crashes reading a single missing name
    const raw: unknown = await conn.metadata.read('Certificate', names.slice(i, i + READ_BATCH));
    for (const record of parseWire(certificateMetadataSchema.array(), raw, 'readMetadata(Certificate)')) {
      if (record.fullName) found.set(record.fullName.toLowerCase(), { ...record, fullName: record.fullName });
    }
  }
  return found;
}

async function readCertificateRecord(conn: Connection, uniqueName: string): Promise<CertificateRecord | null> {
  return (await readCertificateRecords(conn, [uniqueName])).get(uniqueName.toLowerCase()) ?? null;
}

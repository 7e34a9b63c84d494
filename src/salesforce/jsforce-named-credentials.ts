/**
 * Named credentials through jsforce's Metadata API: finding every place one names a
 * certificate (named-credential-places.ts says which, for both models) and switching one
 * place compare-and-set.
 *
 * Why the Metadata API and not Connect REST (`/named-credentials/named-credential-setup/
 * {developerName}`): Connect REST knows only the current model (types SecuredEndpoint and
 * PrivateEndpoint), so legacy credentials — `certificate`, `jwtSigningCertificate` — need
 * the Metadata API anyway; and its PUT also takes the whole credential (calloutUrl,
 * calloutOptions, externalCredentials are required), so it is no safer against dropping a
 * setting than a Metadata update built from a read. One route for both models, then,
 * with the read-modify-write rules of named-credential-places.ts.
 *
 * jsforce 3.10.16's Metadata schema predates API 56 (no `namedCredentialType`, no
 * `namedCredentialParameters`): those arrive untyped, one parameter as an object, and
 * required-but-absent fields as ''; wire-records.ts normalizes what we read, and the
 * update is built from the raw component so nothing is reordered or invented.
 *
 * Compare-and-set: the Metadata API has no conditional update, so each switch reads the
 * credential, compares, and writes at once (a change landing in between those two calls
 * is the one case it cannot see); then reads back and checks that the place holds the new
 * name and every other parameter is as it was.
 */
import type { Connection } from 'jsforce';
import { RotationError } from '../domain/errors';
import { asCertificateName } from './certificate-fields';
import { MetadataOperationFailed } from './errors';
import { READ_BATCH, type JsforceCertificates } from './jsforce-certificates';
import type { OrgSession } from './jsforce-session';
import {
  NAMED_CREDENTIAL_OBJECT,
  certificatePlaces,
  isNamedCredentialPlace,
  otherParameters,
  planSwitch,
  secretRisk,
  valueAt,
  type NamedCredentialPlace,
  type ReadNamedCredential,
} from './named-credential-places';
import type { CertificateNames, NamedReference, ReferenceChange, UnswitchableReference } from './org-port';
import { filePropertiesSchema, namedCredentialMetadataSchema, parseWire, saveResultSchema } from './wire-records';
import { NO_BARRIER, type BarrierTicket } from './write-barrier';

/** The certificate a stored value names, by Unique Name first, then by label (jsforce-references' rule). */
export type CertificateMatcher = (value: string | null, wanted: readonly CertificateNames[]) => { certificate: string; matchedBy: 'unique-name' | 'label' } | null;

/** jsforce types `update` by its bundled schema, which has no current-model fields. */
interface UntypedMetadataUpdate {
  update(type: string, metadata: Record<string, unknown>): Promise<unknown>;
}

export class JsforceNamedCredentials {
  constructor(
    private readonly session: OrgSession,
    private readonly certificates: Pick<JsforceCertificates, 'requireUniqueName'>,
    private readonly match: CertificateMatcher,
  ) {}

  /**
   * One reference per place (certificate, jwtSigningCertificate, the ClientCertificate
   * parameter) naming a wanted certificate. `everyValue`: also each place naming none of
   * them (a dangling reference, its `certificate` the value): these places hold certificate
   * names by nature.
   */
  async using(wanted: readonly CertificateNames[], everyValue = false): Promise<NamedReference[]> {
    return this.session.call('reading named credentials', async (conn) => {
      const refs: NamedReference[] = [];
      for (const nc of await readAllCredentials(conn)) {
        for (const place of certificatePlaces(nc)) {
          const dangling = everyValue ? asCertificateName(place.value) : null;
          const hit = this.match(place.value, wanted) ?? (dangling === null ? null : { certificate: dangling, matchedBy: 'unique-name' as const });
          if (!hit) continue;
          refs.push({
            certificate: hit.certificate,
            object: NAMED_CREDENTIAL_OBJECT,
            field: place.field,
            recordId: nc.fullName,
            scope: 'named-credential',
            owner: nc.label ?? nc.fullName,
            value: place.value,
            matchedBy: hit.matchedBy,
          });
        }
      }
      return refs;
    });
  }

  /**
   * Places naming a wanted certificate in credentials certrot cannot update without
   * clearing a secret (legacy ones with a password, OAuth or AWS protocol, or of a type it
   * does not know): found at backing-up, before anything changes, instead of refused in
   * the middle of applying.
   */
  async unswitchable(wanted: readonly CertificateNames[]): Promise<UnswitchableReference[]> {
    return this.session.call('reading named credentials', async (conn) => {
      const found: UnswitchableReference[] = [];
      for (const nc of await readAllCredentials(conn)) {
        const risk = secretRisk(nc, 'the new certificate');
        if (risk === null) continue;
        for (const place of certificatePlaces(nc)) {
          if (this.match(place.value, wanted)) found.push({ kind: 'named-credential', name: nc.fullName, field: place.field, line: null, detail: risk });
        }
      }
      return found;
    });
  }

  /**
   * Compare-and-set on one place. Returns undefined when applied (or already at the new
   * value), else what the place holds (null: credential or place gone). Throws when the
   * credential cannot be switched without clearing a secret, before sending anything.
   */
  /** `barrier`: an at-once switch's instant, awaited after the read, just before the update (write-barrier.ts). */
  async swap(change: ReferenceChange, barrier: BarrierTicket = NO_BARRIER): Promise<string | null | undefined> {
    const field = change.field;
    if (!isNamedCredentialPlace(field)) {
      throw new RotationError(
        'INVALID_INPUT',
        `A named credential change must target "certificate", "jwtSigningCertificate" or "namedCredentialParameters.ClientCertificate", not "${field}"`,
        { details: { namedCredential: change.recordId, field } },
      );
    }
    await this.certificates.requireUniqueName(change.value, 'certificate Unique Name for a named credential');
    return this.session.call(`updating named credential ${change.recordId} (${field})`, async (conn) => {
      const before = await readOne(conn, change.recordId);
      const plan = planSwitch(before, { field, expected: change.expected, value: change.value });
      switch (plan.kind) {
        case 'done':
          return undefined;
        case 'conflict':
          return plan.actual;
        case 'refused':
          throw new RotationError('SALESFORCE_ERROR', plan.reason, { retryable: false, details: { namedCredential: change.recordId, field } });
        case 'update':
          break;
      }
      await barrier.arrive();
      const untyped: UntypedMetadataUpdate = conn.metadata;
      const result = parseWire(saveResultSchema, await untyped.update(NAMED_CREDENTIAL_OBJECT, plan.component), 'updateMetadata(NamedCredential)');
      if (!result.success) {
        throw new RotationError('SALESFORCE_ERROR', `Salesforce refused to update named credential ${change.recordId}: ${new MetadataOperationFailed(change.recordId, result.errors).message}`, {
          details: { namedCredential: change.recordId, field },
        });
      }
      await verify(conn, change.recordId, field, change.value, before);
      return undefined;
    });
  }
}

/** Reads back after an update: the place holds the new name and no other parameter changed. */
async function verify(conn: Connection, fullName: string, field: NamedCredentialPlace, value: string, before: ReadNamedCredential | null): Promise<void> {
  const after = await readOne(conn, fullName);
  const now = after ? valueAt(after, field) : null;
  const lost = before && after ? otherParameters(before).filter((p) => !otherParameters(after).includes(p)) : [];
  if (now === value && lost.length === 0) return;
  throw new RotationError(
    'SALESFORCE_ERROR',
    `Named credential ${fullName} does not read back as updated (${field} holds ${now ?? 'nothing'}, expected ${value}${lost.length > 0 ? `; ${lost.length} other parameter(s) changed` : ''}). ` +
      `Someone may have changed it at the same time: check it in Setup > Named Credentials > ${fullName}.`,
    { retryable: false, details: { namedCredential: fullName, field } },
  );
}

async function readOne(conn: Connection, fullName: string): Promise<ReadNamedCredential | null> {
  return (await readCredentials(conn, [fullName]))[0] ?? null;
}

/** Every named credential of the org, read in batches. */
async function readAllCredentials(conn: Connection): Promise<ReadNamedCredential[]> {
  const listed = parseWire(filePropertiesSchema.array(), await conn.metadata.list([{ type: NAMED_CREDENTIAL_OBJECT }]), 'listMetadata(NamedCredential)');
  const names = listed.map((p) => p.fullName);
  const all: ReadNamedCredential[] = [];
  for (let i = 0; i < names.length; i += READ_BATCH) all.push(...(await readCredentials(conn, names.slice(i, i + READ_BATCH))));
  return all;
}

async function readCredentials(conn: Connection, names: string[]): Promise<ReadNamedCredential[]> {
  if (names.length === 0) return [];
  const raw: unknown = await conn.metadata.read(NAMED_CREDENTIAL_OBJECT, names);
  const rows: unknown[] = Array.isArray(raw) ? raw : [raw];
  const parsed = parseWire(namedCredentialMetadataSchema.array(), rows, 'readMetadata(NamedCredential)');
  return parsed.flatMap((nc, i): ReadNamedCredential[] => {
    const row = rows[i];
    if (!nc.fullName || typeof row !== 'object' || row === null) return [];
    const raw = row as Record<string, unknown>;
    // the parameters as read (validated above), not zod's copies: key order is kept for the update
    const rawParameters: unknown = raw.namedCredentialParameters;
    const parameters = (Array.isArray(rawParameters) ? rawParameters : rawParameters ? [rawParameters] : []).filter(
      (p: unknown): p is Record<string, unknown> => typeof p === 'object' && p !== null,
    );
    return [
      {
        fullName: nc.fullName,
        label: nc.label ?? null,
        type: nc.namedCredentialType ?? null,
        protocol: nc.protocol || null,
        certificate: nc.certificate ?? null,
        jwtSigningCertificate: nc.jwtSigningCertificate ?? null,
        parameters,
        raw,
      },
    ];
  });
}

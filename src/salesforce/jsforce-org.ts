/**
 * The SalesforceOrg port on jsforce v3: Metadata API (SOAP) for certificates and named
 * credentials, Tooling API for the certificate inventory and anonymous Apex, REST for
 * the organization, custom settings/objects, describe and limits.
 *
 * This file is the port's face, the proofs by Apex, and a backup's one pass over the places
 * naming a certificate (findCertificatePlaces: one scan shared by discovery and the
 * unswitchable search, one describe per object); the rest lives by idea:
 *   jsforce-session.ts      the call machinery: login, retry, cancellation, deadlines
 *   deadline-transport.ts   one fetch per request, bounded and abortable
 *   jsforce-certificates.ts list, read (one, or many certificates' validity), create (never adopting), chain upload, delete
 *   jsforce-references.ts   find, discover and switch the records naming a certificate
 *   jsforce-unswitchable.ts what names a certificate but no API can switch (Apex, protected settings, read-only fields)
 */
import { RotationError } from '../domain/errors';
import { calloutSnippet, extractResult, signingSnippet } from './apex-snippets';
import { redact } from './errors';
import { JsforceCertificates } from './jsforce-certificates';
import { objectsToScan, scanObjects } from './jsforce-object-scan';
import { JsforceReferenceSwitch } from './jsforce-reference-switch';
import { JsforceReferences, nameValuesOf, requireTarget, targetsInScan } from './jsforce-references';
import { SchemaCache, isCustomMetadataObject } from './jsforce-schema';
import { JsforceUnswitchable } from './jsforce-unswitchable';
import { OrgSession, queryRows, type JsforceOrgOptions } from './jsforce-session';
import type {
  ApiUsage,
  CalloutResult,
  CertificateDetails,
  CertificateListing,
  CertificateNames,
  CertificatePlaces,
  CertificateReadOptions,
  CertificatesWithDeleted,
  CertificateValidity,
  CreateCertificateInput,
  DiscoveredTarget,
  DiscoveryOptions,
  NamedReference,
  Reference,
  ReferenceChange,
  ReferenceProgress,
  ReferenceSearchOptions,
  ReferenceTarget,
  SalesforceOrg,
  UnswitchableReference,
  UpdateReferencesOptions,
  UpdateReferencesResult,
} from './org-port';
import { calloutResultSchema, executeAnonymousSchema, limitsSchema, parseWire, stringField } from './wire-records';

export { DEFAULT_API_VERSION, type JsforceOrgOptions } from './jsforce-session';

const ORGANIZATION_ID = /^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/;

export function createJsforceOrg(options: JsforceOrgOptions): SalesforceOrg {
  return new JsforceOrg(options);
}

export class JsforceOrg implements SalesforceOrg {
  private readonly session: OrgSession;
  private readonly certificates: JsforceCertificates;
  private readonly references: JsforceReferences;
  private readonly unswitchable: JsforceUnswitchable;
  private orgId: string | null = null;

  constructor(options: JsforceOrgOptions) {
    this.session = new OrgSession(options);
    this.certificates = new JsforceCertificates(this.session);
    this.references = new JsforceReferences(this.session, this.certificates);
    this.unswitchable = new JsforceUnswitchable(this.session);
  }

  async organizationId(): Promise<string> {
    if (this.orgId !== null) return this.orgId; // an org never changes its Id
    const rows = await this.session.call('reading the organization Id', (conn) => queryRows(conn, 'SELECT Id FROM Organization'));
    const id = rows[0] ? stringField(rows[0], 'Id') : null;
    if (id === null || !ORGANIZATION_ID.test(id)) {
      throw new RotationError('SALESFORCE_ERROR', `Salesforce org ${this.session.name} answered the Organization query without a valid organization Id (got ${id ?? 'no row'}).`);
    }
    this.orgId = id;
    return id;
  }

  // ---------------------------------------------------------------- certificates

  listCertificates(): Promise<CertificateListing[]> {
    return this.certificates.list();
  }

  listCertificatesWithDeleted(): Promise<CertificatesWithDeleted> {
    return this.certificates.listWithDeleted();
  }

  getCertificate(uniqueName: string, options?: CertificateReadOptions): Promise<CertificateDetails> {
    return this.certificates.get(uniqueName, options?.createdAt === false ? { createdAt: false } : {});
  }

  readValidity(uniqueNames: readonly string[]): Promise<CertificateValidity[]> {
    return this.certificates.readValidity(uniqueNames);
  }

  createCertificate(input: CreateCertificateInput): Promise<CertificateDetails> {
    return this.certificates.create(input);
  }

  uploadSignedChain(uniqueName: string, chainPem: string): Promise<CertificateDetails> {
    return this.certificates.uploadSignedChain(uniqueName, chainPem);
  }

  deleteCertificate(uniqueName: string): Promise<void> {
    // a named credential can name it in more than one place (legacy certificate + jwtSigningCertificate): name each once
    return this.certificates.delete(uniqueName, async (name) => [...new Set((await this.references.namedCredentialsUsing([{ uniqueName: name, label: null }])).map((u) => u.recordId))]);
  }

  // ---------------------------------------------------------------- references

  findReferences(uniqueName: string, targets: ReferenceTarget[], options?: { label?: string | null }): Promise<Reference[]> {
    return this.references.find(uniqueName, targets, options);
  }

  findReferencesToAny(certificates: CertificateNames[], targets: ReferenceTarget[], options?: ReferenceSearchOptions): Promise<NamedReference[]> {
    return this.references.findToAny(certificates, targets, options);
  }

  discoverReferenceTargets(configuredObjects?: string[], certificates?: readonly CertificateNames[], options?: DiscoveryOptions): Promise<DiscoveredTarget[]> {
    return this.references.discoverTargets(configuredObjects, certificates, options);
  }

  async findUnswitchableReferences(certificate: CertificateNames, targets: ReferenceTarget[]): Promise<UnswitchableReference[]> {
    return [...(await this.unswitchable.find(certificate, targets)), ...(await this.references.namedCredentialsUnswitchable([certificate]))];
  }

  async findCertificatePlaces(certificate: CertificateNames, targets: ReferenceTarget[], options: { discover: boolean }): Promise<CertificatePlaces> {
    targets.forEach((t) => requireTarget(t));
    const names = [certificate];
    // One scan serves discovery and the unswitchable search: the objects of every target
    // besides every custom setting and Custom Metadata Type (discovery's own objects among them).
    const schema = new SchemaCache(this.session);
    const objects = await objectsToScan(this.session, targets.map((t) => t.object));
    const scan = await scanObjects(this.session, schema, objects, nameValuesOf(names));
    const all = [...targets];
    if (options.discover) {
      const configured = new Set(targets.filter((t) => t.kind === 'custom-object').map((t) => t.object.toLowerCase()));
      const discoverable = new Set(objects.filter((o) => o.customSetting === true || isCustomMetadataObject(o.name) || configured.has(o.name.toLowerCase())).map((o) => o.name.toLowerCase()));
      const discovered = targetsInScan({ fields: scan.fields.filter((f) => discoverable.has(f.object.toLowerCase())), unreadable: [] }, names, { namingOnly: true });
      for (const found of discovered) {
        const known = all.some((t) => t.object === found.object && t.field === found.field);
        if (!known) all.push({ object: found.object, field: found.field, kind: found.kind });
      }
    }
    const unswitchable = [...(await this.unswitchable.find(certificate, all, scan)), ...(await this.references.namedCredentialsUnswitchable([certificate]))];
    const references = await this.references.find(certificate.uniqueName, all, { label: certificate.label, schema });
    return { targets: all, unswitchable, references };
  }

  updateReferences(changes: readonly ReferenceChange[], progress?: ReferenceProgress, options?: UpdateReferencesOptions): Promise<UpdateReferencesResult> {
    // at once: records in one all-or-none request, metadata beside it (jsforce-reference-switch.ts)
    if (options?.atOnce) return new JsforceReferenceSwitch(this.session, this.certificates).update(changes, progress, options.atSwitchInstant);
    return this.references.update(changes, progress);
  }

  // ---------------------------------------------------------------- proof by Apex

  private async requireUsable(uniqueName: string): Promise<string> {
    const details = await this.certificates.get(uniqueName, { createdAt: false });
    if (!details.usable) {
      throw new RotationError('CERT_UNUSABLE', `Certificate ${details.uniqueName} is CA-signed and still waits for its signed chain; upload the chain before using it.`, {
        details: { uniqueName: details.uniqueName },
      });
    }
    return details.uniqueName;
  }

  private async runApexForResult(operation: string, body: string): Promise<string> {
    const result = parseWire(executeAnonymousSchema, await this.session.call(operation, (conn) => conn.tooling.executeAnonymous(body)), 'executeAnonymous');
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
    const limits = parseWire(limitsSchema, await this.session.call('reading API limits', (conn) => conn.limits()), 'limits');
    const { Max: max, Remaining: remaining } = limits.DailyApiRequests;
    return { max, remaining, used: max - remaining };
  }
}

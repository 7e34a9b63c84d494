/**
 * The SOAP Metadata API (`/services/Soap/m/XX.X`) for Certificate and NamedCredential:
 * createMetadata, readMetadata, updateMetadata, deleteMetadata, listMetadata. Like
 * Salesforce, create/update/delete report failures per item as `success: false` with
 * `errors[{statusCode, message, fields}]`; only session and request problems are faults.
 */
import { XMLParser } from 'fast-xml-parser';
import { readCustomMetadata, updateCustomMetadata } from './custom-metadata-records';
import { isKeySize } from '../../domain/certificate';
import { leafMatchingKey, makeCsr, makeSelfSigned, subjectSourceProblem } from './key-material';
import { namedCredentialRecord, saveNamedCredential } from './named-credential-metadata';
import { findNamedCredential, namedCredentialsUsing } from './named-credentials';
import { expirationOf, liveCertificate, newId, type OrgState, type SandboxCertificate } from './org-state';
import { metadataError, soapFault, soapReply, type Reply, type XmlElement, type XmlValue } from './replies';

const ARRAYS = new Set(['metadata', 'fullNames', 'queries']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ARRAYS.has(name),
});

export interface SoapRequest {
  method: string;
  sessionId: string | undefined;
  args: Record<string, unknown>;
}

type Item = Record<string, unknown>;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const inner = asRecord(value)['#text'];
  return typeof inner === 'string' ? inner : undefined;
}

/** Reads the envelope; null when it is not a SOAP envelope with one operation in its Body. */
export function parseSoapRequest(xml: string): SoapRequest | null {
  let doc: Record<string, unknown>;
  try {
    doc = asRecord(parser.parse(xml));
  } catch {
    return null;
  }
  const envelope = asRecord(doc.Envelope);
  const body = asRecord(envelope.Body);
  const method = Object.keys(body).find((k) => !k.startsWith('@_'));
  if (!method) return null;
  const sessionId = text(asRecord(asRecord(envelope.Header).SessionHeader).sessionId);
  return { method, sessionId, args: asRecord(body[method]) };
}

const DEVELOPER_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;

function validName(name: string): boolean {
  return name.length <= 80 && DEVELOPER_NAME.test(name) && !name.endsWith('_');
}

function saveOk(fullName: string): XmlElement {
  return { fullName, success: true };
}

function saveFailed(fullName: string, statusCode: string, message: string, fields: string[] = []): XmlElement {
  return { errors: [metadataError(statusCode, message, fields)], fullName, success: false };
}

function bool(value: unknown, fallback: boolean): boolean {
  const t = text(value);
  return t === undefined ? fallback : t === 'true';
}

/** The content as Salesforce returns it: the CSR while pending, then the chain whole as uploaded (or the self-signed certificate). */
function certificateRecord(cert: SandboxCertificate): XmlElement {
  const pem = cert.chainPem ?? cert.certificatePem ?? cert.csrPem ?? '';
  return {
    '@type': 'Certificate',
    fullName: cert.uniqueName,
    caSigned: cert.caSigned,
    content: Buffer.from(pem, 'utf8').toString('base64'),
    encryptedWithPlatformEncryption: false,
    expirationDate: expirationOf(cert),
    keySize: cert.keySize,
    masterLabel: cert.label,
    privateKeyExportable: cert.privateKeyExportable,
  };
}

async function createCertificate(state: OrgState, item: Item, clock: () => Date): Promise<XmlElement> {
  const fullName = text(item.fullName) ?? '';
  const label = text(item.masterLabel);
  if (!validName(fullName)) {
    return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'The Unique Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.', ['fullName']);
  }
  if (!label) return saveFailed(fullName, 'REQUIRED_FIELD_MISSING', 'Required field is missing: masterLabel', ['masterLabel']);
  if (label.length > 64) return saveFailed(fullName, 'STRING_TOO_LONG', 'Label: data value too large (max length=64)', ['masterLabel']);
  if (text(item.caSigned) === undefined) return saveFailed(fullName, 'REQUIRED_FIELD_MISSING', 'Required field is missing: caSigned', ['caSigned']);
  const keySize = Number(text(item.keySize) ?? '2048');
  if (!isKeySize(keySize)) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'Key size must be 2048, 3072 or 4096', ['keySize']);
  const clash = duplicateOf(state, fullName);
  if (clash) return clash;
  // Content on create is an existing certificate: the new one takes its X.509 subject (its key is new all the same).
  const content = text(item.content);
  const subjectFromCertificatePem = content ? pemOfContent(content) : undefined;
  const subjectProblem = subjectFromCertificatePem === undefined ? null : subjectSourceProblem(subjectFromCertificatePem);
  if (subjectProblem) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', subjectProblem, ['content']);

  const caSigned = bool(item.caSigned, false);
  const createdAt = clock();
  const now = createdAt.toISOString();
  const base = {
    id: newId(state, '0P1'),
    uniqueName: fullName,
    label,
    keySize,
    caSigned,
    privateKeyExportable: bool(item.privateKeyExportable, true),
    createdDate: now,
    lastModifiedDate: now,
    deleted: false,
    chainPem: null,
  } as const;
  const material = { uniqueName: fullName, keySize, orgId: state.orgId, createdAt, subjectFromCertificatePem, fromKeyPool: state.behaviour.pregeneratedKeys > 0 };
  const made = caSigned ? { ...(await makeCsr(material)), certificatePem: null } : { ...(await makeSelfSigned(material)), csrPem: null };
  // Salesforce's uniqueness holds under concurrency: check again after generating the key,
  // since another create of the same name may have landed meanwhile.
  const raced = duplicateOf(state, fullName);
  if (raced) return raced;
  state.certificates.push({ ...base, privateKeyPem: made.privateKeyPem, certificatePem: made.certificatePem, csrPem: made.csrPem });
  return saveOk(fullName);
}

/**
 * DeveloperNames are unique case-insensitively: `vendor_signing` clashes with `Vendor_Signing`.
 * Whether a deleted certificate's name stays taken is unconfirmed: `behaviour.deletedCertificateNames`.
 */
function duplicateOf(state: OrgState, fullName: string): XmlElement | null {
  const reserved = state.behaviour.deletedCertificateNames === 'reserved';
  const clash = liveCertificate(state, fullName) ?? (reserved ? state.certificates.find((c) => c.uniqueName.toLowerCase() === fullName.toLowerCase()) : undefined);
  return clash ? saveFailed(fullName, 'DUPLICATE_DEVELOPER_NAME', `The Unique Name ${fullName} is already in use by certificate ${clash.uniqueName}.`, ['fullName']) : null;
}

/** Certificate content as sent: base64 of the PEM text, or (as some tools send it) of the DER. */
function pemOfContent(content: string): string {
  const decoded = Buffer.from(content, 'base64');
  const textual = decoded.toString('utf8');
  return textual.includes('-----BEGIN') ? textual : `-----BEGIN CERTIFICATE-----\n${decoded.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

function updateCertificate(state: OrgState, item: Item): XmlElement {
  const fullName = text(item.fullName) ?? '';
  const cert = liveCertificate(state, fullName);
  if (!cert) return saveFailed(fullName, 'INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no Certificate named ${fullName} found`, ['fullName']);
  if (text(item.keySize) !== undefined && text(item.keySize) !== String(cert.keySize)) {
    return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'The key size of an existing certificate cannot be changed.', ['keySize']);
  }
  if (text(item.caSigned) !== undefined && bool(item.caSigned, cert.caSigned) !== cert.caSigned) {
    return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'A certificate cannot switch between self-signed and CA-signed.', ['caSigned']);
  }
  const content = text(item.content);
  if (content) {
    if (!cert.caSigned || !cert.csrPem) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'Only a CA-signed certificate accepts a signed certificate chain.', ['content']);
    const chainPem = pemOfContent(content);
    const checked = leafMatchingKey(chainPem, cert.csrPem);
    if ('problem' in checked) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', checked.problem, ['content']);
    cert.certificatePem = checked.leafPem;
    cert.chainPem = chainPem; // stored whole, as uploaded
  }
  const label = text(item.masterLabel);
  if (label) cert.label = label;
  cert.lastModifiedDate = new Date().toISOString();
  return saveOk(cert.uniqueName);
}

function deleteCertificate(state: OrgState, fullName: string): XmlElement {
  const cert = liveCertificate(state, fullName);
  if (!cert) return saveFailed(fullName, 'INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no Certificate named ${fullName} found`, ['fullName']);
  const users = namedCredentialsUsing(state, cert.uniqueName);
  if (users.length > 0) {
    // the exact fault is unconfirmed: `behaviour.certificateInUseFault`
    const fault = state.behaviour.certificateInUseFault;
    return saveFailed(fullName, fault.statusCode, fault.message.split('{namedCredentials}').join(users.map((u) => u.fullName).join(', ')));
  }
  cert.deleted = true; // the Tooling API keeps listing it, as Salesforce's does
  return saveOk(cert.uniqueName);
}

function typeOf(item: Item): string | undefined {
  return text(item['@_type']);
}

const UNSUPPORTED = (type: string | undefined, fullName: string) =>
  saveFailed(fullName, 'INVALID_TYPE', `The sandbox org's Metadata API handles Certificate and NamedCredential, not ${type ?? '(no xsi:type)'}.`);

function items(value: unknown): Item[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(asRecord);
}

function names(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) => text(v) ?? '');
}

export async function handleMetadata(request: SoapRequest, state: OrgState, clock: () => Date = () => new Date()): Promise<Reply> {
  const { method, args } = request;
  switch (method) {
    case 'createMetadata': {
      const results: XmlValue[] = [];
      for (const item of items(args.metadata)) {
        const type = typeOf(item);
        if (type === 'Certificate') results.push(await createCertificate(state, item, clock));
        else if (type === 'NamedCredential') results.push(saveNamedCredential(state, item, 'create'));
        else results.push(UNSUPPORTED(type, text(item.fullName) ?? ''));
      }
      return soapReply(method, results);
    }
    case 'updateMetadata': {
      const results = items(args.metadata).map((item) => {
        const type = typeOf(item);
        if (type === 'Certificate') return updateCertificate(state, item);
        if (type === 'NamedCredential') return saveNamedCredential(state, item, 'update');
        if (type === 'CustomMetadata') return updateCustomMetadata(state, item, text);
        return UNSUPPORTED(type, text(item.fullName) ?? '');
      });
      return soapReply(method, results);
    }
    case 'readMetadata': {
      const type = text(args.type);
      const records = names(args.fullNames).map((name): XmlValue => {
        if (type === 'Certificate') {
          const cert = liveCertificate(state, name);
          return cert ? certificateRecord(cert) : null;
        }
        if (type === 'NamedCredential') {
          const nc = findNamedCredential(state, name);
          return nc ? namedCredentialRecord(nc) : null;
        }
        if (type === 'CustomMetadata') return readCustomMetadata(state, name);
        return null;
      });
      return soapReply(method, { records });
    }
    case 'deleteMetadata': {
      const type = text(args.type);
      const results = names(args.fullNames).map((name) => {
        if (type === 'Certificate') return deleteCertificate(state, name);
        if (type === 'NamedCredential') {
          const index = state.namedCredentials.findIndex((n) => n.fullName.toLowerCase() === name.toLowerCase());
          if (index < 0) return saveFailed(name, 'INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no NamedCredential named ${name} found`, ['fullName']);
          state.namedCredentials.splice(index, 1);
          return saveOk(name);
        }
        return UNSUPPORTED(type, name);
      });
      return soapReply(method, results);
    }
    case 'listMetadata': {
      const results: XmlValue[] = [];
      for (const query of items(args.queries)) {
        const type = text(query.type);
        const user = state.users[0];
        const common = (id: string, fullName: string, fileName: string, created: string, modified: string): XmlElement => ({
          createdById: user?.id ?? '',
          createdByName: user?.name ?? '',
          createdDate: created,
          fileName,
          fullName,
          id,
          lastModifiedById: user?.id ?? '',
          lastModifiedByName: user?.name ?? '',
          lastModifiedDate: modified,
          manageableState: 'unmanaged',
          type: type ?? '',
        });
        if (type === 'Certificate') {
          for (const c of state.certificates.filter((x) => !x.deleted)) results.push(common(c.id, c.uniqueName, `certs/${c.uniqueName}.crt`, c.createdDate, c.lastModifiedDate));
        } else if (type === 'NamedCredential') {
          for (const n of state.namedCredentials) results.push(common(n.id, n.fullName, `namedCredentials/${n.fullName}.namedCredential`, n.lastModifiedDate, n.lastModifiedDate));
        }
      }
      return soapReply(method, results);
    }
    default:
      return soapFault('soapenv:Client', `No operation available for request {http://soap.sforce.com/2006/04/metadata}${method} in the sandbox org`);
  }
}

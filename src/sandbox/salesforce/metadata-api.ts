/**
 * The SOAP Metadata API (`/services/Soap/m/XX.X`) for Certificate and NamedCredential:
 * createMetadata, readMetadata, updateMetadata, deleteMetadata, listMetadata. Like
 * Salesforce, create/update/delete report failures per item as `success: false` with
 * `errors[{statusCode, message, fields}]`; only session and request problems are faults.
 */
import { XMLParser } from 'fast-xml-parser';
import { leafMatchingKey, makeCsr, makeSelfSigned } from './key-material';
import { expirationOf, liveCertificate, newId, type OrgState, type SandboxCertificate, type SandboxNamedCredential } from './org-state';
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

function certificateRecord(cert: SandboxCertificate): XmlElement {
  const pem = cert.certificatePem ?? cert.csrPem ?? '';
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

function namedCredentialRecord(nc: SandboxNamedCredential): XmlElement {
  return {
    '@type': 'NamedCredential',
    fullName: nc.fullName,
    allowMergeFieldsInBody: false,
    allowMergeFieldsInHeader: false,
    ...(nc.certificate ? { certificate: nc.certificate } : {}),
    endpoint: nc.endpoint,
    generateAuthorizationHeader: false,
    label: nc.label,
    principalType: nc.principalType,
    protocol: nc.protocol,
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
  const keySizeText = text(item.keySize) ?? '2048';
  if (keySizeText !== '2048' && keySizeText !== '4096') return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'Key size must be 2048 or 4096', ['keySize']);
  const clash = duplicateOf(state, fullName);
  if (clash) return clash;
  if (text(item.content)) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'Certificate content cannot be given on create: Salesforce generates the key pair.', ['content']);

  const keySize = keySizeText === '4096' ? 4096 : 2048;
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
  const made = caSigned
    ? { ...(await makeCsr({ uniqueName: fullName, keySize, orgId: state.orgId })), certificatePem: null }
    : { ...(await makeSelfSigned({ uniqueName: fullName, keySize, orgId: state.orgId, notBefore: createdAt })), csrPem: null };
  // Salesforce's uniqueness holds under concurrency: check again after generating the key,
  // since another create of the same name may have landed meanwhile.
  const raced = duplicateOf(state, fullName);
  if (raced) return raced;
  state.certificates.push({ ...base, privateKeyPem: made.privateKeyPem, certificatePem: made.certificatePem, csrPem: made.csrPem });
  return saveOk(fullName);
}

/** DeveloperNames are unique case-insensitively: `vendor_signing` clashes with `Vendor_Signing`. */
function duplicateOf(state: OrgState, fullName: string): XmlElement | null {
  const clash = liveCertificate(state, fullName);
  return clash ? saveFailed(fullName, 'DUPLICATE_DEVELOPER_NAME', `The Unique Name ${fullName} is already in use by certificate ${clash.uniqueName}.`, ['fullName']) : null;
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
    const checked = leafMatchingKey(Buffer.from(content, 'base64').toString('utf8'), cert.csrPem);
    if ('problem' in checked) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', checked.problem, ['content']);
    cert.certificatePem = checked.leafPem;
    cert.chainPem = Buffer.from(content, 'base64').toString('utf8');
  }
  const label = text(item.masterLabel);
  if (label) cert.label = label;
  cert.lastModifiedDate = new Date().toISOString();
  return saveOk(cert.uniqueName);
}

function deleteCertificate(state: OrgState, fullName: string): XmlElement {
  const cert = liveCertificate(state, fullName);
  if (!cert) return saveFailed(fullName, 'INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no Certificate named ${fullName} found`, ['fullName']);
  const users = state.namedCredentials.filter((nc) => nc.certificate?.toLowerCase() === cert.uniqueName.toLowerCase());
  if (users.length > 0) {
    return saveFailed(fullName, 'DEPENDENCY_EXISTS', `This certificate is in use by named credential ${users.map((u) => u.fullName).join(', ')} and can't be deleted.`);
  }
  cert.deleted = true; // the Tooling API keeps listing it, as Salesforce's does
  return saveOk(cert.uniqueName);
}

function namedCredentialProblem(state: OrgState, item: Item): XmlElement | null {
  const fullName = text(item.fullName) ?? '';
  const certificate = text(item.certificate);
  if (certificate && !liveCertificate(state, certificate)) {
    return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `Certificate: no certificate named ${certificate} exists.`, ['certificate']);
  }
  if (certificate && liveCertificate(state, certificate)?.certificatePem === null) {
    return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `Certificate ${certificate} is not usable yet.`, ['certificate']);
  }
  for (const required of ['label', 'endpoint', 'principalType', 'protocol']) {
    if (!text(item[required])) return saveFailed(fullName, 'REQUIRED_FIELD_MISSING', `Required field is missing: ${required}`, [required]);
  }
  return null;
}

function upsertNamedCredential(state: OrgState, item: Item, mode: 'create' | 'update'): XmlElement {
  const fullName = text(item.fullName) ?? '';
  if (!validName(fullName)) return saveFailed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'Invalid Name', ['fullName']);
  const existing = state.namedCredentials.find((nc) => nc.fullName.toLowerCase() === fullName.toLowerCase());
  if (mode === 'create' && existing) return saveFailed(fullName, 'DUPLICATE_DEVELOPER_NAME', `A named credential ${fullName} already exists.`, ['fullName']);
  if (mode === 'update' && !existing) return saveFailed(fullName, 'INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no NamedCredential named ${fullName} found`, ['fullName']);
  const problem = namedCredentialProblem(state, item);
  if (problem) return problem;
  const values = {
    label: text(item.label) ?? '',
    endpoint: text(item.endpoint) ?? '',
    certificate: text(item.certificate) ?? null,
    principalType: text(item.principalType) ?? 'Anonymous',
    protocol: text(item.protocol) ?? 'NoAuthentication',
    lastModifiedDate: new Date().toISOString(),
  };
  if (existing) Object.assign(existing, values);
  else state.namedCredentials.push({ id: newId(state, '0XA'), fullName, ...values });
  return saveOk(existing?.fullName ?? fullName);
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
        else if (type === 'NamedCredential') results.push(upsertNamedCredential(state, item, 'create'));
        else results.push(UNSUPPORTED(type, text(item.fullName) ?? ''));
      }
      return soapReply(method, results);
    }
    case 'updateMetadata': {
      const results = items(args.metadata).map((item) => {
        const type = typeOf(item);
        if (type === 'Certificate') return updateCertificate(state, item);
        if (type === 'NamedCredential') return upsertNamedCredential(state, item, 'update');
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
          const nc = state.namedCredentials.find((n) => n.fullName.toLowerCase() === name.toLowerCase());
          return nc ? namedCredentialRecord(nc) : null;
        }
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

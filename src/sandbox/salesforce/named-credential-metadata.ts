/**
 * The Metadata API's NamedCredential in the sandbox org: readMetadata's record (no secret,
 * fields in the XSD's order) and createMetadata / updateMetadata, which check the model's
 * rules and the certificates named, and replace the whole component on an update. The
 * model itself is in named-credentials.ts.
 */
import { liveCertificate } from './certificate-state';
import {
  CERTIFICATE_FIELDS,
  LEGACY_ONLY,
  LEGACY_TEXT_FIELDS,
  PARAMETER_FIELDS,
  SECRET_FIELDS,
  asRecord,
  findNamedCredential,
  pick,
  text,
  type SandboxNamedCredential,
  type SandboxNamedCredentialParameter,
} from './named-credentials';
import { newId } from './org-ids';
import type { OrgState } from './org-state';
import { metadataError, type XmlElement } from './replies';
import { namedCredentialPlaces, recordNamedCredentialSwitches } from './switch-log';

/** readMetadata's record: fields in the XSD's (alphabetical) order, no secret. */
export function namedCredentialRecord(nc: SandboxNamedCredential): XmlElement {
  const record: XmlElement = { '@type': 'NamedCredential', fullName: nc.fullName };
  const fields: XmlElement = {
    allowMergeFieldsInBody: nc.allowMergeFieldsInBody,
    allowMergeFieldsInHeader: nc.allowMergeFieldsInHeader,
    generateAuthorizationHeader: nc.generateAuthorizationHeader,
    label: nc.label,
    namedCredentialType: nc.namedCredentialType,
  };
  if (nc.namedCredentialType === 'Legacy') {
    Object.assign(fields, nc.settings, {
      ...(nc.certificate ? { certificate: nc.certificate } : {}),
      ...(nc.jwtSigningCertificate ? { jwtSigningCertificate: nc.jwtSigningCertificate } : {}),
      endpoint: nc.endpoint ?? '',
      principalType: nc.principalType ?? 'Anonymous',
      protocol: nc.protocol ?? 'NoAuthentication',
    });
  } else {
    fields.calloutStatus = 'Enabled';
    fields.namedCredentialParameters = nc.parameters.map((p) => sorted({ ...p }));
  }
  return { ...record, ...sorted(fields) };
}

type Item = Record<string, unknown>;

/**
 * createMetadata / updateMetadata of one NamedCredential. An update replaces the whole
 * component with what was sent: fields and secrets left out are cleared.
 */
export function saveNamedCredential(state: OrgState, item: Item, mode: 'create' | 'update'): XmlElement {
  const fullName = text(item.fullName) ?? '';
  if (!/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/.test(fullName) || fullName.length > 80 || fullName.endsWith('_')) return failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'Invalid Name', ['fullName']);
  const existing = findNamedCredential(state, fullName);
  if (mode === 'create' && existing) return failed(fullName, 'DUPLICATE_DEVELOPER_NAME', `A named credential ${fullName} already exists.`, ['fullName']);
  if (mode === 'update' && !existing) return failed(fullName, 'INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no NamedCredential named ${fullName} found`, ['fullName']);
  const parsed = parseItem(state, item, fullName);
  if ('problem' in parsed) return parsed.problem;
  const now = new Date().toISOString();
  const before = existing ? namedCredentialPlaces(existing) : null;
  if (existing) Object.assign(existing, parsed.values, { lastModifiedDate: now });
  if (existing && before) recordNamedCredentialSwitches(state, existing.fullName, before, namedCredentialPlaces(existing));
  else state.namedCredentials.push({ id: newId(state, '0XA'), fullName, ...parsed.values, lastModifiedDate: now });
  return { fullName: existing?.fullName ?? fullName, success: true };
}

type Values = Omit<SandboxNamedCredential, 'id' | 'fullName' | 'lastModifiedDate'>;

function parseItem(state: OrgState, item: Item, fullName: string): { values: Values } | { problem: XmlElement } {
  const type = text(item.namedCredentialType) ?? 'Legacy';
  if (type !== 'Legacy' && type !== 'SecuredEndpoint' && type !== 'PrivateEndpoint') {
    return { problem: failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `namedCredentialType: bad value for restricted picklist field: ${type}`, ['namedCredentialType']) };
  }
  const label = text(item.label);
  if (!label) return { problem: failed(fullName, 'REQUIRED_FIELD_MISSING', 'Required field is missing: label', ['label']) };
  const parameters = list(item.namedCredentialParameters).map((p) => pick(asRecord(p), PARAMETER_FIELDS));
  const common = {
    label,
    namedCredentialType: type,
    allowMergeFieldsInBody: text(item.allowMergeFieldsInBody) === 'true',
    allowMergeFieldsInHeader: text(item.allowMergeFieldsInHeader) === 'true',
    generateAuthorizationHeader: text(item.generateAuthorizationHeader) === 'true',
  } as const;
  const certificates: { field: string; name: string }[] = [];
  if (type === 'Legacy') {
    for (const required of ['endpoint', 'principalType', 'protocol']) {
      if (!text(item[required])) return { problem: failed(fullName, 'REQUIRED_FIELD_MISSING', `Required field is missing: ${required}`, [required]) };
    }
    if (parameters.length > 0) return { problem: failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'namedCredentialParameters: valid only when namedCredentialType is not Legacy', ['namedCredentialParameters']) };
    for (const field of CERTIFICATE_FIELDS) {
      const name = text(item[field]);
      if (name) certificates.push({ field, name });
    }
  } else {
    const legacyField = LEGACY_ONLY.find((f) => text(item[f]) !== undefined);
    if (legacyField) return { problem: failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `${legacyField}: valid only when namedCredentialType is Legacy`, [legacyField]) };
    if (parameters.filter((p) => p.parameterType === 'Url' && p.parameterValue).length !== 1) {
      return { problem: failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'A named credential needs exactly one Url parameter', ['namedCredentialParameters']) };
    }
    const clientCertificates = parameters.filter((p) => p.parameterType === 'ClientCertificate');
    if (clientCertificates.length > 1) return { problem: failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', 'Only one ClientCertificate parameter is allowed', ['namedCredentialParameters']) };
    for (const p of clientCertificates) certificates.push({ field: 'namedCredentialParameters', name: p.certificate ?? '' });
  }
  for (const { field, name } of certificates) {
    const cert = liveCertificate(state, name);
    if (!cert) return { problem: failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `Certificate: no certificate named ${name} exists.`, [field]) };
    if (cert.certificatePem === null) return { problem: failed(fullName, 'FIELD_INTEGRITY_EXCEPTION', `Certificate ${name} is not usable yet.`, [field]) };
  }
  const legacy = type === 'Legacy';
  return {
    values: {
      ...common,
      endpoint: legacy ? (text(item.endpoint) ?? null) : null,
      certificate: legacy ? (text(item.certificate) ?? null) : null,
      jwtSigningCertificate: legacy ? (text(item.jwtSigningCertificate) ?? null) : null,
      principalType: legacy ? (text(item.principalType) ?? null) : null,
      protocol: legacy ? (text(item.protocol) ?? null) : null,
      settings: legacy ? pick(item, LEGACY_TEXT_FIELDS) : {},
      secrets: legacy ? pick(item, SECRET_FIELDS) : {},
      parameters: legacy ? [] : (parameters as SandboxNamedCredentialParameter[]),
    },
  };
}

// ---------------------------------------------------------------- helpers

function failed(fullName: string, statusCode: string, message: string, fields: string[] = []): XmlElement {
  return { errors: [metadataError(statusCode, message, fields)], fullName, success: false };
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function sorted(element: XmlElement): XmlElement {
  return Object.fromEntries(Object.entries(element).sort(([a], [b]) => a.localeCompare(b)));
}

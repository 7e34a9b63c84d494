/**
 * Distinguished names and subject alternative names, between forge's attribute lists and
 * the plain strings certrot shows: `CN=...,O=...` in RFC 2253 order (the last RDN first),
 * which is what `openssl x509 -noout -subject -nameopt RFC2253` prints.
 */
import { isIP } from 'node:net';
import forge from 'node-forge';
import { RotationError } from '../domain/errors';

export type SubjectFields = {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  locality?: string;
  state?: string;
  email?: string;
};

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
};

const COMMON_NAME_OID = '2.5.4.3';
const { Type } = forge.asn1;

/** forge's typings call an attribute's string type (UTF8String, ...) a Class; it is a Type. */
function asTagClass(type: forge.asn1.Type): forge.asn1.Class {
  return type as unknown as forge.asn1.Class;
}

function stringTypeOf(attribute: forge.pki.CertificateField): number | undefined {
  const tag: unknown = attribute.valueTagClass;
  return typeof tag === 'number' ? tag : undefined;
}

/** forge keeps attribute values as raw bytes of their ASN.1 string type; turn them into text. */
export function attributeText(attribute: forge.pki.CertificateField): string {
  const raw = attribute.value;
  const bytes = typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join('') : '';
  switch (stringTypeOf(attribute)) {
    case Type.UTF8:
      try {
        return forge.util.decodeUtf8(bytes);
      } catch {
        return bytes;
      }
    case Type.BMPSTRING: {
      let text = '';
      for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode((bytes.charCodeAt(i) << 8) | bytes.charCodeAt(i + 1));
      return text;
    }
    default:
      return bytes;
  }
}

function escapeRfc2253(value: string): string {
  return value
    .replace(/[\\,+"<>;]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}

/** `CN=leaf,O=Acme,C=US` for attributes stored C, O, CN (RFC 2253 reverses the order). */
export function formatName(attributes: readonly forge.pki.CertificateField[]): string {
  return [...attributes]
    .reverse()
    .map((attribute) => `${SHORT_NAMES[attribute.type ?? ''] ?? attribute.type ?? '?'}=${escapeRfc2253(attributeText(attribute))}`)
    .join(',');
}

export function commonNameOf(attributes: readonly forge.pki.CertificateField[]): string | null {
  // The most specific CN is the last one stored.
  const cns = attributes.filter((attribute) => attribute.type === COMMON_NAME_OID);
  const last = cns[cns.length - 1];
  return last === undefined ? null : attributeText(last);
}

/** Copies of parsed attributes with text values, ready for forge to encode again. */
export function reencodableAttributes(attributes: readonly forge.pki.CertificateField[]): forge.pki.CertificateField[] {
  return attributes.map((attribute) => ({
    type: attribute.type,
    value: attributeText(attribute),
    valueTagClass: stringTypeOf(attribute) === Type.BMPSTRING ? asTagClass(Type.UTF8) : attribute.valueTagClass,
  }));
}

/** Subject fields to forge attributes, stored most general first (C ... CN). */
export function subjectAttributes(subject: SubjectFields): forge.pki.CertificateField[] {
  const commonName = typeof subject?.commonName === 'string' ? subject.commonName.trim() : '';
  if (commonName === '') {
    throw new RotationError('INVALID_INPUT', 'The subject needs a non-empty commonName (the CN of the certificate).');
  }
  if (subject.country !== undefined && !/^[A-Za-z]{2}$/.test(subject.country)) {
    throw new RotationError(
      'INVALID_INPUT',
      `The subject country "${subject.country}" is not a two-letter ISO 3166 code; use e.g. "US" or "DE".`,
      { details: { country: subject.country } },
    );
  }
  const fields: forge.pki.CertificateField[] = [];
  const add = (type: string, value: string | undefined, stringType: forge.asn1.Type = Type.UTF8): void => {
    if (value === undefined || value.trim() === '') return;
    fields.push({ type, value: value.trim(), valueTagClass: asTagClass(stringType) });
  };
  add('2.5.4.6', subject.country?.toUpperCase(), Type.PRINTABLESTRING);
  add('2.5.4.8', subject.state);
  add('2.5.4.7', subject.locality);
  add('2.5.4.10', subject.organization);
  add('2.5.4.11', subject.organizationalUnit);
  add('1.2.840.113549.1.9.1', subject.email, Type.IA5STRING);
  add(COMMON_NAME_OID, commonName);
  return fields;
}

export type ForgeAltName = { type: number; value?: string; ip?: string; oid?: string };

/** SAN entries as given by callers: IP addresses become IP SANs, everything else DNS names. */
export function altNamesFor(entries: readonly string[]): ForgeAltName[] {
  return entries.map((entry) => {
    const value = typeof entry === 'string' ? entry.trim() : '';
    if (value === '' || /\s/.test(value)) {
      throw new RotationError(
        'INVALID_INPUT',
        `Subject alternative name "${String(entry)}" is empty or contains spaces; give a DNS name such as "api.example.com" or an IP address.`,
      );
    }
    return isIP(value) !== 0 ? { type: 7, ip: value } : { type: 2, value };
  });
}

/**
 * SANs as plain strings: DNS names and IP addresses bare (the form altNamesFor takes),
 * e-mail addresses and URIs prefixed `email:` / `URI:` as openssl prints them.
 */
export function altNameStrings(altNames: readonly ForgeAltName[] | undefined): string[] {
  return (altNames ?? []).map((altName) => {
    switch (altName.type) {
      case 1:
        return `email:${altName.value ?? ''}`;
      case 2:
        return altName.value ?? '';
      case 6:
        return `URI:${altName.value ?? ''}`;
      case 7:
        return altName.ip ?? '';
      case 8:
        return `RID:${altName.oid ?? ''}`;
      default:
        return `othername:${altName.type}`;
    }
  });
}

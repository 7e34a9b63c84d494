/**
 * Answers in the shapes Salesforce uses — and that jsforce parses: REST errors as
 * `[{ message, errorCode, fields }]`, OAuth errors as `{ error, error_description }`,
 * SOAP answers and faults as envelopes (xml2js reads them; attributes would land in `$`,
 * so the Body element carries none — jsforce takes the Body's first child as the result).
 */

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonReply(status: number, body: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(body) };
}

export function noContent(): Reply {
  return { status: 204, headers: {}, body: '' };
}

export function restError(status: number, errorCode: string, message: string, fields: string[] = []): Reply {
  return jsonReply(status, [{ message, errorCode, fields }]);
}

export function oauthError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error, error_description: description });
}

export function htmlReply(status: number, text: string): Reply {
  return { status, headers: { 'content-type': 'text/html;charset=UTF-8' }, body: `<html><body>${escapeXml(text)}</body></html>` };
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A value to render as XML: objects become elements, arrays repeat the element. */
export type XmlValue = string | number | boolean | null | XmlValue[] | XmlElement;
export interface XmlElement {
  /** xsi:type attribute */
  '@type'?: string;
  /** text content (a typed value: `<value xsi:type="xsd:string">text</value>`) */
  '#text'?: string;
  [child: string]: XmlValue | undefined;
}

export function toXml(name: string, value: XmlValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const type = value['@type'];
    const text = value['#text'];
    const children = Object.entries(value)
      .filter(([key]) => key !== '@type' && key !== '#text')
      .map(([key, child]) => toXml(key, child))
      .join('');
    return `<${name}${type ? ` xsi:type="${escapeXml(type)}"` : ''}>${text === undefined ? '' : escapeXml(String(text))}${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:sf="urn:fault.soap.sforce.com"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

export function soapReply(method: string, result: XmlValue): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `${ENVELOPE_OPEN}<${method}Response>${toXml('result', result)}</${method}Response>${ENVELOPE_CLOSE}`,
  };
}

/** Faults are HTTP 500, as Salesforce sends them; the code keeps its `sf:` prefix. */
export function soapFault(code: string, message: string): Reply {
  return {
    status: 500,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>${escapeXml(code)}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault>${ENVELOPE_CLOSE}`,
  };
}

/** A Metadata API `errors` entry of a SaveResult/DeleteResult. */
export function metadataError(statusCode: string, message: string, fields: string[] = []): XmlElement {
  return { fields, message, statusCode };
}

/** Salesforce's dateTime text in REST answers: `2025-01-31T12:00:00.000+0000`. */
export function salesforceDateTime(iso: string): string {
  return new Date(iso).toISOString().replace('Z', '+0000');
}

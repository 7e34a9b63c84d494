/**
 * Anonymous Apex that makes the org prove it holds a certificate's private key.
 *
 * Tooling `executeAnonymous` returns no debug output, only whether the block compiled and
 * ran and, if it threw, the exception message. So the block always ends by throwing its
 * result: base64 text framed by markers that cannot occur in base64, so the result is found
 * whatever prefix Salesforce puts before the message ("CertrotResult: ...").
 */
import { apexString } from './names-and-escaping';

export const RESULT_START = 'CERTROT_RESULT[';
export const RESULT_END = ']CERTROT_RESULT';

const RESULT_EXCEPTION = 'class CertrotResult extends Exception {}';

function throwResult(base64Expression: string): string {
  return `throw new CertrotResult('${RESULT_START}' + ${base64Expression} + '${RESULT_END}');`;
}

/** Signs `nonce` (UTF-8) with the certificate; the result is the base64 signature. */
export function signingSnippet(uniqueName: string, nonce: string): string {
  return [
    RESULT_EXCEPTION,
    `Blob certrotSignature = Crypto.signWithCertificate('RSA-SHA256', Blob.valueOf(${apexString(nonce)}), ${apexString(uniqueName)});`,
    throwResult('EncodingUtil.base64Encode(certrotSignature)'),
  ].join('\n');
}

/**
 * A GET to `url` presenting the certificate as TLS client certificate; the result is the
 * base64 of `{"statusCode":..,"body":".."}`. (Real orgs also need a Remote Site Setting
 * or named credential for the endpoint.)
 */
export function calloutSnippet(uniqueName: string, url: string): string {
  return [
    RESULT_EXCEPTION,
    'HttpRequest certrotRequest = new HttpRequest();',
    `certrotRequest.setEndpoint(${apexString(url)});`,
    "certrotRequest.setMethod('GET');",
    `certrotRequest.setClientCertificateName(${apexString(uniqueName)});`,
    'certrotRequest.setTimeout(20000);',
    'HttpResponse certrotResponse = new Http().send(certrotRequest);',
    "String certrotJson = JSON.serialize(new Map<String, Object>{ 'statusCode' => certrotResponse.getStatusCode(), 'body' => certrotResponse.getBody() });",
    throwResult('EncodingUtil.base64Encode(Blob.valueOf(certrotJson))'),
  ].join('\n');
}

/** The framed result inside an exception message, or null if the block failed otherwise. */
export function extractResult(exceptionMessage: string | null | undefined): string | null {
  if (!exceptionMessage) return null;
  const start = exceptionMessage.indexOf(RESULT_START);
  if (start < 0) return null;
  const end = exceptionMessage.indexOf(RESULT_END, start + RESULT_START.length);
  if (end < 0) return null;
  const value = exceptionMessage.slice(start + RESULT_START.length, end);
  return /^[A-Za-z0-9+/=]*$/.test(value) ? value : null;
}

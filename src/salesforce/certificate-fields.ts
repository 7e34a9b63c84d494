/**
 * Which fields hold a certificate name by their nature, and which of their values can be a
 * name at all — pure rules for the inventory's search for dangling references (a value
 * naming a certificate that was deleted, or never created in this org: what a sandbox
 * refresh leaves behind, SALESFORCE.md "Limits and gotchas").
 *
 * A field whose API name or label says it holds a certificate (a word `Cert`,
 * `Certificate`, `ClientCertificate`... as in `csam__Certificate__c`, "Signing Certificate")
 * holds names only — SALESFORCE.md "Where the Unique Name is referenced": settings refer to
 * the certificate by its Unique Name. So every non-empty value of such a field is a
 * reference, and one naming no certificate is a dangling reference.
 *
 * Except where the name says it holds something else about a certificate: a password, a
 * key, the content itself (the "legacy" path keeps a base64 PKCS#12 and its password in
 * Apex settings, `clientCert_x` + `clientCertPasswd_x`), a fingerprint, a date. Their values
 * must never be reported: a reference's value lands in workflow history and in alerts.
 * For the same reason a value is taken as a name only when it could be one: one line, at
 * most 80 characters (a Unique Name's limit; a label's is 64) — never a PEM or a blob.
 */

/** Words (of the API name or label) that make a field a certificate field. */
const CERTIFICATE_WORDS = new Set(['cert', 'certs', 'certificate', 'certificates']);

/**
 * Words saying the field holds something else than a name: secrets, key material, content,
 * fingerprints, dates, flags. Broad on purpose — a field left out here is still searched
 * for every certificate name the org knows (live or deleted), only not for unknown ones.
 */
const NOT_A_NAME_WORDS = new Set([
  'pass', 'password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'key', 'private', 'pin',
  'content', 'body', 'base64', 'pem', 'der', 'p12', 'pfx', 'pkcs12', 'jks', 'keystore', 'blob', 'data', 'chain', 'csr',
  'thumbprint', 'fingerprint', 'hash', 'serial', 'expiry', 'expiration', 'expires', 'date', 'time', 'enabled', 'required',
]);

/** The longest value taken as a certificate name (Salesforce's limit for a Unique Name). */
export const MAX_NAME_LENGTH = 80;

/**
 * `csam__Client_Certificate__c` -> client, certificate; `ClientCertificate` -> client,
 * certificate; "Signing Cert (PEM)" -> signing, cert, pem. The namespace and the `__c`/`__mdt`
 * suffix are not words of the field.
 */
function wordsOf(text: string): string[] {
  const bare = text.replace(/__(?:c|mdt)$/i, '').replace(/^[A-Za-z][A-Za-z0-9]*__(?=[A-Za-z])/, '');
  return bare
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/**
 * Whether every non-empty value of this field names a certificate (see the module comment).
 * `declared`: configured as holding certificate names, whatever it is called — still not
 * when its name says it holds something else (a secret is never reported, even by mistake).
 */
export function isCertificateField(apiName: string, label: string | null, declared = false): boolean {
  const words = [...wordsOf(apiName), ...(label ? wordsOf(label) : [])];
  if (words.some((w) => NOT_A_NAME_WORDS.has(w))) return false;
  return declared || words.some((w) => CERTIFICATE_WORDS.has(w));
}

/** The value as a certificate name (trimmed), or null when it cannot be one (empty, several lines, too long). */
export function asCertificateName(value: string | null): string | null {
  const name = value?.trim() ?? '';
  return name === '' || name.length > MAX_NAME_LENGTH || /[\r\n]/.test(name) ? null : name;
}

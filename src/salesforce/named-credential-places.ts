/**
 * Where a named credential names a certificate, and whether certrot may switch it — pure
 * decisions over a component as the Metadata API read it (jsforce-named-credentials.ts
 * does the calls).
 *
 *  - Current model (`namedCredentialType` SecuredEndpoint or PrivateEndpoint, API 56+): the
 *    `namedCredentialParameters` entry with `parameterType = ClientCertificate`, whose
 *    `certificate` is the Unique Name. Field `namedCredentialParameters.ClientCertificate`.
 *  - Legacy (`namedCredentialType = Legacy`, or none given): the top-level `certificate`
 *    (two-way TLS) and `jwtSigningCertificate` (protocol Jwt / JwtExchange). Fields
 *    `certificate` and `jwtSigningCertificate`.
 *
 * A Metadata update replaces the whole component, and a read returns no secret. So the
 * update is built from the read — every field and parameter as read, in the order read
 * (Salesforce's SOAP parser wants the XSD's order), one value changed — and is made only
 * when the component can hold no secret: a current-model credential keeps its secrets in
 * its external credential (another component, untouched), and a legacy one holds none
 * with the protocols in SECRETLESS_LEGACY_PROTOCOLS. Any other legacy credential is
 * refused with what to do, before anything is sent.
 */

export const NAMED_CREDENTIAL_OBJECT = 'NamedCredential';

export const CLIENT_CERTIFICATE_PARAMETER = 'namedCredentialParameters.ClientCertificate';
export type NamedCredentialPlace = 'certificate' | 'jwtSigningCertificate' | typeof CLIENT_CERTIFICATE_PARAMETER;
const LEGACY_PLACES: readonly NamedCredentialPlace[] = ['certificate', 'jwtSigningCertificate'];
export const NAMED_CREDENTIAL_PLACES: readonly NamedCredentialPlace[] = [...LEGACY_PLACES, CLIENT_CERTIFICATE_PARAMETER];

const CURRENT_TYPES = new Set(['SecuredEndpoint', 'PrivateEndpoint']);
/** Legacy protocols whose component stores no secret (Password, Oauth, AwsSv4 do). */
const SECRETLESS_LEGACY_PROTOCOLS = new Set(['NoAuthentication', 'Jwt', 'JwtExchange']);

/** A named credential as read: the raw component (key order kept) and what we need of it. */
export interface ReadNamedCredential {
  readonly fullName: string;
  readonly label: string | null;
  /** `namedCredentialType`; null when the API version predates it (then it is legacy). */
  readonly type: string | null;
  readonly protocol: string | null;
  readonly certificate: string | null;
  readonly jwtSigningCertificate: string | null;
  readonly parameters: readonly Record<string, unknown>[];
  /** The component exactly as jsforce returned it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export function isNamedCredentialPlace(field: string): field is NamedCredentialPlace {
  return (NAMED_CREDENTIAL_PLACES as readonly string[]).includes(field);
}

export function isCurrentModel(nc: Pick<ReadNamedCredential, 'type'>): boolean {
  return nc.type !== null && CURRENT_TYPES.has(nc.type);
}

function isClientCertificate(parameter: Record<string, unknown>): boolean {
  return textOf(parameter.parameterType) === 'ClientCertificate';
}

/** The places of this credential that name some certificate, with the name they hold. */
export function certificatePlaces(nc: ReadNamedCredential): { field: NamedCredentialPlace; value: string }[] {
  return NAMED_CREDENTIAL_PLACES.flatMap((field) => {
    const value = valueAt(nc, field);
    return value ? [{ field, value }] : [];
  });
}

/** What one place holds; null when empty or when the place does not belong to the credential's model. */
export function valueAt(nc: ReadNamedCredential, field: NamedCredentialPlace): string | null {
  if (field === CLIENT_CERTIFICATE_PARAMETER) {
    if (!isCurrentModel(nc)) return null;
    const parameter = nc.parameters.find(isClientCertificate);
    return nonEmpty(parameter ? textOf(parameter.certificate) : null);
  }
  if (isCurrentModel(nc)) return null; // top-level certificate fields are valid only for Legacy
  return nonEmpty(field === 'certificate' ? nc.certificate : nc.jwtSigningCertificate);
}

export type SwitchPlan =
  /** Already at the new value (a retry after a lost answer). */
  | { readonly kind: 'done' }
  /** Holds something else than expected (null: the credential or its place is gone). */
  | { readonly kind: 'conflict'; readonly actual: string | null }
  /** Cannot be switched without clearing a secret; `reason` says what to do instead. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Send this whole component back as updateMetadata('NamedCredential', ...). */
  | { readonly kind: 'update'; readonly component: Record<string, unknown> };

/** Compare-and-set on one place: what to do with the credential as just read. */
export function planSwitch(nc: ReadNamedCredential | null, change: { field: NamedCredentialPlace; expected: string; value: string }): SwitchPlan {
  if (nc === null) return { kind: 'conflict', actual: null };
  const actual = valueAt(nc, change.field);
  if (actual === change.value && change.value !== change.expected) return { kind: 'done' };
  if (actual !== change.expected) return { kind: 'conflict', actual };
  const refusal = secretRisk(nc, change.value);
  if (refusal) return { kind: 'refused', reason: refusal };
  return { kind: 'update', component: withValue(nc, change.field, change.value) };
}

/** Why an update built from the read could clear a secret of this credential, or null. */
export function secretRisk(nc: ReadNamedCredential, newCertificate: string): string | null {
  if (isCurrentModel(nc)) return null;
  if (nc.type !== null && nc.type !== 'Legacy') {
    return `Named credential ${nc.fullName} is of type ${nc.type}, which certrot does not know; it cannot prove that an update keeps its settings. Switch its certificate to ${newCertificate} by hand in Setup > Named Credentials > ${nc.fullName}.`;
  }
  const protocol = nc.protocol ?? '(none)';
  if (SECRETLESS_LEGACY_PROTOCOLS.has(protocol)) return null;
  return (
    `Named credential ${nc.fullName} is a legacy one with authentication protocol ${protocol}: Salesforce does not return its secret (password, token or access secret) on read, ` +
    'and a Metadata update replaces the whole named credential, so certrot cannot switch its certificate without clearing that secret. ' +
    `Switch its certificate to ${newCertificate} by hand in Setup > Named Credentials > ${nc.fullName}, or move it to a named credential with an external credential (which certrot switches).`
  );
}

/** The component as read, cleaned for sending back, with one place set to `value`. */
export function withValue(nc: ReadNamedCredential, field: NamedCredentialPlace, value: string): Record<string, unknown> {
  const component = cleanForUpdate(nc.raw);
  if (field === CLIENT_CERTIFICATE_PARAMETER) {
    component.namedCredentialParameters = nc.parameters.map((p) => {
      const cleaned = cleanForUpdate(p);
      return isClientCertificate(p) ? { ...cleaned, certificate: value } : cleaned;
    });
  } else {
    component[field] = value;
  }
  return component;
}

/**
 * Drops what is not data to send: xml2js attributes (`$`), nil markers, and the empty
 * strings jsforce invents for schema fields the component does not have; keeps key order.
 */
function cleanForUpdate(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === '$' || value === null || value === undefined || value === '') continue;
    if (Array.isArray(value)) out[key] = value.map((v: unknown) => (isRecord(v) ? cleanForUpdate(v) : v));
    else if (isRecord(value)) {
      const text = textOf(value);
      if (text !== null) out[key] = text;
      else if (!isNil(value)) out[key] = cleanForUpdate(value);
    } else out[key] = value;
  }
  return out;
}

/** The parameters other than the client certificate, comparable across two reads. */
export function otherParameters(nc: ReadNamedCredential): string[] {
  return nc.parameters
    .filter((p) => !isClientCertificate(p))
    .map((p) => JSON.stringify(Object.fromEntries(Object.entries(cleanForUpdate(p)).sort(([a], [b]) => a.localeCompare(b)))))
    .sort();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNil(value: Record<string, unknown>): boolean {
  const attributes = value.$;
  return isRecord(attributes) && attributes['xsi:nil'] === 'true';
}

/** xml2js text: a string, a number/boolean jsforce cast, or `{ _: text, $: ... }`. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isRecord(value) && typeof value._ === 'string') return value._;
  return null;
}

function nonEmpty(value: string | null): string | null {
  return value === null || value.trim() === '' ? null : value;
}

/**
 * What the chaos run reads of the two sandboxes: the org's `GET /__sandbox/state`
 * (src/sandbox/salesforce/org-state-view.ts) and the vendor's `GET /__sandbox/state`
 * (src/sandbox/vendor/sandbox-vendor.ts), as far as the invariants look at them, and the
 * one derived view they all use — every *place* in the org that holds a text value
 * (named-credential fields, custom setting / object / metadata record fields), keyed so
 * that the same place has the same key before and after a rotation.
 */

export interface OrgCertificateView {
  readonly id: string;
  readonly uniqueName: string;
  readonly label: string;
  readonly usable: boolean;
  readonly fingerprintSha256: string | null;
  readonly certificatePem: string | null;
  readonly deleted: boolean;
}

export interface OrgRecordTable {
  readonly apiName: string;
  readonly records: readonly Record<string, unknown>[];
}

export interface OrgView {
  readonly certificates: readonly OrgCertificateView[];
  readonly namedCredentials: readonly Record<string, unknown>[];
  readonly customSettings: readonly OrgRecordTable[];
  readonly customObjects: readonly OrgRecordTable[];
  readonly customMetadataTypes?: readonly OrgRecordTable[];
}

export interface VendorKeyView {
  readonly fingerprint: string;
  readonly state: 'staged' | 'active' | 'retired';
}

export interface VendorView {
  readonly orgs: readonly { readonly orgId: string; readonly mode: string; readonly keys: readonly VendorKeyView[] }[];
}

/** Both sandboxes at one moment. */
export interface WorldView {
  readonly org: OrgView;
  readonly vendor: VendorView;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Reads both sandboxes' state endpoints. */
export async function readWorldView(orgUrl: string, vendorUrl: string): Promise<WorldView> {
  const [org, vendor] = await Promise.all([getJson<OrgView>(`${orgUrl}/__sandbox/state`), getJson<VendorView>(`${vendorUrl}/__sandbox/state`)]);
  return { org, vendor };
}

/** `NamedCredential.certificate Vendor_Orders_mTLS`, `csam__X__c.csam__Certificate__c a0X...` -> the string it holds. */
export function textPlaces(org: OrgView): Map<string, string> {
  const places = new Map<string, string>();
  for (const credential of org.namedCredentials) {
    const name = typeof credential.fullName === 'string' ? credential.fullName : '?';
    for (const [field, value] of Object.entries(credential)) {
      if (typeof value === 'string') places.set(`NamedCredential.${field} ${name}`, value);
    }
    const parameters = Array.isArray(credential.namedCredentialParameters) ? (credential.namedCredentialParameters as Record<string, unknown>[]) : [];
    for (const parameter of parameters) {
      const parameterName = typeof parameter.parameterName === 'string' ? parameter.parameterName : '?';
      for (const [field, value] of Object.entries(parameter)) {
        if (typeof value === 'string') places.set(`NamedCredential.${parameterName}.${field} ${name}`, value);
      }
    }
  }
  for (const table of [...org.customSettings, ...org.customObjects, ...(org.customMetadataTypes ?? [])]) {
    for (const record of table.records) {
      const id = typeof record.Id === 'string' ? record.Id : typeof record.DeveloperName === 'string' ? record.DeveloperName : JSON.stringify(record);
      for (const [field, value] of Object.entries(record)) {
        if (typeof value === 'string' && field !== 'Id') places.set(`${table.apiName}.${field} ${id}`, value);
      }
    }
  }
  return places;
}

/** Places whose value is `uniqueName` (Salesforce compares Unique Names case-insensitively). */
export function placesNaming(places: ReadonlyMap<string, string>, uniqueName: string): string[] {
  const wanted = uniqueName.toLowerCase();
  return [...places].filter(([, value]) => value.toLowerCase() === wanted).map(([place]) => place);
}

export function liveCertificate(org: OrgView, uniqueName: string): OrgCertificateView | undefined {
  const wanted = uniqueName.toLowerCase();
  return org.certificates.find((c) => !c.deleted && c.uniqueName.toLowerCase() === wanted);
}

export function activeKeys(vendor: VendorView, vendorOrgId: string): string[] {
  return (vendor.orgs.find((o) => o.orgId === vendorOrgId)?.keys ?? []).filter((k) => k.state === 'active').map((k) => k.fingerprint);
}

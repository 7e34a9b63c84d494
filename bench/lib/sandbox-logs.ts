/**
 * The sandboxes' own logs of when things flipped: the org's `GET /__sandbox/switches` and the
 * vendor's `GET /__sandbox/activations`. Either may be missing on an older sandbox (404):
 * then `null`, and the caller falls back to what traffic saw.
 */
export interface SwitchEntry {
  readonly at: string;
  readonly object: string;
  readonly recordId: string;
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
}

export interface ActivationEntry {
  readonly at: string;
  readonly orgId: string;
  readonly fingerprint: string;
  readonly replacing: string | null;
  readonly action: string;
}

async function getJson<T>(url: string): Promise<T | null> {
  const response = await fetch(url);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export async function orgSwitches(orgUrl: string): Promise<SwitchEntry[] | null> {
  const body = await getJson<{ switches: SwitchEntry[] }>(new URL('/__sandbox/switches', orgUrl).toString());
  return body?.switches ?? null;
}

export async function vendorActivations(vendorUrl: string): Promise<ActivationEntry[] | null> {
  const body = await getJson<{ activations: ActivationEntry[] }>(new URL('/__sandbox/activations', vendorUrl).toString());
  return body?.activations ?? null;
}

/** Fingerprints compared as hex, colons and case aside (never throws on a malformed one). */
const sameFingerprint = (a: string, b: string): boolean => a.replaceAll(':', '').toLowerCase() === b.replaceAll(':', '').toLowerCase();

export interface FlipWindow {
  /** ms from the first flip on either side to the last; null when nothing flipped. */
  readonly windowMs: number | null;
  readonly orgFlips: number;
  readonly vendorFlips: number;
  /** ms from the vendor's activation to the first reference's flip (negative: the reference flipped first). */
  readonly orgLeadMs: number | null;
}

/** The flips of one rotation: references switched to `newName`, the vendor activating `fingerprint`. */
export function flipWindow(switches: readonly SwitchEntry[], activations: readonly ActivationEntry[], newName: string, fingerprint: string, vendorOrgId: string): FlipWindow {
  const org = switches.filter((s) => s.to === newName).map((s) => Date.parse(s.at));
  const vendor = activations.filter((a) => a.orgId === vendorOrgId && sameFingerprint(a.fingerprint, fingerprint) && a.action === 'activated').map((a) => Date.parse(a.at));
  const all = [...org, ...vendor];
  return {
    windowMs: all.length === 0 ? null : Math.max(...all) - Math.min(...all),
    orgFlips: org.length,
    vendorFlips: vendor.length,
    orgLeadMs: org.length && vendor.length ? Math.min(...org) - Math.min(...vendor) : null,
  };
}

/**
 * The sandbox org's switch log: every write that changes a text field of a record (REST
 * update, the Composite request's subrequests), a named credential's certificate place or a
 * Custom Metadata record's value (Metadata API updates), with the instant it took effect on
 * the sandbox clock. `GET /__sandbox/switches` serves it as `{ switches: [...] }`,
 * `DELETE /__sandbox/switches` clears it. Benchmarks read it to see when traffic met each
 * flip; tests read it to prove what went out in one request.
 *
 * Entries of one request (a Composite call, say) share its `at`: they took effect in one
 * transaction. Kept beside the state (a WeakMap), not in it: the log is an observation of
 * the org, never saved into a fixture.
 */
import type { OrgState } from './org-state';

export interface SwitchEntry {
  /** ISO-8601 with milliseconds, the sandbox clock. */
  at: string;
  object: string;
  /** The record Id; for a named credential or a Custom Metadata record, its fullName. */
  recordId: string;
  /** Set for Metadata API components (named credentials, Custom Metadata records). */
  fullName?: string;
  field: string;
  from: string | null;
  to: string | null;
}

interface Log {
  clock: () => Date;
  entries: SwitchEntry[];
}

const logs = new WeakMap<OrgState, Log>();

function logOf(state: OrgState): Log {
  let log = logs.get(state);
  if (!log) {
    log = { clock: () => new Date(), entries: [] };
    logs.set(state, log);
  }
  return log;
}

/** The server gives the log its clock (the org's, which tests may set). */
export function attachSwitchLog(state: OrgState, clock: () => Date): void {
  logOf(state).clock = clock;
}

/** The sandbox clock's now, for a request that records several entries at one instant. */
export function switchInstant(state: OrgState): string {
  return logOf(state).clock().toISOString();
}

type Value = string | number | boolean | null | undefined;

function asText(value: Value): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Records one write if it changed the value; `at` defaults to now. */
export function recordSwitch(state: OrgState, entry: Omit<SwitchEntry, 'at' | 'from' | 'to'> & { from: Value; to: Value; at?: string }): void {
  const from = asText(entry.from);
  const to = asText(entry.to);
  if (from === to) return;
  const { at, ...rest } = entry;
  logOf(state).entries.push({ ...rest, at: at ?? switchInstant(state), from, to });
}

export function switches(state: OrgState): SwitchEntry[] {
  return logOf(state).entries.map((e) => ({ ...e }));
}

export function clearSwitches(state: OrgState): void {
  logOf(state).entries = [];
}

/** A named credential's certificate places, by the adapter's field names (named-credential-places.ts). */
export function namedCredentialPlaces(nc: {
  certificate: string | null;
  jwtSigningCertificate: string | null;
  parameters: readonly { parameterType?: string; certificate?: string }[];
}): Map<string, string | null> {
  const places = new Map<string, string | null>([
    ['certificate', nc.certificate],
    ['jwtSigningCertificate', nc.jwtSigningCertificate],
  ]);
  const client = nc.parameters.find((p) => p.parameterType === 'ClientCertificate');
  places.set('namedCredentialParameters.ClientCertificate', client?.certificate ?? null);
  return places;
}

/** Records every place of a named credential whose value an update changed. */
export function recordNamedCredentialSwitches(state: OrgState, fullName: string, before: Map<string, string | null>, after: Map<string, string | null>): void {
  const at = switchInstant(state);
  for (const [field, from] of before) recordSwitch(state, { at, object: 'NamedCredential', recordId: fullName, fullName, field, from, to: after.get(field) ?? null });
}

/**
 * A scanner for "no secret reaches Temporal history": fetches the raw history of a workflow
 * run (every page, continued-as-new and child runs followed) through the WorkflowService, and
 * reports every place where a known secret — in any of the forms it could be written in — or
 * a secret-shaped string appears, every payload that is not encrypted by the codec, and every
 * secret that is merely hidden by the encryption (still there once decrypted).
 *
 * Findings name the secret and the form it was found in, never the secret's value, so a
 * failing test does not print the secret itself.
 */
import { PATCH_MARKER } from '../../src/codec/history-payloads';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ENCRYPTED_ENCODING, METADATA_ENCODING, METADATA_KEY_ID } from '../../src/codec/encryption-codec';

const { Payload } = temporal.api.common.v1;
const { History } = temporal.api.history.v1;

/**
 * @temporalio/proto builds its message types by reflection: a decoded message is an instance
 * of its type's `ctor`, which is how the walk below tells a Payload from any other object.
 */
function classOf<T>(type: unknown): new (...args: never[]) => T {
  return (type as { ctor: new (...args: never[]) => T }).ctor;
}
const PayloadMessage = classOf<temporal.api.common.v1.Payload>(temporal.api.common.v1.Payload);
const SearchAttributesMessage = classOf<temporal.api.common.v1.SearchAttributes>(temporal.api.common.v1.SearchAttributes);
const FailureMessage = classOf<temporal.api.failure.v1.Failure>(temporal.api.failure.v1.Failure);

// ---- secrets and the forms they can take ----------------------------------------------------

export interface SecretValue {
  /** What it is, for findings ("vendor bearer token"); never the value. */
  name: string;
  value: string | Uint8Array;
}

export interface Needle {
  secret: string;
  form: string;
  bytes: Buffer;
}

/** Shorter fragments could match by chance (in ciphertext, ids, base64 of other data). */
const MIN_NEEDLE_BYTES = 12;

/**
 * The base64 text of `data` wherever it starts in a longer encoded stream: base64 groups
 * 3 bytes into 4 characters, so a secret embedded at byte offset 1 or 2 of a larger value
 * encodes differently. For each alignment, only the characters that depend on the secret's
 * bytes alone are kept.
 */
function base64Cores(data: Buffer, encoding: 'base64' | 'base64url'): string[] {
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), data]).toString(encoding).replace(/=+$/, '');
    const skipStart = offset === 0 ? 0 : offset + 1; // characters mixing padding and secret bits
    // Unless the secret ends on a group boundary, its last character mixes in what follows.
    const skipEnd = (offset + data.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(skipStart, encoded.length - skipEnd);
    if (core.length >= MIN_NEEDLE_BYTES) cores.push(core);
  }
  return cores;
}

function pemBodies(text: string): { label: string; lines: string[]; der: Buffer }[] {
  const blocks: { label: string; lines: string[]; der: Buffer }[] = [];
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
    const lines = (match[2] ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => /^[A-Za-z0-9+/=]+$/.test(line));
    blocks.push({ label: match[1] ?? 'PEM', lines, der: Buffer.from(lines.join(''), 'base64') });
  }
  return blocks;
}

/**
 * Every form a secret could be written in: as is, JSON-escaped, base64 and base64url (any
 * alignment), hex, and its meaningful parts — each line of a PEM body and the DER it encodes,
 * the random part of a Salesforce access token, the claims and signature of a JWT.
 */
export function needlesFor(secrets: readonly SecretValue[]): Needle[] {
  const needles = new Map<string, Needle>();
  const add = (secret: string, form: string, bytes: Buffer): void => {
    if (bytes.length < MIN_NEEDLE_BYTES) return;
    const key = bytes.toString('hex');
    if (!needles.has(key)) needles.set(key, { secret, form, bytes });
  };
  const encodings = (secret: string, what: string, data: Buffer): void => {
    add(secret, what, data);
    for (const core of base64Cores(data, 'base64')) add(secret, `base64 of ${what}`, Buffer.from(core));
    for (const core of base64Cores(data, 'base64url')) add(secret, `base64url of ${what}`, Buffer.from(core));
    add(secret, `hex of ${what}`, Buffer.from(data.toString('hex')));
  };

  for (const { name, value } of secrets) {
    const data = Buffer.from(value);
    if (data.length < MIN_NEEDLE_BYTES) throw new Error(`secret "${name}" is shorter than ${MIN_NEEDLE_BYTES} bytes: too short to look for reliably`);
    encodings(name, 'value', data);
    if (typeof value !== 'string') continue;
    add(name, 'JSON-escaped value', Buffer.from(JSON.stringify(value).slice(1, -1)));
    for (const block of pemBodies(value)) {
      block.lines.forEach((line, i) => add(name, `${block.label} PEM line ${i + 1}`, Buffer.from(line)));
      encodings(name, `${block.label} DER`, block.der);
    }
    const bang = value.indexOf('!');
    if (bang > 0) encodings(name, 'token part after "!"', Buffer.from(value.slice(bang + 1)));
    const segments = value.split('.');
    if (segments.length === 3 && value.startsWith('eyJ')) {
      add(name, 'JWT claims segment', Buffer.from(segments[1] ?? ''));
      add(name, 'JWT signature segment', Buffer.from(segments[2] ?? ''));
    }
  }
  return [...needles.values()];
}

/** Secret-shaped text, whoever's secret it is. */
export const SECRET_PATTERNS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'PEM private key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/ },
  { name: 'JWT', pattern: /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/ },
  { name: '"Bearer " credential', pattern: /Bearer\s/ },
  { name: '"password"', pattern: /password/i },
  { name: '"client_secret"', pattern: /client_secret/i },
];

/** What in `data` is a known secret or looks like one (descriptions, never values). */
export function secretsIn(data: Uint8Array | string, needles: readonly Needle[]): string[] {
  const haystack = Buffer.from(data);
  const found: string[] = [];
  for (const needle of needles) {
    if (haystack.includes(needle.bytes)) found.push(`${needle.secret} (${needle.form})`);
  }
  const text = haystack.toString('latin1');
  for (const { name, pattern } of SECRET_PATTERNS) {
    if (pattern.test(text)) found.push(`something shaped like a ${name}`);
  }
  return found;
}

// ---- fetching every run -----------------------------------------------------------------------

type WorkflowService = Pick<temporal.api.workflowservice.v1.WorkflowService, 'getWorkflowExecutionHistory'>;

export interface RunHistory {
  workflowId: string;
  runId: string;
  history: temporal.api.history.v1.History;
  /** How many pages the server sent it in. */
  pages: number;
}

/** One run's whole history, page by page, straight from the WorkflowService (no converter). */
export async function fetchRunHistory(service: WorkflowService, namespace: string, workflowId: string, runId: string, pageSize = 10): Promise<RunHistory> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | null | undefined;
  let pages = 0;
  do {
    const page = await service.getWorkflowExecutionHistory({
      namespace,
      execution: { workflowId, runId },
      maximumPageSize: pageSize,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    pages += 1;
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken;
  } while (nextPageToken && nextPageToken.length > 0);
  // Through bytes and back: the history exactly as stored, as protobuf message instances.
  return { workflowId, runId, history: History.decode(History.encode({ events }).finish()), pages };
}

/**
 * The given runs and every run they are linked to: the runs before and after a
 * continue-as-new, and every child workflow's run, transitively.
 */
export async function fetchRunHistories(service: WorkflowService, namespace: string, roots: readonly { workflowId: string; runId: string }[]): Promise<RunHistory[]> {
  const seen = new Set<string>();
  const queue = [...roots];
  const runs: RunHistory[] = [];
  while (queue.length > 0) {
    const next = queue.shift()!;
    const key = `${next.workflowId}\u0000${next.runId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const run = await fetchRunHistory(service, namespace, next.workflowId, next.runId);
    runs.push(run);
    for (const event of run.history.events) {
      const previous = event.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (previous) queue.push({ workflowId: next.workflowId, runId: previous });
      const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (continued) queue.push({ workflowId: next.workflowId, runId: continued });
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId && child.runId) queue.push({ workflowId: child.workflowId, runId: child.runId });
    }
  }
  return runs;
}

// ---- scanning ---------------------------------------------------------------------------------

export interface Finding {
  run: string;
  rule:
    | 'secret in serialized history'
    | 'secret in history field'
    | 'secret in stored payload'
    | 'payload not encrypted'
    | 'payload data is readable'
    | 'payload cannot be decrypted'
    | 'secret inside encrypted payload'
    | 'secret in search attribute';
  where: string;
  what: string;
}

export interface ScanTotals {
  runs: number;
  events: number;
  historyBytes: number;
  /** Payloads outside search attributes: each must be encrypted. */
  payloads: number;
  searchAttributePayloads: number;
  /** Failures (with their causes) whose messages and stack traces were read. */
  failures: number;
}

export interface ScanOptions {
  needles: readonly Needle[];
  /** The codec worker and client use: every payload must decrypt with it. */
  codec: PayloadCodec;
  /** Key ids an encrypted payload may name. */
  keyIds: readonly string[];
  /** Plain text the workflow certainly handles (org alias, certificate name): must not be readable in a payload. */
  knownPlaintext: readonly string[];
}

export interface ScanReport {
  findings: Finding[];
  totals: ScanTotals;
  /** Which of `knownPlaintext` the decrypted payloads hold (a positive control for the checks). */
  decryptedPlaintext: string[];
}

const fromUtf8 = new TextDecoder();

function metadataText(payload: temporal.api.common.v1.IPayload, name: string): string | undefined {
  const value = payload.metadata?.[name];
  return value == null ? undefined : fromUtf8.decode(value);
}

function parsesAsJson(data: Uint8Array): boolean {
  try {
    JSON.parse(Buffer.from(data).toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

interface Visit {
  path: string;
  inSearchAttributes: boolean;
  /** Inside a `patched()` marker, which the SDK core writes without the codec. */
  inPatchMarker?: boolean;
}

/** Scans runs as fetched by `fetchRunHistories`; an empty `findings` is the pass condition. */
export async function scanHistories(runs: readonly RunHistory[], options: ScanOptions): Promise<ScanReport> {
  const findings: Finding[] = [];
  const totals: ScanTotals = { runs: 0, events: 0, historyBytes: 0, payloads: 0, searchAttributePayloads: 0, failures: 0 };
  const decryptedPlaintext = new Set<string>();

  for (const { workflowId, runId, history } of runs) {
    const run = `${workflowId} (run ${runId})`;
    const report = (rule: Finding['rule'], where: string, what: string): void => {
      findings.push({ run, rule, where, what });
    };
    totals.runs += 1;
    totals.events += history.events.length;

    // (1) The history exactly as Temporal serialises it: every byte, every field.
    const serialized = History.encode(history).finish();
    totals.historyBytes += serialized.length;
    for (const what of secretsIn(serialized, options.needles)) report('secret in serialized history', 'History bytes', what);

    const payloads: { path: string; payload: temporal.api.common.v1.Payload; patch: boolean }[] = [];
    const walk = (node: unknown, at: Visit): void => {
      if (node == null) return;
      if (typeof node === 'string') {
        for (const what of secretsIn(node, options.needles)) report('secret in history field', at.path, what);
        return;
      }
      if (node instanceof Uint8Array) {
        for (const what of secretsIn(node, options.needles)) report('secret in history field', at.path, what);
        return;
      }
      if (typeof node !== 'object') return;
      if (Array.isArray(node)) {
        node.forEach((item, i) => walk(item, { ...at, path: `${at.path}[${i}]` }));
        return;
      }
      if (node instanceof PayloadMessage) {
        if (at.inSearchAttributes) {
          totals.searchAttributePayloads += 1;
          for (const what of secretsIn(Payload.encode(node).finish(), options.needles)) report('secret in search attribute', at.path, what);
        } else {
          payloads.push({ path: at.path, payload: node, patch: at.inPatchMarker === true });
        }
        return;
      }
      // Failure message, source and stack trace are stored as they are (the codec does not
      // cover them): the string visit above reads them; count them here.
      if (node instanceof FailureMessage) totals.failures += 1;
      const inSearchAttributes = at.inSearchAttributes || node instanceof SearchAttributesMessage;
      const inPatchMarker = at.inPatchMarker === true || (node as { markerName?: unknown }).markerName === PATCH_MARKER;
      for (const [key, value] of Object.entries(node)) walk(value, { path: `${at.path}.${key}`, inSearchAttributes, inPatchMarker });
    };
    history.events.forEach((event, i) => {
      const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
      walk(event, { path: `events[${i}] ${type.replace(/^EVENT_TYPE_/, '')}`, inSearchAttributes: false });
    });

    for (const { path, payload, patch } of payloads) {
      totals.payloads += 1;
      // (1) its raw bytes as stored.
      for (const what of secretsIn(Payload.encode(payload).finish(), options.needles)) report('secret in stored payload', path, what);
      // A patch marker holds the patch id and nothing else, in plain JSON by the SDK core's design.
      if (patch) {
        if (!isPatchData(payload.data ?? new Uint8Array())) report('payload not encrypted', path, 'a patch marker holds more than a patch id');
        continue;
      }

      // (2) encrypted, by the codec, under a known key, and nothing readable in the data.
      const encoding = metadataText(payload, METADATA_ENCODING);
      const keyId = metadataText(payload, METADATA_KEY_ID);
      const metadataKeys = Object.keys(payload.metadata ?? {}).sort();
      if (encoding !== ENCRYPTED_ENCODING) {
        report('payload not encrypted', path, `metadata encoding is ${JSON.stringify(encoding ?? null)}, not "${ENCRYPTED_ENCODING}"`);
        continue;
      }
      if (keyId === undefined || !options.keyIds.includes(keyId)) report('payload not encrypted', path, `encryption key id ${JSON.stringify(keyId ?? null)} is not one of the codec's`);
      if (metadataKeys.join() !== [METADATA_ENCODING, METADATA_KEY_ID].sort().join()) {
        report('payload not encrypted', path, `metadata holds more than the codec writes: ${metadataKeys.join(', ')}`);
      }
      const data = payload.data ?? new Uint8Array();
      if (parsesAsJson(data)) report('payload data is readable', path, 'the data parses as JSON');
      for (const text of options.knownPlaintext) {
        if (Buffer.from(data).includes(Buffer.from(text))) report('payload data is readable', path, `the data contains ${JSON.stringify(text)} in plain text`);
      }

      // (3) even decrypted, the payload holds no secret.
      let decoded: temporal.api.common.v1.IPayload | undefined;
      try {
        [decoded] = await options.codec.decode([payload]);
      } catch (error) {
        report('payload cannot be decrypted', path, error instanceof Error ? error.message : String(error));
        continue;
      }
      if (!decoded) {
        report('payload cannot be decrypted', path, 'the codec returned nothing');
        continue;
      }
      const plaintext = Buffer.from(Payload.encode(decoded).finish());
      for (const what of secretsIn(plaintext, options.needles)) report('secret inside encrypted payload', path, what);
      for (const text of options.knownPlaintext) if (plaintext.includes(Buffer.from(text))) decryptedPlaintext.add(text);
    }
  }
  return { findings, totals, decryptedPlaintext: [...decryptedPlaintext] };
}

/** One line per finding, for assertion messages. */
export function describeFindings(findings: readonly Finding[], limit = 40): string {
  const lines = findings.slice(0, limit).map((f) => `- ${f.rule}: ${f.what} at ${f.run} ${f.where}`);
  if (findings.length > limit) lines.push(`... and ${findings.length - limit} more`);
  return lines.join('\n');
}

/** `{"id":"…","deprecated":false}`: all a `patched()` marker may carry. */
function isPatchData(data: Uint8Array): boolean {
  try {
    const value = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>;
    return Object.keys(value).sort().join() === 'deprecated,id' && typeof value.id === 'string' && value.id.length < 100 && typeof value.deprecated === 'boolean';
  } catch {
    return false;
  }
}

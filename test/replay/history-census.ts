/**
 * Where a workflow history's events and bytes go, by event type, and which search-attribute
 * upserts carried no meaning (issue #15). Used by test/workflows/history-trim.test.ts; run
 * it on recorded histories to compare versions:
 *
 *   npx tsx test/replay/history-census.ts test/replay/histories/rotate-simultaneous-*.history.pb
 */
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;

/** The search attribute the SDK core upserts for every new patch id (not certrot's own). */
const CHANGE_VERSION = 'TemporalChangeVersion';

export interface Census {
  readonly events: number;
  readonly bytes: number;
  /** By event type (EVENT_TYPE_ dropped), largest share of bytes first. */
  readonly byType: readonly { readonly type: string; readonly events: number; readonly bytes: number }[];
}

const eventBytes = (event: Event): number => temporal.api.history.v1.HistoryEvent.encode(event).finish().byteLength;
const typeOf = (event: Event): string => (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, '');

export function census(history: History): Census {
  const events = history.events ?? [];
  const byType = new Map<string, { events: number; bytes: number }>();
  for (const event of events) {
    const entry = byType.get(typeOf(event)) ?? { events: 0, bytes: 0 };
    entry.events += 1;
    entry.bytes += eventBytes(event);
    byType.set(typeOf(event), entry);
  }
  return {
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().byteLength,
    byType: [...byType].map(([type, c]) => ({ type, ...c })).sort((a, b) => b.bytes - a.bytes || a.type.localeCompare(b.type)),
  };
}

export function formatCensus(title: string, c: Census): string {
  return [`${title}: ${c.events} events, ${c.bytes} B`, ...c.byType.map((t) => `  ${t.type.padEnd(48)} ${String(t.events).padStart(4)} ${String(t.bytes).padStart(8)} B`)].join('\n');
}

export interface Upsert {
  readonly eventId: number;
  /** The workflow task that sent it. */
  readonly task: number;
  /** name → JSON value, certrot's attributes only (TemporalChangeVersion left out). */
  readonly values: Readonly<Record<string, string>>;
  /** The names whose value differs from what the execution held just before. */
  readonly changed: readonly string[];
}

function fieldsOf(fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, payload] of Object.entries(fields ?? {})) if (name !== CHANGE_VERSION) out[name] = Buffer.from(payload.data ?? new Uint8Array()).toString('utf8');
  return out;
}

/** Every upsert of certrot's own search attributes, each with what it changed (start attributes count as held). */
export function searchAttributeUpserts(history: History): Upsert[] {
  const held = new Map<string, string>();
  const upserts: Upsert[] = [];
  for (const event of history.events ?? []) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) for (const [name, value] of Object.entries(fieldsOf(started.searchAttributes?.indexedFields))) held.set(name, value);
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (!upsert) continue;
    const values = fieldsOf(upsert.searchAttributes?.indexedFields);
    if (Object.keys(values).length === 0) continue; // the SDK's own TemporalChangeVersion
    const changed = Object.entries(values).filter(([name, value]) => held.get(name) !== value).map(([name]) => name);
    for (const [name, value] of Object.entries(values)) held.set(name, value);
    upserts.push({ eventId: Number(event.eventId ?? 0), task: Number(upsert.workflowTaskCompletedEventId ?? 0), values, changed });
  }
  return upserts;
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    const history = temporal.api.history.v1.History.decode(readFileSync(file));
    console.log(formatCensus(file, census(history)));
    for (const u of searchAttributeUpserts(history)) console.log(`  upsert #${u.eventId} (task ${u.task}) ${JSON.stringify(u.values)}${u.changed.length ? '' : '  <- changes nothing'}`);
  }
}

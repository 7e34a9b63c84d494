/**
 * The payloads of a workflow history, to check what the codec covered: every object with
 * payload metadata (`metadata.encoding`), found anywhere in the events. It works on events as
 * the gRPC client returns them (metadata values are bytes) and as `temporal workflow show
 * --output json` prints them (base64 text). Search attributes are left out: they are payloads
 * too, but Temporal must index them, so no codec ever touches them.
 */
export interface HistoryPayload<V> {
  metadata?: Record<string, V> | null;
  data?: V | null;
}

/** The marker name Temporal's SDK core gives the markers `patched()` records. */
export const PATCH_MARKER = 'core_patch';

export function payloadsIn<V>(value: unknown, out: HistoryPayload<V>[] = []): HistoryPayload<V>[] {
  if (Array.isArray(value)) {
    for (const item of value) payloadsIn(item, out);
  } else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    // A patch marker (`patched()`) holds only the patch id, written by the SDK core without
    // the payload codec: not workflow data, so not counted.
    if ((value as { markerName?: unknown }).markerName === PATCH_MARKER) return out;
    const candidate = value as HistoryPayload<V>;
    if (candidate.metadata !== null && typeof candidate.metadata === 'object' && 'encoding' in candidate.metadata) {
      out.push(candidate);
      return out;
    }
    for (const [name, item] of Object.entries(value)) if (name !== 'searchAttributes') payloadsIn(item, out);
  }
  return out;
}

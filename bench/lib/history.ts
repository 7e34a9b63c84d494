/**
 * Workflow histories as the server stores them (WorkflowService.GetWorkflowExecutionHistory,
 * no converter): events and bytes per run, by event type, the largest single event, and
 * every run linked to a root (continue-as-new, children), like test/support/history-secrets.ts.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;
type Service = Connection['workflowService'];

export interface RunFigures {
  readonly workflowId: string;
  readonly runId: string;
  readonly events: number;
  readonly bytes: number;
  readonly largestEvent: number;
  readonly largestEventType: string;
  /** Event type (e.g. `ActivityTaskScheduled`) -> count and bytes. */
  readonly byType: ReadonlyMap<string, { count: number; bytes: number }>;
  readonly children: readonly { workflowId: string; runId: string }[];
  readonly continuedAs: string | null;
}

/** `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED` -> `ActivityTaskScheduled`. */
export function eventTypeName(type: temporal.api.enums.v1.EventType | null | undefined): string {
  const raw = temporal.api.enums.v1.EventType[type ?? 0] ?? `EventType${String(type)}`;
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _u: string, c: string) => c.toUpperCase());
}

export async function fetchEvents(service: Service, workflowId: string, runId: string): Promise<Event[]> {
  const events: Event[] = [];
  let nextPageToken: Uint8Array | null | undefined;
  do {
    const page = await service.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId, runId }, maximumPageSize: 250, ...(nextPageToken ? { nextPageToken } : {}) });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken;
  } while (nextPageToken && nextPageToken.length > 0);
  return events;
}

export function figuresOf(workflowId: string, runId: string, events: readonly Event[]): RunFigures {
  const byType = new Map<string, { count: number; bytes: number }>();
  let largestEvent = 0;
  let largestEventType = '-';
  const children: { workflowId: string; runId: string }[] = [];
  let continuedAs: string | null = null;
  for (const event of events) {
    const bytes = temporal.api.history.v1.HistoryEvent.encode(event).finish().byteLength;
    const type = eventTypeName(event.eventType);
    const entry = byType.get(type) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += bytes;
    byType.set(type, entry);
    if (bytes > largestEvent) {
      largestEvent = bytes;
      largestEventType = type;
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId && child.runId) children.push({ workflowId: child.workflowId, runId: child.runId });
    continuedAs = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? continuedAs;
  }
  const bytes = temporal.api.history.v1.History.encode({ events: [...events] }).finish().byteLength;
  return { workflowId, runId, events: events.length, bytes, largestEvent, largestEventType, byType, children, continuedAs };
}

export async function runFigures(service: Service, workflowId: string, runId: string): Promise<RunFigures> {
  return figuresOf(workflowId, runId, await fetchEvents(service, workflowId, runId));
}

/** The root's runs (through continue-as-new) and, with `children`, every child's runs, transitively. */
export async function linkedRuns(service: Service, root: { workflowId: string; runId: string }, children: boolean): Promise<RunFigures[]> {
  const out: RunFigures[] = [];
  const queue = [root];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const next = queue.shift()!;
    const key = `${next.workflowId}/${next.runId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const figures = await runFigures(service, next.workflowId, next.runId);
    out.push(figures);
    if (figures.continuedAs) queue.push({ workflowId: next.workflowId, runId: figures.continuedAs });
    if (children) queue.push(...figures.children);
  }
  return out;
}

/** A connection that takes histories larger than gRPC's default 4 MiB answer. */
export function bigConnection(address: string): Promise<Connection> {
  return Connection.connect({ address, channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } });
}

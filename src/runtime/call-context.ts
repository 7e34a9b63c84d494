/**
 * The activity a call runs for, carried without threading parameters through every port:
 * its AbortSignal (so a Salesforce or vendor request stops when Temporal cancels the
 * activity or its heartbeat times out) and its heartbeat (so long work reports progress).
 * Adapters read it with `currentSignal()`; outside an activity there is none and calls are
 * bounded only by their own deadlines.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallContext {
  readonly signal: AbortSignal;
  /** Records progress; what the last call passed is what a retry resumes from. */
  readonly heartbeat: (details?: unknown) => void;
}

const storage = new AsyncLocalStorage<CallContext>();

export function runInCallContext<T>(context: CallContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(context, fn);
}

export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

export function currentSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/**
 * A signal that aborts when the activity's does or when `deadlineMs` passes, whichever is
 * first: every outside request gets one, so a peer that trickles bytes cannot hold an
 * attempt past its deadline. `dispose()` clears the timer.
 */
export function deadlineSignal(deadlineMs: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const outer = currentSignal();
  const onAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(deadlineMs)), deadlineMs);
  timer.unref?.();
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

export class DeadlineExceeded extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no complete answer within ${Math.round(deadlineMs / 1000)} s`);
    this.name = 'DeadlineExceeded';
  }
}

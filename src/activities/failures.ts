/**
 * The activity boundary. Every activity:
 * - crosses as an ApplicationFailure whose `type` is its RotationError code, non-retryable
 *   unless the code is transient, so the workflow and the Temporal UI can tell failures
 *   apart without parsing messages;
 * - runs inside a call context (src/runtime/call-context.ts) carrying the activity's
 *   cancellation signal, so adapters abort their requests when Temporal cancels the attempt;
 * - heartbeats every few seconds while it runs (with the latest progress details), so a
 *   worker that dies is noticed within the heartbeat timeout instead of the whole
 *   start-to-close timeout.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isRotationError } from '../domain/errors';
import { runInCallContext } from '../runtime/call-context';

/** Liveness heartbeat period; the workflow's heartbeat timeout is several of these. */
export const HEARTBEAT_EVERY_MS = 3_000;

export function toFailure(error: unknown): unknown {
  if (isRotationError(error)) {
    return ApplicationFailure.create({
      type: error.code,
      message: error.message,
      nonRetryable: !error.retryable,
      details: Object.keys(error.details).length > 0 ? [error.details] : undefined,
    });
  }
  return error;
}

function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null; // called directly (a unit test, a script): no heartbeats, no cancellation
  }
}

/** Wraps an activity: failures as above, cancellation signal and periodic heartbeats. */
export function asActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const context = activityContext();
    if (!context) {
      try {
        return await fn(...args);
      } catch (error) {
        throw toFailure(error);
      }
    }
    let last: unknown = context.info.heartbeatDetails;
    const heartbeat = (details?: unknown): void => {
      if (details !== undefined) last = details;
      context.heartbeat(last);
    };
    const timer = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
    timer.unref?.();
    try {
      return await runInCallContext({ signal: context.cancellationSignal, heartbeat }, () => fn(...args));
    } catch (error) {
      throw toFailure(error);
    } finally {
      clearInterval(timer);
    }
  };
}

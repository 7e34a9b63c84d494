/**
 * The activity boundary: a RotationError leaves as an ApplicationFailure whose `type` is
 * its code, non-retryable unless the code is transient, so the workflow and the Temporal UI
 * can tell failures apart without parsing messages.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isRotationError } from '../domain/errors';

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

/** Wraps an activity so every RotationError it throws crosses the boundary as above. */
export function asActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      throw toFailure(error);
    }
  };
}

/**
 * One way to say what went wrong, for status, timelines and errors: `CODE: message` for a
 * failure that carries a code (an activity's RotationError crosses as an ApplicationFailure
 * whose type is the code), the message otherwise. Workflow-safe.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';
import { isRotationError } from './errors';

export function describeFailure(error: unknown): string {
  if ((error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) && error.cause instanceof ApplicationFailure) {
    return `${error.cause.type ?? 'ERROR'}: ${error.cause.message}`;
  }
  if (error instanceof ActivityFailure && error.cause) return describeFailure(error.cause);
  if (error instanceof ApplicationFailure) return `${error.type ?? 'ERROR'}: ${error.message}`;
  if (isRotationError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The code of a failure (ApplicationFailure type or RotationError code), if it has one. */
export function failureCode(error: unknown): string | null {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause.type ?? null;
  if (error instanceof ApplicationFailure) return error.type ?? null;
  if (isRotationError(error)) return error.code;
  return null;
}

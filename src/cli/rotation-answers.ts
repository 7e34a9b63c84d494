/**
 * What a rotation says back to the CLI: which rotation a command means (the canonical id),
 * how an ended rotation ended, its status, and the answer to an update — refusals with the
 * workflow's own reason, an ended rotation with its outcome and time. Every piece of text
 * from the workflow goes through `printable`.
 */
import {
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { rotationWorkflowId, type RotationStatus } from '../domain/rotation';
import { statusQuery } from '../workflows/messages';
import type { ClientFlags } from './temporal-client';
import { printable as p } from './terminal-text';

/** An error whose message is already printable (built from `printable` pieces): shown as it is. */
export class CliError extends Error {}


export interface TargetFlags extends ClientFlags {
  workflowId?: string;
  org?: string;
  certificate?: string;
}

/** The workflow id a command is about: `--org` + `--certificate` (canonical, lower case), or `--workflow-id` as given. */
export function workflowIdOf(flags: TargetFlags): string {
  const canonical = flags.org && flags.certificate ? rotationWorkflowId(flags.org, flags.certificate) : null;
  if (flags.workflowId) {
    if (canonical && canonical !== flags.workflowId) {
      throw new CliError(`--workflow-id ${p(flags.workflowId)} is not the rotation of ${p(flags.certificate)} in org ${p(flags.org)} (${p(canonical)}); give one or the other`);
    }
    return flags.workflowId;
  }
  if (canonical) return canonical;
  if (flags.org || flags.certificate) throw new CliError('give both --org and --certificate (or --workflow-id)');
  throw new CliError('say which rotation: --org ALIAS --certificate UNIQUE_NAME, or --workflow-id ID');
}

// ---- how a rotation ended --------------------------------------------------------------------

/** What is known about a closed rotation: Temporal's view (status, close time) and the rotation's own. */
export interface Ending {
  readonly workflowId: string;
  /** Temporal's execution status name, e.g. COMPLETED, FAILED, TERMINATED. */
  readonly executionStatus: string;
  readonly closeTime: Date | null;
  /** The rotation's final status (its result, or the failure's details); null when it left none. */
  readonly status: RotationStatus | null;
  /** The failure's message, for a rotation that failed, was terminated or timed out. */
  readonly failure: string | null;
}

const EXECUTION_OUTCOMES: Readonly<Record<string, string>> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  TERMINATED: 'terminated',
  CANCELLED: 'cancelled',
  TIMED_OUT: 'timed out',
  CONTINUED_AS_NEW: 'continued as new',
};

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** "rotation ID already ended: rolled-back at 2026-12-01T10:00:00Z (reason: ...)". Pure. */
export function describeEnded(ending: Ending, lead = 'already ended', pointToStatus = true): string {
  const { status } = ending;
  const how = status?.outcome ?? EXECUTION_OUTCOMES[ending.executionStatus] ?? ending.executionStatus.toLowerCase();
  const when = ending.closeTime ? isoSeconds(ending.closeTime) : (status?.endedAt ?? 'an unknown time');
  const reason = status?.reason ?? ending.failure;
  const steps = status?.manualSteps.length ?? 0;
  return (
    `rotation ${p(ending.workflowId)} ${lead}: ${p(how)} at ${p(when)}` +
    (reason ? ` (reason: ${p(reason)})` : '') +
    (steps ? `; ${steps} manual step${steps === 1 ? '' : 's'} left` : '') +
    (pointToStatus ? `; see \`certrot status --workflow-id ${p(ending.workflowId)}\`` : '')
  );
}

/** The id never existed. A non-canonical id gets a hint: ids are lower case. */
export function noSuchRotation(workflowId: string): string {
  const lower = workflowId.toLowerCase();
  const hint = lower !== workflowId && lower.startsWith('rotate/') ? `; rotation ids are lower case: did you mean ${p(lower)}?` : '';
  return `no such rotation: ${p(workflowId)}${hint} (\`certrot list\` shows the rotations)`;
}

const GRPC_NOT_FOUND = 5;
const CLOSED_MESSAGE = /workflow execution (is )?already (completed|closed)|workflow completed before the update completed/i;

/** Whether an error from an update or query means "that workflow is not running" (ended, or never existed). */
export function isNotRunningError(error: unknown): boolean {
  if (error instanceof WorkflowNotFoundError) return true;
  if (isGrpcServiceError(error) && Number(error.code) === GRPC_NOT_FOUND) return true;
  if (error instanceof ServiceError && error.cause && isNotRunningError(error.cause)) return true;
  if (error instanceof WorkflowUpdateFailedError && error.cause && CLOSED_MESSAGE.test(error.cause.message)) return true;
  return error instanceof Error && CLOSED_MESSAGE.test(error.message);
}

function isRotationStatus(value: unknown): value is RotationStatus {
  return typeof value === 'object' && value !== null && 'workflowId' in value && 'phase' in value && Array.isArray((value as RotationStatus).timeline);
}

/** A closed rotation's status and failure, from its result or its failure's details (the workflow puts its status there). */
async function readEnding(handle: WorkflowHandle, executionStatus: string, closeTime: Date | null): Promise<Ending> {
  const ending = { workflowId: handle.workflowId, executionStatus, closeTime };
  try {
    const result: unknown = await handle.result();
    return { ...ending, status: isRotationStatus(result) ? result : null, failure: null };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const details: unknown = error.cause instanceof ApplicationFailure ? error.cause.details?.[0] : undefined;
    return { ...ending, status: isRotationStatus(details) ? details : null, failure: error.cause?.message ?? error.message };
  }
}

/** How the rotation ended, or null while it runs. Throws WorkflowNotFoundError for an id that never existed. */
async function endingOf(handle: WorkflowHandle): Promise<Ending | null> {
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return null;
  return readEnding(handle, description.status.name, description.closeTime ?? null);
}

/** The rotation's status, from a query while it runs or from its result once closed. */
export async function readStatus(handle: WorkflowHandle): Promise<RotationStatus> {
  try {
    const ending = await endingOf(handle);
    if (!ending) return await handle.query(statusQuery);
    if (ending.status) return ending.status;
    throw new CliError(describeEnded(ending, 'ended without a status', false));
  } catch (error) {
    throw await explainFailure(handle, error);
  }
}

/**
 * One clear, printable error for what went wrong talking to a rotation: a refusal (with the
 * workflow's reason), an ended rotation (how and when), an id that never existed, no answer.
 */
export async function explainFailure(handle: WorkflowHandle, error: unknown, endedLead = 'already ended'): Promise<Error> {
  if (error instanceof CliError) return error;
  if (error instanceof WorkflowUpdateFailedError && !isNotRunningError(error)) {
    return new CliError(`refused: ${p(error.cause?.message ?? error.message)}`);
  }
  if (isNotRunningError(error)) {
    try {
      const ending = await endingOf(handle);
      if (ending) return new CliError(describeEnded(ending, endedLead));
    } catch (describeError) {
      if (describeError instanceof WorkflowNotFoundError) return new CliError(noSuchRotation(handle.workflowId));
      return new CliError(p(describeError));
    }
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new CliError(`rotation ${p(handle.workflowId)} did not answer in time: is a certrot worker running? (${p(error)})`);
  }
  return new CliError(p(error));
}

/** Sends one operator Update and returns its answer; any failure becomes one explained error. */
export async function sendUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
): Promise<Ret> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await handle.executeUpdate(update, { args });
  } catch (error) {
    throw await explainFailure(handle, error);
  }
}

/**
 * Operating rotations from the command line: rotate, approve, reject, reschedule,
 * vendor-applied, abort, rollback, status and list. Everything goes through Temporal — the
 * same messages the Temporal UI sends — so the CLI needs no Salesforce or vendor credentials.
 *
 * Every command answers from the workflow itself. `rotate` starts the rotation with
 * update-with-start and prints "started" only once the workflow's `started` update answers
 * (input accepted, preflight passed); the operator messages are Updates whose validators
 * refuse with a reason, printed as "refused: <reason>". A command on a rotation that has
 * ended says how and when it ended; only an id that never existed is "no such rotation".
 * Text from the workflow (reasons, errors, names) is printed through `printable`.
 */
import { readFileSync } from 'node:fs';
import {
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { InvalidArgumentError, type Command } from 'commander';
import { RotationError, isRotationError } from '../../domain/errors';
import {
  TERMINAL_PHASES,
  rotationWorkflowId,
  type ReferenceTarget,
  type RotationInput,
  type RotationRequest,
  type RotationStatus,
  type RotationWindow,
} from '../../domain/rotation';
import { resolveRotationRequest, rotationRequestSchema } from '../../domain/rotation-request';
import { SEARCH_ATTRIBUTE_KEYS } from '../../domain/search-attributes';
import {
  abortUpdate,
  approveUpdate,
  rejectUpdate,
  rescheduleUpdate,
  rollbackUpdate,
  startedUpdate,
  statusQuery,
  vendorAppliedUpdate,
} from '../../workflows/messages';
import { rotateCertificate } from '../../workflows/rotate-certificate';
import { formatStatus } from '../format-status';
import { addClientOptions, withClient, type ClientFlags } from '../temporal-client';
import { printable as p, printableJson } from '../terminal-text';

/** An error whose message is already printable (built from `printable` pieces): shown as it is. */
export class CliError extends Error {}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseTarget(value: string, previous: ReferenceTarget[] = []): ReferenceTarget[] {
  const match = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)(?::(hierarchy-setting|custom-object))?$/.exec(value);
  if (!match?.[1] || !match[2]) {
    throw new InvalidArgumentError(`"${p(value)}" is not OBJECT.FIELD[:hierarchy-setting|custom-object], e.g. csam__AsyncMessOptions__c.csam__Certificate__c`);
  }
  const kind = (match[3] as ReferenceTarget['kind'] | undefined) ?? 'hierarchy-setting';
  return [...previous, { object: match[1], field: match[2], kind }];
}

function windowOf(start?: string, end?: string): RotationWindow | undefined {
  if (start === undefined && end === undefined) return undefined;
  if (!start || !end) throw new CliError('give both --window-start and --window-end (ISO-8601, e.g. 2026-12-05T02:00:00Z)');
  return { start, end };
}

// ---- which rotation --------------------------------------------------------------------------

export interface TargetFlags extends ClientFlags {
  workflowId?: string;
  org?: string;
  certificate?: string;
}

function addTargetOptions(command: Command): Command {
  return addClientOptions(command)
    .option('--org <alias>', 'the org alias (with --certificate: finds the rotation, case-insensitively)')
    .option('--certificate <uniqueName>', 'the Unique Name of the certificate being rotated')
    .option('--workflow-id <id>', 'instead of --org/--certificate: the workflow id, rotate/<org>/<certificate> in lower case');
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

// ---- rotate ----------------------------------------------------------------------------------

interface RotateFlags extends ClientFlags {
  input?: string;
  org?: string;
  certificate?: string;
  vendor?: string;
  strategy?: string;
  newName?: string;
  newLabel?: string;
  keySize?: number;
  caSigned?: boolean;
  target?: ReferenceTarget[];
  discover?: boolean;
  approver?: string[];
  approvalTimeout?: string;
  windowStart?: string;
  windowEnd?: string;
  windowDuration?: string;
  gracePeriod?: string;
  calloutUrl?: string;
  signature?: boolean;
  json?: boolean;
}

/** The rotation request from --input and the flags (flags win). */
function requestOf(flags: RotateFlags): Record<string, unknown> {
  const base: Record<string, unknown> = flags.input ? (JSON.parse(readFileSync(flags.input, 'utf8')) as Record<string, unknown>) : {};
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) base[key] = value;
  };
  set('org', flags.org);
  set('certificate', flags.certificate);
  set('vendor', flags.vendor);
  set('strategy', flags.strategy);
  set('newUniqueName', flags.newName);
  set('newLabel', flags.newLabel);
  set('keySize', flags.keySize);
  set('caSigned', flags.caSigned);
  if (flags.target || flags.discover) base.references = { ...(flags.target ? { targets: flags.target } : {}), ...(flags.discover ? { discover: true } : {}) };
  if (flags.approver || flags.approvalTimeout) {
    base.approval = { ...(flags.approver ? { approvers: flags.approver } : {}), ...(flags.approvalTimeout ? { timeout: flags.approvalTimeout } : {}) };
  }
  const fixed = windowOf(flags.windowStart, flags.windowEnd);
  if (fixed) base.window = { mode: 'fixed', ...fixed };
  else if (flags.windowDuration) base.window = { mode: 'on-approval', duration: flags.windowDuration };
  set('gracePeriod', flags.gracePeriod);
  if (flags.calloutUrl || flags.signature === false) {
    base.verification = { ...(flags.calloutUrl ? { calloutUrl: flags.calloutUrl } : {}), ...(flags.signature === false ? { signature: false } : {}) };
  }
  return base;
}

/** Validates the request here, so a typo fails before anything starts (the workflow validates again). */
function validated(base: Record<string, unknown>): { input: RotationInput; request: RotationRequest } {
  try {
    return { input: resolveRotationRequest(base, new Date()), request: rotationRequestSchema.parse(base) };
  } catch (error) {
    // The message quotes the operator's values: keep them printable (main prints CODE: message).
    if (isRotationError(error)) throw new RotationError(error.code, p(error.message, 2000));
    throw error;
  }
}

async function rotate(flags: RotateFlags): Promise<void> {
  const { input, request } = validated(requestOf(flags));
  const workflowId = rotationWorkflowId(input.org, input.certificate);
  await withClient(flags, async (client, settings) => {
    const startWorkflowOperation = new WithStartWorkflowOperation(rotateCertificate, {
      workflowId,
      taskQueue: settings.taskQueue,
      args: [request],
      workflowIdConflictPolicy: 'FAIL',
      staticSummary: `Rotate ${input.certificate} in ${input.org} (${input.strategy}, vendor ${input.vendor})`,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: input.certificate },
        { key: SEARCH_ATTRIBUTE_KEYS.OrgAlias, value: input.org },
        { key: SEARCH_ATTRIBUTE_KEYS.RotationPhase, value: 'backing-up' },
      ],
    });
    // The first answer needs a worker; say what we wait for if it takes a while.
    const slow = setTimeout(() => console.error(`waiting for the rotation's first answer (is a certrot worker polling task queue "${p(settings.taskQueue)}"?)`), 15_000);
    const started = await client.workflow
      .executeUpdateWithStart(startedUpdate, { startWorkflowOperation })
      .catch(async (error: unknown) => {
        throw await explainStartFailure(client, input, workflowId, error);
      })
      .finally(() => clearTimeout(slow));
    if (flags.json) console.log(printableJson({ workflowId, request, started }));
    else {
      console.log(`started rotation ${p(started.workflowId)} (phase ${p(started.phase)}, org id ${p(started.orgId)})`);
      console.log(`follow it: certrot status --workflow-id ${p(started.workflowId)} --watch`);
    }
  });
}

async function explainStartFailure(client: Client, input: RotationInput, workflowId: string, error: unknown): Promise<Error> {
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new CliError(
      `a rotation of ${p(input.certificate)} in org ${p(input.org)} is already running (workflow ${p(workflowId)}); ` +
        `see \`certrot status --workflow-id ${p(workflowId)}\`, or abort it first`,
    );
  }
  if (error instanceof WorkflowUpdateFailedError && !isNotRunningError(error)) {
    return new CliError(`rotation ${p(workflowId)} did not start: ${p(error.cause?.message ?? error.message)}`);
  }
  return explainFailure(client.workflow.getHandle(workflowId), error, 'ended before it started');
}

// ---- status ----------------------------------------------------------------------------------

async function showStatus(flags: TargetFlags & { json?: boolean; watch?: boolean; interval: number }): Promise<void> {
  const show = (status: RotationStatus): void => console.log(flags.json ? printableJson(status) : formatStatus(status));
  await withClient(flags, async (client) => {
    const handle = client.workflow.getHandle(workflowIdOf(flags));
    let status = await readStatus(handle);
    if (!flags.watch) return show(status);
    let shown = 0;
    for (;;) {
      for (const entry of status.timeline.slice(shown)) console.log(`${p(entry.at)}  ${p(entry.phase)}${entry.note ? `  — ${p(entry.note)}` : ''}`);
      shown = status.timeline.length;
      if (status.outcome || TERMINAL_PHASES.includes(status.phase)) break;
      await new Promise((resolve) => setTimeout(resolve, flags.interval * 1000));
      status = await readStatus(handle);
    }
    console.log('');
    show(status);
  });
}

// ---- the commands ----------------------------------------------------------------------------

export function registerRotationCommands(program: Command): void {
  addClientOptions(program.command('rotate'))
    .description('start a rotation; prints "started" once the workflow accepted it and preflight passed')
    .option('--input <file>', 'a JSON rotation request (the same JSON the Temporal UI accepts); flags override it')
    .option('--org <alias>', 'org alias configured in the worker')
    .option('--certificate <uniqueName>', 'Unique Name of the certificate to replace')
    .option('--vendor <id>', 'vendor id configured in the worker')
    .option('--strategy <strategy>', 'overlap | simultaneous')
    .option('--new-name <uniqueName>', 'Unique Name of the new certificate (default: old name + date)')
    .option('--new-label <label>', 'label of the new certificate (default: old label + date)')
    .option('--key-size <bits>', '2048 | 4096', (v) => Number(v))
    .option('--ca-signed', 'have the configured CA sign the new certificate')
    .option('--target <object.field[:kind]>', 'a field holding the Unique Name (repeatable)', parseTarget)
    .option('--discover', 'also scan the org for fields holding the name')
    .option('--approver <name>', 'who may approve (repeatable; default: anyone)', collect)
    .option('--approval-timeout <duration>', 'e.g. "7 days"')
    .option('--window-start <iso>', 'a fixed window start (with --window-end)')
    .option('--window-end <iso>', 'a fixed window end')
    .option('--window-duration <duration>', 'window opening at approval, e.g. "2 hours"')
    .option('--grace-period <duration>', 'keep the old certificate this long, e.g. "7 days"')
    .option('--callout-url <https-url>', 'two-way TLS probe during verification')
    .option('--no-signature', 'skip the signature check during verification')
    .option('--json', 'print the started rotation as JSON')
    .action(rotate);

  addTargetOptions(program.command('approve'))
    .description("approve the new key (the provisioning team's step), bound to its SPKI fingerprint")
    .requiredOption('--approver <name>', 'who approves')
    .requiredOption('--fingerprint <sha256>', 'SPKI SHA-256 fingerprint of the key you installed')
    .option('--window-start <iso>', 'agreed window start (with --window-end); default: as requested')
    .option('--window-end <iso>', 'agreed window end')
    .action(async (flags: TargetFlags & { approver: string; fingerprint: string; windowStart?: string; windowEnd?: string }) => {
      const window = windowOf(flags.windowStart, flags.windowEnd);
      const request = { approver: flags.approver, fingerprint: flags.fingerprint, ...(window ? { window } : {}) };
      const result = await withClient(flags, (client) => sendUpdate(client, workflowIdOf(flags), approveUpdate, [request]));
      console.log(`approved; window ${p(result.window.start)} -> ${p(result.window.end)}`);
    });

  addTargetOptions(program.command('reject'))
    .description('reject the new key: the rotation rolls back')
    .requiredOption('--approver <name>', 'who rejects')
    .requiredOption('--reason <text>', 'why')
    .action(async (flags: TargetFlags & { approver: string; reason: string }) => {
      const result = await withClient(flags, (client) => sendUpdate(client, workflowIdOf(flags), rejectUpdate, [{ approver: flags.approver, reason: flags.reason }]));
      console.log(`rejected: ${p(result.message)} (phase ${p(result.phase)})`);
    });

  addTargetOptions(program.command('vendor-applied'))
    .description('(provisioning team of a vendor without an API) confirm the new key is now trusted')
    .requiredOption('--fingerprint <sha256>', 'SPKI SHA-256 fingerprint of the key you activated')
    .option('--by <name>', 'who confirms')
    .action(async (flags: TargetFlags & { fingerprint: string; by?: string }) => {
      const request = { fingerprint: flags.fingerprint, ...(flags.by ? { by: flags.by } : {}) };
      const result = await withClient(flags, (client) => sendUpdate(client, workflowIdOf(flags), vendorAppliedUpdate, [request]));
      console.log(`vendor-applied accepted: ${p(result.message)} (phase ${p(result.phase)})`);
    });

  addTargetOptions(program.command('reschedule'))
    .description('move the window (before it opens)')
    .requiredOption('--window-start <iso>', 'new window start')
    .requiredOption('--window-end <iso>', 'new window end')
    .action(async (flags: TargetFlags & { windowStart: string; windowEnd: string }) => {
      const request = { window: { start: flags.windowStart, end: flags.windowEnd } };
      const window = await withClient(flags, (client) => sendUpdate(client, workflowIdOf(flags), rescheduleUpdate, [request]));
      console.log(`window moved to ${p(window.start)} -> ${p(window.end)}`);
    });

  addTargetOptions(program.command('abort'))
    .description('stop the rotation and undo both sides')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who aborts')
    .action(async (flags: TargetFlags & { reason: string; by?: string }) => {
      const request = { reason: flags.reason, ...(flags.by ? { by: flags.by } : {}) };
      const result = await withClient(flags, (client) => sendUpdate(client, workflowIdOf(flags), abortUpdate, [request]));
      console.log(`abort accepted: ${p(result.message)} (phase ${p(result.phase)})`);
    });

  addTargetOptions(program.command('rollback'))
    .description('during the grace period: go back to the old certificate on both sides')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who rolls back')
    .action(async (flags: TargetFlags & { reason: string; by?: string }) => {
      const request = { reason: flags.reason, ...(flags.by ? { by: flags.by } : {}) };
      const result = await withClient(flags, (client) => sendUpdate(client, workflowIdOf(flags), rollbackUpdate, [request]));
      console.log(`rollback accepted: ${p(result.message)} (phase ${p(result.phase)})`);
    });

  addTargetOptions(program.command('status'))
    .description('show a rotation: phase, outcome, timeline, keys, window, checks (running or ended)')
    .option('--json', 'print the status as JSON')
    .option('--watch', 'follow the rotation until it ends, printing each phase change')
    .option('--interval <seconds>', 'with --watch: poll interval', (v) => Number(v), 2)
    .action(showStatus);

  addClientOptions(program.command('list'))
    .description('list rotations through Temporal visibility')
    .option('--org <alias>', 'only this org')
    .option('--certificate <uniqueName>', 'only this certificate')
    .option('--phase <phase>', 'only rotations in this phase')
    .option('--running', 'only running rotations')
    .option('--limit <n>', 'at most this many', (v) => Number(v), 50)
    .action(async (flags: ClientFlags & { org?: string; certificate?: string; phase?: string; running?: boolean; limit: number }) => {
      const quote = (v: string): string => `"${v.replace(/["\\]/g, '')}"`;
      const clauses = ["WorkflowType = 'rotateCertificate'"];
      if (flags.org) clauses.push(`OrgAlias = ${quote(flags.org)}`);
      if (flags.certificate) clauses.push(`CertificateName = ${quote(flags.certificate)}`);
      if (flags.phase) clauses.push(`RotationPhase = ${quote(flags.phase)}`);
      if (flags.running) clauses.push("ExecutionStatus = 'Running'");
      await withClient(flags, async (client) => {
        const rows: string[][] = [['WORKFLOW ID', 'STATUS', 'PHASE', 'OUTCOME', 'STARTED']];
        for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) {
          const phase = execution.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.RotationPhase) ?? '';
          const outcome = execution.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.RotationOutcome) ?? '';
          rows.push([p(execution.workflowId, 120), execution.status.name, p(phase, 40), p(outcome, 40), execution.startTime.toISOString()]);
          if (rows.length > flags.limit) break;
        }
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
        if (rows.length === 1) console.log('(no rotations match)');
      });
    });
}

/**
 * Operating rotations from the command line: rotate, status and list here; the operator
 * messages (approve, reject, reschedule, vendor-applied, abort, rollback,
 * confirm-manual-steps) in rotation-messages.ts. Everything goes through Temporal — the
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
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { InvalidArgumentError, type Command } from 'commander';
import { RotationError, isRotationError } from '../../domain/errors';
import {
  TERMINAL_PHASES,
  rotationWorkflowId,
  type ReferenceTarget,
  type RotationInput,
  type RotationRequest,
  type RotationStatus,
} from '../../domain/rotation';
import { resolveRotationRequest, rotationRequestSchema } from '../../domain/rotation-request';
import { SEARCH_ATTRIBUTE_KEYS } from '../../domain/search-attributes';
import { startedUpdate } from '../../workflows/messages';
import { rotateCertificate } from '../../workflows/rotate-certificate';
import { formatStatus } from '../format-status';
import { addClientOptions, withClient, type ClientFlags } from '../temporal-client';
import { printable as p, printableJson } from '../terminal-text';

import { CliError, explainFailure, isNotRunningError, readStatus, workflowIdOf, type TargetFlags } from '../rotation-answers';
import { addTargetOptions, registerRotationMessageCommands, windowOf } from './rotation-messages';

export { CliError, describeEnded, explainFailure, isNotRunningError, noSuchRotation, readStatus, sendUpdate, workflowIdOf } from '../rotation-answers';
export type { Ending, TargetFlags } from '../rotation-answers';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--target OBJECT.FIELD[:kind]`; without a kind, a `__mdt` object is Custom Metadata, anything else a hierarchy setting. */
export function parseTarget(value: string, previous: ReferenceTarget[] = []): ReferenceTarget[] {
  const match = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)(?::(hierarchy-setting|custom-object|custom-metadata))?$/.exec(value);
  if (!match?.[1] || !match[2]) {
    throw new InvalidArgumentError(
      `"${p(value)}" is not OBJECT.FIELD[:hierarchy-setting|custom-object|custom-metadata], e.g. csam__AsyncMessOptions__c.csam__Certificate__c or Vendor_Endpoint__mdt.Certificate__c:custom-metadata`,
    );
  }
  const kind = (match[3] as ReferenceTarget['kind'] | undefined) ?? (/__mdt$/i.test(match[1]) ? 'custom-metadata' : 'hierarchy-setting');
  return [...previous, { object: match[1], field: match[2], kind }];
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
  acknowledge?: string[];
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
  if (flags.target || flags.discover || flags.acknowledge) {
    const fromInput = typeof base.references === 'object' && base.references !== null ? (base.references as Record<string, unknown>) : {};
    base.references = {
      ...fromInput,
      ...(flags.target ? { targets: flags.target } : {}),
      ...(flags.discover ? { discover: true } : {}),
      ...(flags.acknowledge ? { acknowledge: flags.acknowledge } : {}),
    };
  }
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
    .option('--key-size <bits>', '2048 | 3072 | 4096', (v) => Number(v))
    .option('--ca-signed', 'have the configured CA sign the new certificate')
    .option('--target <object.field[:kind]>', 'a field holding the Unique Name (repeatable)', parseTarget)
    .option('--discover', 'also scan the org for fields holding the name')
    .option('--acknowledge <key>', 'a place certrot cannot switch (as the refusal names it, e.g. apex-class:Contoso_Callout): you switch it by hand (repeatable)', collect)
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

  registerRotationMessageCommands(program);

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

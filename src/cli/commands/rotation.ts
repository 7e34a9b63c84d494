/**
 * Operating rotations from the command line: rotate, approve, reject, reschedule, abort,
 * rollback, status and list. Everything goes through Temporal — the same messages the
 * Temporal UI sends — so the CLI needs no Salesforce or vendor credentials.
 */
import { readFileSync } from 'node:fs';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidArgumentError, type Command } from 'commander';
import { TERMINAL_PHASES, rotationWorkflowId, type ReferenceTarget, type RotationStatus, type RotationWindow } from '../../domain/rotation';
import { resolveRotationRequest, rotationRequestSchema } from '../../domain/rotation-request';
import { SEARCH_ATTRIBUTE_KEYS } from '../../domain/search-attributes';
import {
  abortSignal,
  approveUpdate,
  rejectSignal,
  rescheduleUpdate,
  rollbackSignal,
  statusQuery,
  vendorAppliedSignal,
} from '../../workflows/messages';
import { formatStatus } from '../format-status';
import { addClientOptions, withClient, type ClientFlags } from '../temporal-client';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseTarget(value: string, previous: ReferenceTarget[] = []): ReferenceTarget[] {
  const match = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)(?::(hierarchy-setting|custom-object))?$/.exec(value);
  if (!match?.[1] || !match[2]) {
    throw new InvalidArgumentError(`"${value}" is not OBJECT.FIELD[:hierarchy-setting|custom-object], e.g. csam__AsyncMessOptions__c.csam__Certificate__c`);
  }
  const kind = (match[3] as ReferenceTarget['kind'] | undefined) ?? 'hierarchy-setting';
  return [...previous, { object: match[1], field: match[2], kind }];
}

interface TargetFlags extends ClientFlags {
  workflowId?: string;
  org?: string;
  certificate?: string;
}

function addTargetOptions(command: Command): Command {
  return addClientOptions(command)
    .option('--workflow-id <id>', 'the rotation workflow id (rotate/<org>/<certificate>)')
    .option('--org <alias>', 'with --certificate: find the rotation by org and certificate')
    .option('--certificate <uniqueName>', 'the certificate being rotated');
}

function workflowIdOf(flags: TargetFlags): string {
  if (flags.workflowId) return flags.workflowId;
  if (flags.org && flags.certificate) return rotationWorkflowId(flags.org, flags.certificate);
  throw new Error('say which rotation: --workflow-id ID, or --org ALIAS --certificate UNIQUE_NAME');
}

function windowOf(start?: string, end?: string): RotationWindow | undefined {
  if (start === undefined && end === undefined) return undefined;
  if (!start || !end) throw new Error('give both --window-start and --window-end (ISO-8601, e.g. 2026-12-05T02:00:00Z)');
  return { start, end };
}

/** The rotation's status, from a query while it runs or from its result once closed. */
export async function readStatus(handle: WorkflowHandle): Promise<RotationStatus> {
  const description = await handle.describe();
  if (description.status.name === 'RUNNING') return handle.query(statusQuery);
  try {
    return (await handle.result()) as RotationStatus;
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure && error.cause.details?.[0]) {
      return error.cause.details[0] as RotationStatus;
    }
    throw error;
  }
}

function updateError(error: unknown): Error {
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
    return new Error(`refused: ${cause}`);
  }
  if (error instanceof WorkflowNotFoundError) return new Error(`no such rotation: ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}

async function sendSignalAndConfirm(client: Client, workflowId: string, send: (h: WorkflowHandle) => Promise<void>, message: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const before = (await handle.query(statusQuery)).ignoredMessages.length;
  await send(handle);
  // Signals are fire-and-forget: read back, for a moment, whether the workflow ignored it.
  for (let attempt = 0; attempt < 4; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const status = await handle.query(statusQuery);
    const ignored = status.ignoredMessages.slice(before).find((m) => m.message === message);
    if (ignored) throw new Error(`refused: ${ignored.reason}`);
  }
  console.log(`${message} sent to ${workflowId}`);
}

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

export function registerRotationCommands(program: Command): void {
  addClientOptions(program.command('rotate'))
    .description('start a rotation (refused while one runs for the same certificate)')
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
    .action(async (flags: RotateFlags) => {
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
      // Validate here so a typo fails before anything starts (the workflow validates again).
      const input = resolveRotationRequest(base, new Date());
      const request = rotationRequestSchema.parse(base);
      await withClient(flags, async (client, settings) => {
        const workflowId = rotationWorkflowId(input.org, input.certificate);
        try {
          await client.workflow.start('rotateCertificate', {
            taskQueue: settings.taskQueue,
            workflowId,
            args: [request],
            staticSummary: `Rotate ${input.certificate} in ${input.org} (${input.strategy}, vendor ${input.vendor})`,
            typedSearchAttributes: [
              { key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: input.certificate },
              { key: SEARCH_ATTRIBUTE_KEYS.OrgAlias, value: input.org },
              { key: SEARCH_ATTRIBUTE_KEYS.RotationPhase, value: 'backing-up' },
            ],
          });
        } catch (error) {
          if (error instanceof WorkflowExecutionAlreadyStartedError) {
            throw new Error(
              `a rotation of ${input.certificate} in org ${input.org} is already running (workflow ${workflowId}); ` +
                `see \`certrot status --workflow-id ${workflowId}\`, or abort it first`,
            );
          }
          throw error;
        }
        if (flags.json) console.log(JSON.stringify({ workflowId, request }, null, 2));
        else {
          console.log(`started rotation ${workflowId}`);
          console.log(`follow it: certrot status --workflow-id ${workflowId} --watch`);
        }
      });
    });

  addTargetOptions(program.command('approve'))
    .description("approve the new key (the provisioning team's step), bound to its SPKI fingerprint")
    .requiredOption('--approver <name>', 'who approves')
    .requiredOption('--fingerprint <sha256>', 'SPKI SHA-256 fingerprint of the key you installed')
    .option('--window-start <iso>', 'agreed window start (with --window-end); default: as requested')
    .option('--window-end <iso>', 'agreed window end')
    .action(async (flags: TargetFlags & { approver: string; fingerprint: string; windowStart?: string; windowEnd?: string }) => {
      const window = windowOf(flags.windowStart, flags.windowEnd);
      await withClient(flags, async (client) => {
        const handle = client.workflow.getHandle(workflowIdOf(flags));
        try {
          const result = await handle.executeUpdate(approveUpdate, {
            args: [{ approver: flags.approver, fingerprint: flags.fingerprint, ...(window ? { window } : {}) }],
          });
          console.log(`approved; window ${result.window.start} -> ${result.window.end}`);
        } catch (error) {
          throw updateError(error);
        }
      });
    });

  addTargetOptions(program.command('reject'))
    .description('reject the new key: the rotation rolls back')
    .requiredOption('--approver <name>', 'who rejects')
    .requiredOption('--reason <text>', 'why')
    .action(async (flags: TargetFlags & { approver: string; reason: string }) => {
      await withClient(flags, (client) =>
        sendSignalAndConfirm(client, workflowIdOf(flags), (h) => h.signal(rejectSignal, { approver: flags.approver, reason: flags.reason }), 'reject'),
      );
    });

  addTargetOptions(program.command('vendor-applied'))
    .description('(provisioning team of a vendor without an API) confirm the new key is now trusted')
    .requiredOption('--fingerprint <sha256>', 'SPKI SHA-256 fingerprint of the key you activated')
    .option('--by <name>', 'who confirms')
    .action(async (flags: TargetFlags & { fingerprint: string; by?: string }) => {
      await withClient(flags, (client) =>
        sendSignalAndConfirm(
          client,
          workflowIdOf(flags),
          (h) => h.signal(vendorAppliedSignal, { fingerprint: flags.fingerprint, ...(flags.by ? { by: flags.by } : {}) }),
          'vendorApplied',
        ),
      );
    });

  addTargetOptions(program.command('reschedule'))
    .description('move the window (before it opens)')
    .requiredOption('--window-start <iso>', 'new window start')
    .requiredOption('--window-end <iso>', 'new window end')
    .action(async (flags: TargetFlags & { windowStart: string; windowEnd: string }) => {
      await withClient(flags, async (client) => {
        try {
          const window = await client.workflow
            .getHandle(workflowIdOf(flags))
            .executeUpdate(rescheduleUpdate, { args: [{ window: { start: flags.windowStart, end: flags.windowEnd } }] });
          console.log(`window moved to ${window.start} -> ${window.end}`);
        } catch (error) {
          throw updateError(error);
        }
      });
    });

  addTargetOptions(program.command('abort'))
    .description('stop the rotation and undo both sides')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who aborts')
    .action(async (flags: TargetFlags & { reason: string; by?: string }) => {
      await withClient(flags, (client) =>
        sendSignalAndConfirm(client, workflowIdOf(flags), (h) => h.signal(abortSignal, { reason: flags.reason, ...(flags.by ? { by: flags.by } : {}) }), 'abort'),
      );
    });

  addTargetOptions(program.command('rollback'))
    .description('during the grace period: go back to the old certificate on both sides')
    .requiredOption('--reason <text>', 'why')
    .option('--by <name>', 'who rolls back')
    .action(async (flags: TargetFlags & { reason: string; by?: string }) => {
      await withClient(flags, (client) =>
        sendSignalAndConfirm(client, workflowIdOf(flags), (h) => h.signal(rollbackSignal, { reason: flags.reason, ...(flags.by ? { by: flags.by } : {}) }), 'rollback'),
      );
    });

  addTargetOptions(program.command('status'))
    .description('show a rotation: phase, timeline, keys, window, checks')
    .option('--json', 'print the status as JSON')
    .option('--watch', 'follow the rotation until it ends, printing each phase change')
    .option('--interval <seconds>', 'with --watch: poll interval', (v) => Number(v), 2)
    .action(async (flags: TargetFlags & { json?: boolean; watch?: boolean; interval: number }) => {
      await withClient(flags, async (client) => {
        const handle = client.workflow.getHandle(workflowIdOf(flags));
        let status = await readStatus(handle).catch((error: unknown) => {
          throw updateError(error);
        });
        if (!flags.watch) {
          console.log(flags.json ? JSON.stringify(status, null, 2) : formatStatus(status));
          return;
        }
        let shown = 0;
        for (;;) {
          for (const entry of status.timeline.slice(shown)) {
            console.log(`${entry.at}  ${entry.phase}${entry.note ? `  — ${entry.note}` : ''}`);
          }
          shown = status.timeline.length;
          if (TERMINAL_PHASES.includes(status.phase)) break;
          await new Promise((resolve) => setTimeout(resolve, flags.interval * 1000));
          status = await readStatus(handle);
        }
        console.log('');
        console.log(flags.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      });
    });

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
        const rows: string[][] = [['WORKFLOW ID', 'STATUS', 'PHASE', 'STARTED']];
        for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) {
          const phase = execution.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.RotationPhase) ?? '';
          rows.push([execution.workflowId, execution.status.name, phase, execution.startTime.toISOString()]);
          if (rows.length > flags.limit) break;
        }
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
        if (rows.length === 1) console.log('(no rotations match)');
      });
    });
}

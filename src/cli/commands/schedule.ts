/**
 * Automatic renewals from the command line:
 *
 *   certrot schedule create|describe|pause|unpause|trigger|delete
 *       the Temporal Schedule that runs the renewal sweep (default daily at 06:00 UTC,
 *       overlap SKIP: a sweep still running makes the next one wait for tomorrow, and a
 *       one-day catch-up window so a Temporal outage delays the sweep, never drops it);
 *   certrot expiring
 *       the inventory sorted by days left, from a dry-run sweep.
 *
 * Everything goes through Temporal: the CLI has no Salesforce credentials, the worker does.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowFailedError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../../domain/durations';
import type { RenewalSweepInput, RenewalSweepResult, renewalSweep } from '../../workflows/renewal-sweep';
import { addClientOptions, withClient, type ClientFlags } from '../temporal-client';

export const DEFAULT_SCHEDULE_ID = 'certrot-renewal-sweep';
export const DEFAULT_SWEEP_CRON = '0 6 * * *';
export const DEFAULT_CATCHUP_WINDOW = '1 day';

interface ScheduleFlags extends ClientFlags {
  id: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function addScheduleOptions(command: Command): Command {
  return addClientOptions(command).option('--id <scheduleId>', 'the schedule id', DEFAULT_SCHEDULE_ID);
}

async function onSchedule<T>(flags: ScheduleFlags, fn: (client: Client) => Promise<T>): Promise<T> {
  return withClient(flags, async (client) => {
    try {
      return await fn(client);
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) {
        throw new Error(`no schedule "${flags.id}"; create it with \`certrot schedule create${flags.id === DEFAULT_SCHEDULE_ID ? '' : ` --id ${flags.id}`}\``);
      }
      throw error;
    }
  });
}

function when(date: Date | undefined): string {
  return date ? date.toISOString().replace('.000Z', 'Z') : '-';
}

/** The description an operator reads: what runs when, whether it is paused, what it did last. */
export function formatSchedule(description: ScheduleDescription): string {
  const { spec, policies, state, info, action } = description;
  const times: string[] = [];
  for (const calendar of spec.calendars ?? []) times.push(`calendar ${JSON.stringify(calendar)}`);
  for (const interval of spec.intervals ?? []) times.push(`every ${interval.every} ms${interval.offset ? ` (offset ${interval.offset} ms)` : ''}`);
  const lines = [
    `Schedule ${description.scheduleId}: ${state.paused ? 'PAUSED' : 'active'}${state.note ? ` — ${state.note}` : ''}`,
    `  runs:          ${action.type === 'startWorkflow' ? `${action.workflowType} on task queue ${action.taskQueue}` : action.type}`,
    `  when:          ${times.join('; ') || '(no spec)'}${spec.timezone ? ` (${spec.timezone})` : ' (UTC)'}`,
    `  overlap:       ${policies.overlap}, catch-up window ${Math.round(policies.catchupWindow / 60_000)} min`,
    `  next runs:     ${info.nextActionTimes.slice(0, 3).map((d) => when(d)).join(', ') || '-'}`,
    `  taken so far:  ${info.numActionsTaken} (skipped for overlap: ${info.numActionsSkippedOverlap}, missed catch-up: ${info.numActionsMissedCatchupWindow})`,
    `  running now:   ${info.runningActions.map((a) => a.workflow.workflowId).join(', ') || '-'}`,
    '  recent runs:',
    ...(info.recentActions.length === 0 ? ['    (none yet)'] : info.recentActions.slice(-5).map((a) => `    ${when(a.takenAt)}  ${a.action.workflow.workflowId}`)),
  ];
  return lines.join('\n');
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The inventory sorted by days left, then what would start and what drifted. */
export function formatExpiring(result: RenewalSweepResult, options: { withinDays?: number } = {}): string {
  const rows = result.certificates
    .filter((c) => options.withinDays === undefined || (c.daysLeft !== null && c.daysLeft <= options.withinDays))
    .sort((a, b) => (a.daysLeft ?? Number.MAX_SAFE_INTEGER) - (b.daysLeft ?? Number.MAX_SAFE_INTEGER) || a.org.localeCompare(b.org) || a.uniqueName.localeCompare(b.uniqueName));
  const table = [
    ['DAYS LEFT', 'EXPIRES', 'ORG', 'CERTIFICATE', 'KEY', 'VENDOR', 'RENEW AT', 'REFS', 'DECISION'],
    ...rows.map((c) => [
      c.daysLeft === null ? '-' : String(c.daysLeft),
      c.expiresAt ? c.expiresAt.slice(0, 10) : '-',
      c.org,
      c.uniqueName,
      String(c.keySize),
      c.vendor ?? '-',
      c.renewAt ? c.renewAt.slice(0, 16).replace('T', ' ') : '-',
      String(c.references),
      c.decision.length > 90 ? `${c.decision.slice(0, 89)}…` : c.decision,
    ]),
  ];
  const out = [`Inventory at ${result.sweptAt} (dry run: nothing was started)`, '', rows.length > 0 ? pad(table) : '(no certificates)'];
  const failed = result.orgs.filter((o) => o.error !== null);
  if (failed.length > 0) out.push('', 'Orgs that could not be read:', ...failed.map((o) => `  ${o.org}: ${o.error ?? ''}`));
  if (result.started.length > 0) {
    out.push('', 'A sweep now would start:', ...result.started.map((s) => `  ${s.workflowId}  ${s.window ? `window ${s.window.start} → ${s.window.end}` : 'URGENT, on approval'}`));
  }
  if (result.drift.length > 0) out.push('', 'Reference drift (outages waiting to happen):', ...result.drift.map((f) => `  ${f.org}: ${f.detail}`));
  return out.join('\n');
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('the Temporal Schedule that runs the automatic renewal sweep');

  addScheduleOptions(schedule.command('create'))
    .description(`create the schedule (default: daily at 06:00 UTC, overlap SKIP, catch-up window ${DEFAULT_CATCHUP_WINDOW})`)
    .option('--cron <expression>', 'when to sweep, a cron expression in UTC', DEFAULT_SWEEP_CRON)
    .option('--every <duration>', 'sweep at this interval instead of --cron, e.g. "12 hours"')
    .option('--catchup-window <duration>', 'after a Temporal outage, still take sweeps missed this recently', DEFAULT_CATCHUP_WINDOW)
    .option('--org <alias>', 'sweep only this org (repeatable; default every org in the inventory)', collect)
    .option('--task-queue <name>', 'the workers\' task queue (env CERTROT_TASK_QUEUE; default certrot-rotations)')
    .option('--paused', 'create it paused')
    .option('--if-missing', 'succeed without changes when the schedule already exists (for deployment jobs)')
    .option('--note <text>', 'a note shown with the schedule')
    .action(async (flags: ScheduleFlags & { cron: string; every?: string; catchupWindow: string; org?: string[]; paused?: boolean; note?: string; ifMissing?: boolean }) => {
      const catchupMs = parseDuration(flags.catchupWindow, '--catchup-window');
      const everyMs = flags.every === undefined ? undefined : parseDuration(flags.every, '--every');
      const input: RenewalSweepInput = flags.org ? { orgs: flags.org } : {};
      await withClient(flags, async (client, settings) => {
        try {
          await client.schedule.create({
            scheduleId: flags.id,
            spec: everyMs !== undefined ? { intervals: [{ every: everyMs }] } : { cronExpressions: [flags.cron], timezone: 'UTC' },
            action: {
              type: 'startWorkflow',
              workflowType: 'renewalSweep',
              args: [input],
              taskQueue: settings.taskQueue,
              // The schedule appends the scheduled time, so each sweep has its own id.
              workflowId: flags.id,
              staticSummary: 'Automatic certificate renewals: start the rotations that are due, audit references',
            },
            policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: catchupMs },
            state: { paused: flags.paused === true, ...(flags.note ? { note: flags.note } : {}) },
          });
        } catch (error) {
          if (error instanceof ScheduleAlreadyRunning && flags.ifMissing) {
            console.log(`schedule "${flags.id}" already exists; left as it is`);
            return;
          }
          if (error instanceof ScheduleAlreadyRunning) throw new Error(`schedule "${flags.id}" already exists; see \`certrot schedule describe\`, or delete it first`);
          throw error;
        }
        console.log(`created schedule ${flags.id}: ${everyMs !== undefined ? `every ${flags.every}` : `cron "${flags.cron}" UTC`}, overlap SKIP, catch-up ${flags.catchupWindow}${flags.paused ? ' (paused)' : ''}`);
      });
    });

  addScheduleOptions(schedule.command('describe'))
    .description('show the schedule: when it runs, whether it is paused, its recent sweeps')
    .option('--json', 'print the description as JSON')
    .action(async (flags: ScheduleFlags & { json?: boolean }) => {
      await onSchedule(flags, async (client) => {
        const description = await client.schedule.getHandle(flags.id).describe();
        const { raw: _raw, ...printable } = description;
        console.log(flags.json ? JSON.stringify(printable, null, 2) : formatSchedule(description));
      });
    });

  addScheduleOptions(schedule.command('pause'))
    .description('stop sweeping until unpaused (rotations already started go on)')
    .option('--note <text>', 'why', 'paused from the certrot CLI')
    .action(async (flags: ScheduleFlags & { note: string }) => {
      await onSchedule(flags, async (client) => {
        await client.schedule.getHandle(flags.id).pause(flags.note);
        console.log(`paused schedule ${flags.id}: ${flags.note}`);
      });
    });

  addScheduleOptions(schedule.command('unpause'))
    .description('sweep again on schedule')
    .option('--note <text>', 'why', 'unpaused from the certrot CLI')
    .action(async (flags: ScheduleFlags & { note: string }) => {
      await onSchedule(flags, async (client) => {
        await client.schedule.getHandle(flags.id).unpause(flags.note);
        console.log(`unpaused schedule ${flags.id}`);
      });
    });

  addScheduleOptions(schedule.command('trigger'))
    .description('sweep now (skipped if a sweep is still running: overlap SKIP)')
    .action(async (flags: ScheduleFlags) => {
      await onSchedule(flags, async (client) => {
        await client.schedule.getHandle(flags.id).trigger(ScheduleOverlapPolicy.SKIP);
        console.log(`triggered schedule ${flags.id}; see \`certrot schedule describe\` for the sweep it started`);
      });
    });

  addScheduleOptions(schedule.command('delete'))
    .description('delete the schedule (sweeps and rotations already started go on)')
    .action(async (flags: ScheduleFlags) => {
      await onSchedule(flags, async (client) => {
        await client.schedule.getHandle(flags.id).delete();
        console.log(`deleted schedule ${flags.id}`);
      });
    });

  addClientOptions(program.command('expiring'))
    .description('list the certificates of every inventory org by days left (a dry-run sweep: starts nothing)')
    .option('--org <alias>', 'only this org (repeatable)', collect)
    .option('--within <days>', 'only certificates expiring within this many days', (v) => Number(v))
    .option('--task-queue <name>', 'the workers\' task queue (env CERTROT_TASK_QUEUE; default certrot-rotations)')
    .option('--timeout <duration>', 'give up when no worker answers within this time', '2 minutes')
    .option('--json', 'print the dry-run sweep result as JSON')
    .action(async (flags: ClientFlags & { org?: string[]; within?: number; timeout: string; json?: boolean }) => {
      const input: RenewalSweepInput = { dryRun: true, ...(flags.org ? { orgs: flags.org } : {}) };
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      await withClient(flags, async (client, settings) => {
        let result: RenewalSweepResult;
        try {
          result = await client.workflow.execute<typeof renewalSweep>('renewalSweep', {
            taskQueue: settings.taskQueue,
            workflowId: `certrot-expiring-${new Date().toISOString().replace(/[:.]/g, '-')}`,
            args: [input],
            workflowExecutionTimeout: timeoutMs,
            staticSummary: 'certrot expiring: dry-run renewal sweep',
          });
        } catch (error) {
          if (error instanceof WorkflowFailedError) {
            throw new Error(`the dry-run sweep did not finish (${error.cause?.message ?? error.message}); is a certrot worker running on task queue ${settings.taskQueue}?`);
          }
          throw error;
        }
        console.log(flags.json ? JSON.stringify(result, null, 2) : formatExpiring(result, flags.within === undefined ? {} : { withinDays: flags.within }));
      });
    });
}

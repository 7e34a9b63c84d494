/**
 * Automatic renewals from the command line:
 *
 *   certrot schedule create|update|describe|pause|unpause|trigger|delete
 *       the Temporal Schedule that runs the renewal sweep (default daily at 06:00 UTC,
 *       overlap SKIP: a sweep still running makes the next one wait for tomorrow, and a
 *       one-day catch-up window so a Temporal outage delays the sweep, never drops it);
 *       `update` changes only the settings it is given and prints each as before → after
 *       (the flags and their rendering: ../schedule-spec.ts).
 *
 * `certrot expiring` (the inventory by days left, from a dry-run sweep) is in expiring.ts.
 *
 * Everything goes through Temporal: the CLI has no Salesforce credentials, the worker does.
 */
import { isGrpcServiceError, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, ServiceError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { formatDuration, parseDuration } from '../../domain/durations';
import type { RenewalSweepInput } from '../../workflows/renewal-sweep';
import {
  applyScheduleChange,
  describeWhen,
  parseJitter,
  parseScheduleChange,
  parseSweepTimes,
  parseTimeZone,
  scheduleSettings,
  settingChanges,
  UPDATE_OPTIONS,
  type ScheduleUpdateFlags,
} from '../schedule-spec';
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

/** gRPC's status code for a request the server refuses as malformed. */
const GRPC_INVALID_ARGUMENT = 3;

/** "--time-zone" -> "timeZone", the key commander gives the option. */
function camel(option: string): keyof ScheduleUpdateFlags {
  return option.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()) as keyof ScheduleUpdateFlags;
}

function when(date: Date | undefined): string {
  return date ? date.toISOString().replace('.000Z', 'Z') : '-';
}

/** The description an operator reads: what runs when, whether it is paused, what it did last. */
export function formatSchedule(description: ScheduleDescription): string {
  const { spec, policies, state, info, action } = description;
  const lines = [
    `Schedule ${description.scheduleId}: ${state.paused ? 'PAUSED' : 'active'}${state.note ? ` — ${state.note}` : ''}`,
    `  runs:          ${action.type === 'startWorkflow' ? `${action.workflowType} on task queue ${action.taskQueue}` : action.type}`,
    `  when:          ${describeWhen(spec)} (${spec.timezone ?? 'UTC'})${spec.jitter ? `, jitter up to ${formatDuration(spec.jitter)}` : ''}`,
    `  overlap:       ${policies.overlap}, catch-up window ${Math.round(policies.catchupWindow / 60_000)} min`,
    `  next runs:     ${info.nextActionTimes.slice(0, 3).map((d) => when(d)).join(', ') || '-'}`,
    `  taken so far:  ${info.numActionsTaken} (skipped for overlap: ${info.numActionsSkippedOverlap}, missed catch-up: ${info.numActionsMissedCatchupWindow})`,
    `  running now:   ${info.runningActions.map((a) => a.workflow.workflowId).join(', ') || '-'}`,
    '  recent runs:',
    ...(info.recentActions.length === 0 ? ['    (none yet)'] : info.recentActions.slice(-5).map((a) => `    ${when(a.takenAt)}  ${a.action.workflow.workflowId}`)),
  ];
  return lines.join('\n');
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('the Temporal Schedule that runs the automatic renewal sweep');

  addScheduleOptions(schedule.command('create'))
    .description(`create the schedule (default: daily at 06:00 UTC, overlap SKIP, catch-up window ${DEFAULT_CATCHUP_WINDOW})`)
    .option('--cron <expression>', `when to sweep, a cron expression in --time-zone (default "${DEFAULT_SWEEP_CRON}")`)
    .option('--every <duration>', 'sweep at this interval instead of --cron, e.g. "12 hours"')
    .option('--time-zone <name>', 'the IANA time zone of --cron, e.g. "Europe/London" (default UTC)')
    .option('--jitter <duration>', 'delay each sweep by a random amount up to this (Temporal picks it), e.g. "30 minutes"')
    .option('--catchup-window <duration>', 'after a Temporal outage, still take sweeps missed this recently', DEFAULT_CATCHUP_WINDOW)
    .option('--org <alias>', 'sweep only this org (repeatable; default every org in the inventory)', collect)
    .option('--task-queue <name>', 'the workers\' task queue (env CERTROT_TASK_QUEUE; default certrot-rotations)')
    .option('--paused', 'create it paused')
    .option('--if-missing', 'succeed without changes when the schedule already exists (for deployment jobs)')
    .option('--note <text>', 'a note shown with the schedule')
    .action(async (flags: ScheduleFlags & { cron?: string; every?: string; timeZone?: string; jitter?: string; catchupWindow: string; org?: string[]; paused?: boolean; note?: string; ifMissing?: boolean }) => {
      const catchupMs = parseDuration(flags.catchupWindow, '--catchup-window');
      const times = parseSweepTimes(flags) ?? { cron: DEFAULT_SWEEP_CRON };
      const timeZone = flags.timeZone === undefined ? undefined : parseTimeZone(flags.timeZone);
      const jitterMs = flags.jitter === undefined ? 0 : parseJitter(flags.jitter);
      const input: RenewalSweepInput = flags.org ? { orgs: flags.org } : {};
      await withClient(flags, async (client, settings) => {
        try {
          await client.schedule.create({
            scheduleId: flags.id,
            spec: {
              ...('cron' in times ? { cronExpressions: [times.cron], timezone: timeZone ?? 'UTC' } : { intervals: [{ every: times.everyMs }], ...(timeZone ? { timezone: timeZone } : {}) }),
              ...(jitterMs > 0 ? { jitter: jitterMs } : {}),
            },
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
        const when = 'cron' in times ? `cron "${times.cron}" ${timeZone ?? 'UTC'}` : `every ${flags.every ?? ''}`;
        console.log(`created schedule ${flags.id}: ${when}${jitterMs > 0 ? `, jitter up to ${formatDuration(jitterMs)}` : ''}, overlap SKIP, catch-up ${flags.catchupWindow}${flags.paused ? ' (paused)' : ''}`);
      });
    });

  addScheduleOptions(schedule.command('update'))
    .description('change the schedule: only the settings given, the rest kept; prints each change as before → after')
    .option('--cron <expression>', 'sweep at these times instead (replaces --every), e.g. "30 7 * * 1-5"')
    .option('--every <duration>', 'sweep at this interval instead (replaces --cron), e.g. "12 hours"')
    .option('--time-zone <name>', 'the IANA time zone of the cron times, e.g. "Europe/London"')
    .option('--jitter <duration>', 'delay each sweep by a random amount up to this; "none" removes it')
    .option('--catchup-window <duration>', 'after a Temporal outage, still take sweeps missed this recently')
    .option('--org <alias>', 'sweep only these orgs (repeatable; replaces the list)', collect)
    .option('--all-orgs', 'sweep every org in the inventory again')
    .option('--task-queue <name>', 'the workers\' task queue')
    .option('--paused', 'pause it')
    .option('--unpaused', 'unpause it')
    .option('--note <text>', 'the note shown with the schedule')
    .action(async (flags: ScheduleFlags & ScheduleUpdateFlags) => {
      const change = parseScheduleChange(flags); // every option is checked before Temporal is asked
      await onSchedule(flags, async (client) => {
        const handle = client.schedule.getHandle(flags.id);
        let before: Record<string, string> = {};
        try {
          await handle.update((previous) => {
            before = scheduleSettings(previous);
            return applyScheduleChange(previous, change);
          });
        } catch (error) {
          const refused = error instanceof TypeError || (error instanceof ServiceError && isGrpcServiceError(error.cause) && Number(error.cause.code) === GRPC_INVALID_ARGUMENT);
          if (!refused) throw error;
          const given = UPDATE_OPTIONS.filter((option) => flags[camel(option)] !== undefined).join(', ');
          throw new Error(`Temporal refused the new settings of schedule "${flags.id}" (${error instanceof ServiceError && isGrpcServiceError(error.cause) ? error.cause.details : error.message}); check ${given}`);
        }
        const changes = settingChanges(before, scheduleSettings(await handle.describe()));
        console.log(changes.length > 0 ? [`updated schedule ${flags.id}:`, ...changes].join('\n') : `schedule ${flags.id} already had these settings; nothing changed`);
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
}

/**
 *   certrot expiring [--org <alias>]... [--within <days>] [--json]
 *
 * The inventory sorted by days left, from a dry-run renewal sweep run by the workers (the
 * CLI has no Salesforce credentials): the sweep's summary, joined with each org's own
 * result (its child workflow), so every certificate, skip and drift finding is printed —
 * in text (../expiring-report.ts) or whole as JSON.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../../domain/durations';
import type { OrgSweepResult } from '../../domain/renewal/sweep-result';
import type { renewalOrgSweep } from '../../workflows/renewal-org-sweep';
import type { RenewalSweepInput, RenewalSweepResult, renewalSweep } from '../../workflows/renewal-sweep';
import { completeReport, formatExpiring } from '../expiring-report';
import { addClientOptions, withClient, type ClientFlags } from '../temporal-client';
import { printableJson } from '../terminal-text';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 3650) throw new Error(`--within ${JSON.stringify(value)}: give a number of days from 0 to 3650, e.g. --within 30`);
  return n;
}

export function registerExpiringCommand(program: Command): void {
  addClientOptions(program.command('expiring'))
    .description('list the certificates of every inventory org by days left (a dry-run sweep: starts nothing)')
    .option('--org <alias>', 'only this org (repeatable)', collect)
    .option('--within <days>', 'only certificates expiring within this many days', days)
    .option('--task-queue <name>', 'the workers\' task queue (env CERTROT_TASK_QUEUE; default certrot-rotations)')
    .option('--timeout <duration>', 'give up when no worker answers within this time', '2 minutes')
    .option('--json', 'print the dry-run sweep result, with every org\'s details, as JSON')
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
        const orgs: OrgSweepResult[] = [];
        for (const org of result.orgs) {
          if (org.workflowId !== null) orgs.push(await client.workflow.getHandle<typeof renewalOrgSweep>(org.workflowId).result());
        }
        const report = completeReport(result, orgs);
        console.log(flags.json ? printableJson(report) : formatExpiring(report, flags.within === undefined ? {} : { withinDays: flags.within }));
      });
    });
}

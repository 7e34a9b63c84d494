/**
 * The operator messages from the command line: approve, reject, vendor-applied, reschedule,
 * abort, rollback and confirm-manual-steps. Each is a Temporal Update whose validator
 * answers: the command prints what the workflow did, or exits non-zero with
 * "refused: <the workflow's reason>". Text from the workflow is printed through `printable`.
 */
import type { Command } from 'commander';
import type { RotationWindow } from '../../domain/rotation';
import {
  abortUpdate,
  approveUpdate,
  confirmManualStepsUpdate,
  rejectUpdate,
  rescheduleUpdate,
  rollbackUpdate,
  vendorAppliedUpdate,
} from '../../workflows/messages';
import { CliError, sendUpdate, workflowIdOf, type TargetFlags } from '../rotation-answers';
import { addClientOptions, withClient } from '../temporal-client';
import { printable as p } from '../terminal-text';

/** Which rotation a command is about: --org + --certificate, or --workflow-id. */
export function addTargetOptions(command: Command): Command {
  return addClientOptions(command)
    .option('--org <alias>', 'the org alias (with --certificate: finds the rotation, case-insensitively)')
    .option('--certificate <uniqueName>', 'the Unique Name of the certificate being rotated')
    .option('--workflow-id <id>', 'instead of --org/--certificate: the workflow id, rotate/<org>/<certificate> in lower case');
}

export function windowOf(start?: string, end?: string): RotationWindow | undefined {
  if (start === undefined && end === undefined) return undefined;
  if (!start || !end) throw new CliError('give both --window-start and --window-end (ISO-8601, e.g. 2026-12-05T02:00:00Z)');
  return { start, end };
}

export function registerRotationMessageCommands(program: Command): void {
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

  addTargetOptions(program.command('confirm-manual-steps'))
    .description('say the acknowledged places certrot cannot switch (Apex, protected settings) now name the new certificate; clean-up may then delete the old one')
    .requiredOption('--by <name>', 'who switched them')
    .option('--note <text>', 'what was done, e.g. the deployment')
    .action(async (flags: TargetFlags & { by: string; note?: string }) => {
      const request = { by: flags.by, ...(flags.note ? { note: flags.note } : {}) };
      const result = await withClient(flags, (client) => sendUpdate(client, workflowIdOf(flags), confirmManualStepsUpdate, [request]));
      console.log(`confirmed: ${p(result.message)} (phase ${p(result.phase)})`);
    });
}

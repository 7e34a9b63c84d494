#!/usr/bin/env node
/**
 * The `certrot` command. Errors are printed as one clear line with a non-zero exit code.
 */
import { Command, CommanderError } from 'commander';
import { RotationError } from '../domain/errors';
import { registerCodecServerCommand } from './commands/codec-server';
import { registerDevServerCommand } from './commands/dev-server';
import { registerRotationCommands } from './commands/rotation';
import { registerSandboxOrgCommand } from './commands/sandbox-org';
import { registerSandboxVendorCommand } from './commands/sandbox-vendor';
import { registerExpiringCommand } from './commands/expiring';
import { registerScheduleCommands } from './commands/schedule';
import { registerTemporalBinariesCommand } from './commands/temporal-binaries';
import { registerWorkerCommand } from './commands/worker';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('certrot')
    .description('Rotate a Salesforce certificate shared with an outside vendor, as a durable Temporal workflow')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRotationCommands(program);
  registerScheduleCommands(program);
  registerExpiringCommand(program);
  registerWorkerCommand(program);
  registerDevServerCommand(program);
  registerCodecServerCommand(program);
  registerTemporalBinariesCommand(program);
  const sandbox = program.command('sandbox').description('local stand-ins for a Salesforce org and a vendor, speaking the real wire protocols');
  registerSandboxOrgCommand(sandbox);
  registerSandboxVendorCommand(sandbox);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof RotationError) {
      console.error(`certrot: ${error.code}: ${error.message}`);
      return 1;
    }
    console.error(`certrot: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}

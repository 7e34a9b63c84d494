/**
 * How the CLI reaches Temporal: flags, then CERTROT_TEMPORAL_ADDRESS / TEMPORAL_ADDRESS,
 * then the local default 127.0.0.1:7233.
 */
import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { dataConverterFromEnvIfConfigured } from '../codec/data-converter';
import { ROTATION_TASK_QUEUE } from '../domain/rotation';

export interface ClientFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

export function addClientOptions(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal frontend (env CERTROT_TEMPORAL_ADDRESS; default 127.0.0.1:7233)')
    .option('--namespace <name>', 'Temporal namespace (env CERTROT_TEMPORAL_NAMESPACE; default "default")');
}

export function clientSettings(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): { address: string; namespace: string; taskQueue: string } {
  return {
    address: flags.address ?? env.CERTROT_TEMPORAL_ADDRESS ?? env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: flags.namespace ?? env.CERTROT_TEMPORAL_NAMESPACE ?? env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: flags.taskQueue ?? env.CERTROT_TASK_QUEUE ?? ROTATION_TASK_QUEUE,
  };
}

export async function withClient<T>(flags: ClientFlags, fn: (client: Client, settings: ReturnType<typeof clientSettings>) => Promise<T>): Promise<T> {
  const settings = clientSettings(flags);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: settings.address, connectTimeout: '10 seconds' });
  } catch (error) {
    throw new Error(
      `cannot reach Temporal at ${settings.address} (${(error as Error).message}); start one with \`npm run temporal\` or pass --address`,
    );
  }
  try {
    const dataConverter = dataConverterFromEnvIfConfigured();
    return await fn(new Client({ connection, namespace: settings.namespace, ...(dataConverter ? { dataConverter } : {}) }), settings);
  } finally {
    await connection.close();
  }
}

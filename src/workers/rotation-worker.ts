/**
 * The certrot worker: configuration -> adapters -> a Temporal Worker running the rotation
 * workflows and activities. SIGINT/SIGTERM shut it down gracefully (the SDK finishes the
 * tasks in hand), after which adapter connections are released.
 */
import { readFileSync } from 'node:fs';
import { NativeConnection, Runtime, Worker, type NativeConnectionOptions } from '@temporalio/worker';
import { createAllActivities, inventoryDepsFromConfig } from '../activities';
import { dataConverterFromEnvIfConfigured, workerDataConverter } from '../codec/data-converter';
import { createAdapters, type Adapters } from './adapters';
import type { WorkerConfig } from './config';
import { workflowBundle } from './workflow-bundle';

export interface RunningWorker {
  readonly worker: Worker;
  /** Resolves when the worker has stopped and its connections are closed. */
  readonly done: Promise<void>;
  shutdown(): Promise<void>;
}

export function connectionOptions(config: WorkerConfig): NativeConnectionOptions {
  const tls = config.temporal.tls;
  return {
    address: config.temporal.address,
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
    ...(tls
      ? {
          tls: {
            clientCertPair: { crt: readFileSync(tls.clientCertificateFile), key: readFileSync(tls.clientKeyFile) },
            ...(tls.serverRootCaFile ? { serverRootCACertificate: readFileSync(tls.serverRootCaFile) } : {}),
            ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
          },
        }
      : {}),
  };
}

export async function startRotationWorker(
  config: WorkerConfig,
  options: { connection?: NativeConnection; adapters?: Adapters; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningWorker> {
  const dataConverter = dataConverterFromEnvIfConfigured(options.env ?? process.env);
  const adapters = options.adapters ?? createAdapters(config);
  const ownConnection = options.connection === undefined;
  const connection = options.connection ?? (await NativeConnection.connect(connectionOptions(config)));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: await workflowBundle(),
    // The runtime's meter: product gauges reach the Prometheus endpoint when metrics are configured.
    activities: createAllActivities({ metrics: Runtime.instance().metricMeter, ...adapters, ...inventoryDepsFromConfig(config) }),
    dataConverter: workerDataConverter(dataConverter),
  });
  const done = worker.run().finally(async () => {
    adapters.close();
    if (ownConnection) await connection.close();
  });
  return {
    worker,
    done,
    shutdown: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

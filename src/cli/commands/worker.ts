import type { Command } from 'commander';
import { loadWorkerConfig } from '../../workers/config';
import { startRotationWorker } from '../../workers/rotation-worker';
import { installTelemetry } from '../../workers/telemetry';

/** `certrot worker`: run the rotation worker until SIGINT/SIGTERM. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the certrot worker (rotation workflows and activities)')
    .option('--config <file>', 'worker configuration, YAML or JSON (env CERTROT_CONFIG)')
    .action(async (flags: { config?: string }) => {
      const file = flags.config ?? process.env.CERTROT_CONFIG;
      if (!file) throw new Error('no configuration: pass --config FILE or set CERTROT_CONFIG (see README, "Pointing certrot at a real org")');
      const config = loadWorkerConfig(file);
      const telemetry = installTelemetry(config);
      if (telemetry.metricsUrl) console.log(`certrot worker metrics (Prometheus): ${telemetry.metricsUrl}`);
      const running = await startRotationWorker(config);
      console.log(
        `certrot worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace}); ` +
          `orgs: ${Object.keys(config.orgs).join(', ')}; vendors: ${Object.keys(config.vendors).join(', ')}`,
      );
      await running.done;
      console.log('certrot worker stopped');
    });
}

/**
 * The SDK runtime's telemetry for the worker process: when the configuration asks for it, a
 * Prometheus endpoint (`/metrics`) with the SDK's own worker metrics (task latencies, slots,
 * polls, ...) and certrot's product metrics (src/domain/metrics.ts). The runtime is process-wide
 * and can be installed once, before the first connection.
 */
import { Runtime } from '@temporalio/worker';
import { METRIC_HISTOGRAM_BUCKETS } from '../domain/metrics';
import { RotationError } from '../domain/errors';
import type { WorkerConfig } from './config';

export interface InstalledTelemetry {
  /** The scrape URL, or null when metrics are off. */
  metricsUrl: string | null;
}

export function installTelemetry(config: Pick<WorkerConfig, 'metrics'>): InstalledTelemetry {
  const bindAddress = config.metrics?.prometheus.bindAddress;
  if (!bindAddress) return { metricsUrl: null };
  try {
    Runtime.install({
      telemetryOptions: {
        metrics: {
          prometheus: { bindAddress, histogramBucketOverrides: { ...METRIC_HISTOGRAM_BUCKETS } },
        },
      },
    });
  } catch (error) {
    throw new RotationError(
      'CONFIG_INVALID',
      `metrics.prometheus.bindAddress: cannot serve metrics on ${bindAddress} (${(error as Error).message}); choose a free host:port or unset it.`,
      { details: { key: 'metrics.prometheus.bindAddress' } },
    );
  }
  const [host, port] = [bindAddress.slice(0, bindAddress.lastIndexOf(':')), bindAddress.slice(bindAddress.lastIndexOf(':') + 1)];
  const shown = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  return { metricsUrl: `http://${shown}:${port}/metrics` };
}

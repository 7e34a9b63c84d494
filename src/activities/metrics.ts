/**
 * Product metrics recorded from activities. Certificate gauges go to the worker's own metric
 * meter (the SDK runtime's, handed in as `ActivityDeps.metrics`), not to the activity context's:
 * that one tags every series with the activity type and task queue, which would split one
 * certificate's days-until-expiry into a series per activity that happened to look at it.
 * Without a meter (unit tests, a worker with metrics off) nothing is recorded.
 */
import type { MetricMeter } from '@temporalio/common';
import { observeCertificateExpiry } from '../domain/metrics';

/** Sets the certificate's days-until-expiry gauge (and when it was observed). */
export function recordCertificateExpiry(
  meter: MetricMeter | undefined,
  org: string,
  certificate: string,
  expiresAt: string | null,
  now: Date,
): void {
  if (meter) observeCertificateExpiry(meter, org, certificate, expiresAt, now);
}

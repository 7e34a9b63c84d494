/**
 * certrot's product metrics: names, units and tags in one place. They are emitted through the
 * Temporal SDK's metric meter — `metricMeter` from @temporalio/workflow in workflow code (which
 * emits nothing while a workflow replays, so a count is never doubled by a worker restart) and
 * the activity context's meter in activities — and so reach the same Prometheus endpoint as the
 * SDK runtime's own metrics (see `metrics` in the worker configuration and the README section
 * "Metrics").
 *
 * Tags carry names (org alias, certificate, vendor, strategy, phase, outcome), never a secret.
 * This file is imported by workflow code: it touches no Node API.
 */
import type { MetricMeter } from '@temporalio/common';
import type { Outcome, Phase, Strategy } from './rotation';

export const METRIC_NAMES = {
  /** Counter: rotations that reached an outcome, tagged outcome/strategy/org/vendor. */
  rotations: 'certrot_rotations',
  /** Histogram (ms of workflow time): how long a rotation stayed in a phase, tagged phase/strategy/org. */
  phaseDuration: 'certrot_rotation_phase_duration',
  /** Histogram (ms): measured time between the first and the second side switching, tagged strategy/org/vendor. */
  mismatchWindow: 'certrot_rotation_mismatch_window',
  /** Gauge (days, float): days until the certificate's notAfter when last observed, tagged org/certificate. */
  daysUntilExpiry: 'certrot_certificate_days_until_expiry',
  /** Gauge (Unix seconds): when the certificate was last observed, tagged org/certificate. */
  certificateObservedAt: 'certrot_certificate_observed_timestamp',
} as const;

/** Histogram buckets (ms) for the Prometheus exporter; phases last from milliseconds to weeks. */
export const METRIC_HISTOGRAM_BUCKETS: Readonly<Record<string, number[]>> = {
  [METRIC_NAMES.phaseDuration]: [100, 1_000, 10_000, 60_000, 600_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000, 2_592_000_000],
  [METRIC_NAMES.mismatchWindow]: [0, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000, 30_000, 300_000],
};

const DAY_MS = 86_400_000;

export interface RotationMetricTags {
  org: string;
  vendor: string;
  strategy: Strategy;
}

/** The workflow-side instruments of one rotation. */
export interface RotationMetrics {
  phaseEnded(phase: Phase, durationMs: number): void;
  outcome(outcome: Outcome): void;
  mismatchWindow(ms: number): void;
}

export function rotationMetrics(meter: MetricMeter, tags: RotationMetricTags): RotationMetrics {
  const rotations = meter.createCounter(METRIC_NAMES.rotations, 'rotations', 'Rotations that reached an outcome');
  const phases = meter.createHistogram(METRIC_NAMES.phaseDuration, 'int', 'ms', 'Time a rotation spent in each phase (workflow time)');
  const mismatch = meter.createHistogram(
    METRIC_NAMES.mismatchWindow,
    'int',
    'ms',
    'Measured time between the first and the second side of a rotation switching to the new key',
  );
  return {
    phaseEnded(phase, durationMs) {
      phases.record(Math.max(0, Math.round(durationMs)), { phase, strategy: tags.strategy, org: tags.org });
    },
    outcome(outcome) {
      rotations.add(1, { outcome, strategy: tags.strategy, org: tags.org, vendor: tags.vendor });
    },
    mismatchWindow(ms) {
      mismatch.record(Math.max(0, Math.round(ms)), { strategy: tags.strategy, org: tags.org, vendor: tags.vendor });
    },
  };
}

/** Days from `now` until `expiresAt` (negative once expired); null when the date is unknown. */
export function daysUntil(expiresAt: string | null, now: Date): number | null {
  if (expiresAt === null) return null;
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return null;
  return (at - now.getTime()) / DAY_MS;
}

/** Records what is known of a certificate's expiry; does nothing for an unknown date. */
export function observeCertificateExpiry(meter: MetricMeter, org: string, certificate: string, expiresAt: string | null, now: Date): void {
  const days = daysUntil(expiresAt, now);
  if (days === null) return;
  const tags = { org, certificate };
  meter.createGauge(METRIC_NAMES.daysUntilExpiry, 'float', 'days', 'Days until the certificate expires, as of its last observation').set(days, tags);
  meter
    .createGauge(METRIC_NAMES.certificateObservedAt, 'int', 's', 'When certrot last observed the certificate (Unix seconds)')
    .set(Math.floor(now.getTime() / 1000), tags);
}

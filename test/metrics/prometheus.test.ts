/**
 * The worker's Prometheus endpoint, scraped for real: the SDK runtime is installed the way
 * `certrot worker` installs it (src/workers/telemetry.ts), rotations run on the time-skipping
 * server with the real adapters, and the scrape must show the product metrics with the values
 * the rotations themselves report — plus the SDK's own worker metrics on the same endpoint.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import { createInventoryActivities } from '../../src/activities/inventory-activities';
import type { OrgInventory } from '../../src/domain/renewal/inventory-contract';
import { salesforceLifetimeDays } from '../../src/domain/certificate-lifetime';
import { parseInventoryConfig } from '../../src/domain/inventory-config';
import { METRIC_NAMES } from '../../src/domain/metrics';
import type { Phase, RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, WORLD_ORGS } from '../../src/sandbox/world';
import { createAdapters } from '../../src/workers/adapters';
import { installTelemetry } from '../../src/workers/telemetry';
import { approveUpdate, rejectSignal } from '../../src/workflows/messages';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';

/** A free loopback port: bind to 0, read it, release it. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (enough of it for these assertions). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function pick(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function single(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = pick(samples, name, labels);
  assert.equal(found.length, 1, `exactly one ${name}${JSON.stringify(labels)}; found ${found.length}: ${JSON.stringify(found)}`);
  return found[0]!.value;
}

let metricsUrl = '';
// Installed before the harness connects, exactly as `certrot worker` does with metrics configured.
before(async () => {
  const port = await freePort();
  const telemetry = installTelemetry({ metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } });
  assert.equal(telemetry.metricsUrl, `http://127.0.0.1:${port}/metrics`);
  metricsUrl = telemetry.metricsUrl;
});

async function scrape(): Promise<Sample[]> {
  const response = await fetch(metricsUrl);
  assert.equal(response.status, 200);
  return parseExposition(await response.text());
}

describe('metrics on the worker Prometheus endpoint', () => {
  const harness = useRotationHarness();
  const ORG = WORLD_ORGS.singleKey;

  it('counts outcomes, times phases, records the mismatch window and the days until expiry', async () => {
    const world = await harness.world();
    // As startRotationWorker does: activities get the runtime's meter for the certificate gauges.
    const { taskQueue } = await harness.worker(world, { ...createAdapters(world.config), metrics: Runtime.instance().metricMeter });
    const before = await world.salesforce.getCertificate(DEMO_CERTIFICATE);

    // One rotation to completion ...
    const handle = await harness.start(taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'simultaneous' });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    const completed = (await handle.result()) as RotationStatus;
    assert.equal(completed.outcome, 'completed');

    // ... and one rejected, in a second world (the first one's certificate is gone).
    const other = await harness.world();
    const second = await harness.worker(other, { ...createAdapters(other.config), metrics: Runtime.instance().metricMeter });
    const rejected = await harness.start(second.taskQueue, { org: ORG.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'simultaneous' });
    await waitForPhase(rejected, 'awaiting-approval');
    await rejected.signal(rejectSignal, { approver: 'vendor-team', reason: 'not this week' });
    assert.equal(((await rejected.result()) as RotationStatus).outcome, 'rolled-back');

    const samples = await scrape();
    const tags = { org: ORG.alias, strategy: 'simultaneous', vendor: 'acme' };
    // Every task of these workflows was replayed (the harness caches no workflow), yet each
    // outcome counts once: workflow metrics are not emitted during replay.
    assert.equal(single(samples, METRIC_NAMES.rotations, { ...tags, outcome: 'completed' }), 1);
    assert.equal(single(samples, METRIC_NAMES.rotations, { ...tags, outcome: 'rolled-back' }), 1);
    assert.equal(pick(samples, METRIC_NAMES.rotations, { outcome: 'failed' }).length, 0);

    // Mismatch window: one observation (the rejected rotation never applied), equal to what the rotation reported.
    assert.equal(single(samples, `${METRIC_NAMES.mismatchWindow}_count`, tags), 1);
    assert.equal(single(samples, `${METRIC_NAMES.mismatchWindow}_sum`, tags), completed.mismatchWindowMs);

    // Phase durations: one observation per phase the completed rotation left (its worker's
    // task queue tells it from the rejected one), each as long as its timeline says.
    const phaseTags = (phase: Phase): Record<string, string> => ({ phase, strategy: 'simultaneous', org: ORG.alias, taskQueue });
    // One entry per phase entered (notes within a phase are timeline entries too).
    const timeline = completed.timeline.filter((entry, i, all) => i === 0 || all[i - 1]!.phase !== entry.phase);
    for (let i = 0; i < timeline.length - 1; i++) {
      const phase = timeline[i]!.phase;
      assert.equal(single(samples, `${METRIC_NAMES.phaseDuration}_count`, phaseTags(phase)), 1, `phase ${phase}`);
      assert.equal(single(samples, `${METRIC_NAMES.phaseDuration}_sum`, phaseTags(phase)), Date.parse(timeline[i + 1]!.at) - Date.parse(timeline[i]!.at), `phase ${phase}`);
    }
    assert.equal(pick(samples, `${METRIC_NAMES.phaseDuration}_count`, phaseTags('completed')).length, 0, 'the final phase is never left');
    // The grace period is waited in workflow time: skipped by the test server, yet recorded at its full length.
    assert.ok(single(samples, `${METRIC_NAMES.phaseDuration}_sum`, phaseTags('grace-period')) >= 60_000, 'grace period length');
    assert.equal(single(samples, `${METRIC_NAMES.phaseDuration}_count`, { phase: 'awaiting-approval', taskQueue: second.taskQueue }), 1);

    // Days until expiry, for the old certificate (backup) and the new one (generation).
    const oldDays = single(samples, METRIC_NAMES.daysUntilExpiry, { org: ORG.alias, certificate: DEMO_CERTIFICATE });
    assert.ok(Math.abs(oldDays - (Date.parse(before.expiresAt!) - Date.now()) / 86_400_000) < 0.01, `old certificate: ${oldDays} days`);
    const newDays = single(samples, METRIC_NAMES.daysUntilExpiry, { org: ORG.alias, certificate: completed.newCertificate!.uniqueName });
    assert.ok(Math.abs(newDays - (Date.parse(completed.newCertificate!.expiresAt!) - Date.now()) / 86_400_000) < 0.01, `new certificate: ${newDays} days`);
    // As long as Salesforce lets a certificate created today live (CA/Browser Forum schedule, e.g. 200 days in 2026).
    const lifetime = salesforceLifetimeDays(2048, new Date());
    assert.ok(newDays > lifetime - 2 && newDays <= lifetime + 1, `a fresh 2048-bit self-signed certificate lives ${lifetime} days (${newDays})`);
    const observed = single(samples, METRIC_NAMES.certificateObservedAt, { org: ORG.alias, certificate: DEMO_CERTIFICATE });
    assert.ok(Math.abs(observed - Date.now() / 1000) < 600);

    // The SDK runtime's own worker metrics come from the same endpoint.
    assert.ok(pick(samples, 'temporal_workflow_completed', { task_queue: taskQueue }).length > 0, 'SDK workflow metrics');
    assert.ok(pick(samples, 'temporal_activity_execution_latency_count', { task_queue: taskQueue, activity_type: 'backUpCertificate' }).length > 0, 'SDK activity metrics');
  });
});

describe('days until expiry from the inventory', () => {
  const harness = useRotationHarness();

  it('sets a gauge for every certificate of the org, as of the inventory clock', async () => {
    const world = await harness.world();
    const adapters = createAdapters(world.config);
    const now = new Date('2026-06-01T00:00:00Z');
    const recorded: { name: string; value: number; tags: MetricTags }[] = [];
    const meter: MetricMeter = {
      createCounter: () => assert.fail('no counter expected'),
      createHistogram: () => assert.fail('no histogram expected'),
      createGauge: (name) =>
        ({
          name,
          kind: 'gauge',
          valueType: 'float',
          set: (value: number, tags: MetricTags = {}) => void recorded.push({ name, value, tags }),
          withTags: () => assert.fail('unused'),
        }) as unknown as ReturnType<MetricMeter['createGauge']>,
      withTags: () => meter,
    };
    try {
      const activities = createInventoryActivities({ ...adapters, metrics: meter, inventory: parseInventoryConfig({ orgs: { [WORLD_ORGS.singleKey.alias]: { integrations: [{ certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'simultaneous', approvers: ['vendor-team'], window: 'daily 02:00-04:00 UTC' }] } } }), alerts: null, clock: () => now });
      const inventory: OrgInventory = await new MockActivityEnvironment().run((input: { org: string }) => activities.inventoryOrg(input), { org: WORLD_ORGS.singleKey.alias });
      const dated = inventory.certificates.filter((c) => c.expiresAt !== null);
      assert.ok(dated.length >= 2, 'the sandbox org has several certificates');
      const days = recorded.filter((r) => r.name === METRIC_NAMES.daysUntilExpiry);
      assert.deepEqual(
        days.map((r) => r.tags.certificate).sort(),
        dated.map((c) => c.uniqueName).sort(),
      );
      for (const c of dated) {
        const gauge = days.find((r) => r.tags.certificate === c.uniqueName)!;
        assert.equal(gauge.tags.org, WORLD_ORGS.singleKey.alias);
        assert.equal(gauge.value, (Date.parse(c.expiresAt!) - now.getTime()) / 86_400_000);
      }
    } finally {
      adapters.close();
    }
  });
});

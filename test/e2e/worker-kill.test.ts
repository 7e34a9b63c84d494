/**
 * A worker dies (SIGKILL) in the middle of the switch and the rotation finishes on another.
 *
 * Two `certrot worker` processes poll the same task queue with the same sandbox
 * configuration, against a dev server; the sandbox org answers reference updates slowly, so
 * `switchBothSides` takes several seconds. Once the rotation is applying and the activity
 * has started and heartbeated its progress, the worker holding it (the workflow's pending
 * activity names it) is killed. The activity's heartbeat times out, the next attempt runs on
 * the surviving worker from the heartbeated progress, and the rotation completes.
 *
 * Timings (recovery, mismatch window) are printed, never asserted: only behaviour is.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { RotationStatus } from '../../src/domain/rotation';
import { HttpVendorRegistry } from '../../src/vendors/http-registry';
import {
  certrotBin,
  processGroup,
  runCommand,
  sandboxOrgState,
  setSandboxFaults,
  sleep,
  startRotationWorld,
  storedNames,
  type Proc,
  type RotationWorld,
} from '../support/processes';

const group = processGroup();
const CERTIFICATE = 'Vendor_Signing';
const WORKFLOW_ID = 'rotate/demo/vendor_signing';
const VENDOR_ORG_ID = 'demo-single-key';
/** Per call: with 5 record references (a query and an update each) and a named credential, the switch takes well over 15 s. */
const LATENCY_MS = 3_000;

const EventType = temporal.api.enums.v1.EventType;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

type Timestamp = { seconds?: { toNumber(): number } | number | string | null; nanos?: number | null } | null | undefined;

function msOf(timestamp: Timestamp): number {
  if (!timestamp) return Number.NaN;
  const seconds = timestamp.seconds;
  const whole = typeof seconds === 'object' && seconds !== null ? seconds.toNumber() : Number(seconds ?? 0);
  return whole * 1000 + (timestamp.nanos ?? 0) / 1e6;
}

describe('a worker killed during the switch', () => {
  let dir = '';
  let world: RotationWorld;
  let connection: Connection | undefined;

  function cli(...args: string[]): Promise<{ code: number; out: string; stdout: string }> {
    return runCommand(certrotBin, args, world.env);
  }

  async function status(): Promise<RotationStatus> {
    const result = await cli('status', '--workflow-id', WORKFLOW_ID, '--json');
    assert.equal(result.code, 0, result.out);
    return JSON.parse(result.stdout) as RotationStatus;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certrot-worker-kill-'));
    world = await startRotationWorld(group, dir);
  });

  after(async () => {
    try {
      await connection?.close();
    } finally {
      await group.stopAll();
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  it('completes the rotation on the other worker, every reference and the vendor on the new key', async () => {
    // Two workers, separate processes, one task queue. Their identity is the SDK's default, <pid>@<host>.
    const workers: Proc[] = [group.start(['worker', '--config', world.workerConfig], world.env), group.start(['worker', '--config', world.workerConfig], world.env)];
    await Promise.all(workers.map((w) => w.waitFor(/certrot worker polling task queue "certrot-rotations"/)));
    const workerOf = (identity: string): Proc | undefined => workers.find((w) => identity.startsWith(`${w.child.pid}@`));

    connection = await Connection.connect({ address: world.address });
    const client = new Client({ connection });
    const handle = client.workflow.getHandle(WORKFLOW_ID);

    const before = await sandboxOrgState(world.orgUrl);
    const referencesBefore = storedNames(before, [CERTIFICATE]);
    assert.ok(referencesBefore.size >= 5, `the demo org stores ${CERTIFICATE} in several places: ${[...referencesBefore.keys()].join(', ')}`);

    // Discovery finds the custom settings and the named credential; the custom object is named.
    const started = await cli(
      'rotate', '--org', 'demo', '--certificate', CERTIFICATE, '--vendor', 'acme', '--strategy', 'simultaneous', '--grace-period', '3 seconds',
      '--discover', '--target', 'Integration_Credential__c.Certificate_Name__c:custom-object',
    );
    assert.equal(started.code, 0, started.out);
    assert.match(started.out, /started rotation rotate\/demo\/vendor_signing/);

    let current = await status();
    for (let i = 0; i < 240 && current.phase !== 'awaiting-approval' && current.outcome === null; i++) {
      await sleep(250);
      current = await status();
    }
    assert.equal(current.phase, 'awaiting-approval', JSON.stringify(current.timeline));
    assert.equal(current.referencesFound.length, referencesBefore.size, 'the rotation found every reference');
    const newName = current.newCertificate!.uniqueName;
    const newKey = current.newCertificate!.spkiFingerprint;

    // Slow reference updates from here on: the switch takes several seconds.
    await setSandboxFaults(world.orgUrl, [
      { operation: 'rest.composite', kind: 'latency', latencyMs: LATENCY_MS },
      // the records flip in one request; the named credentials' updates hold the switch open long enough to kill it
      { operation: 'metadata.updateMetadata', kind: 'latency', latencyMs: LATENCY_MS * 7 },
    ]);
    const approved = await cli('approve', '--workflow-id', WORKFLOW_ID, '--approver', 'acme', '--fingerprint', newKey);
    assert.equal(approved.code, 0, approved.out);
    assert.match(approved.out, /approved; window/);

    // Wait until switchBothSides runs, has heartbeated, and has switched at least one reference.
    let holder: Proc | undefined;
    let holderIdentity = '';
    for (let i = 0; i < 600 && !holder; i++) {
      const description = await handle.describe();
      const pending = (description.raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'switchBothSides');
      if (pending?.state === STARTED && pending.lastWorkerIdentity && pending.heartbeatDetails?.payloads?.length) {
        const switched = storedNames(await sandboxOrgState(world.orgUrl), [newName]).size;
        if (switched > 0) {
          holderIdentity = pending.lastWorkerIdentity;
          holder = workerOf(holderIdentity);
          assert.ok(holder, `the activity runs on ${holderIdentity}, one of our workers (${workers.map((w) => w.child.pid).join(', ')})`);
          console.log(`switchBothSides attempt ${pending.attempt} runs on ${holderIdentity}; ${switched} of ${referencesBefore.size} references switched; killing it`);
        }
      }
      if (!holder) await sleep(200);
    }
    assert.ok(holder, 'switchBothSides started and heartbeated');
    assert.equal((await status()).phase, 'applying');

    const killedAt = Date.now();
    await group.stop(holder, 'SIGKILL');
    assert.equal(holder.child.signalCode, 'SIGKILL');
    const survivor = workers.find((w) => w !== holder)!;
    // The rest of the switch runs at normal speed, so the recovery measured is the takeover itself.
    await setSandboxFaults(world.orgUrl, []);

    let final = await status();
    for (let i = 0; i < 900 && final.outcome === null; i++) {
      await sleep(250);
      final = await status();
    }
    assert.equal(final.outcome, 'completed', `${JSON.stringify(final.timeline, null, 1)}\nerrors: ${final.errors.join('; ')}\nsurvivor:\n${survivor.out().slice(-3000)}`);
    assert.equal(final.phase, 'completed');
    assert.equal(final.newCertificate?.uniqueName, newName);

    // History: the attempt that completed ran on the surviving worker, after the kill.
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'switchBothSides');
    assert.ok(scheduled.length >= 1, 'switchBothSides was scheduled');
    const forward = scheduled[0]!;
    const forwardId = Number(forward.eventId);
    const startedEvent = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === forwardId);
    const completedEvent = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === forwardId);
    assert.ok(startedEvent && completedEvent, 'the switch completed');
    const attempt = startedEvent.activityTaskStartedEventAttributes!.attempt ?? 0;
    const identity = startedEvent.activityTaskStartedEventAttributes!.identity ?? '';
    assert.ok(attempt >= 2, `the completing attempt is a retry (attempt ${attempt})`);
    assert.equal(workerOf(identity), survivor, `the completing attempt ran on the surviving worker (${identity}), not the killed one (${holderIdentity})`);
    assert.ok(!events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED), 'no activity failed');

    const retryStartedAt = msOf(startedEvent.eventTime);
    const completedAt = msOf(completedEvent.eventTime);
    console.log(
      `recovery: killed at ${new Date(killedAt).toISOString()}; attempt ${attempt} started on ${identity} ${((retryStartedAt - killedAt) / 1000).toFixed(1)} s later ` +
        `and completed ${((completedAt - killedAt) / 1000).toFixed(1)} s after the kill`,
    );
    console.log(`mismatch window reported by the rotation: ${final.mismatchWindowMs ?? 'none'} ms`);

    // The org: every reference names the new certificate; exactly one certificate was created.
    const afterwards = await sandboxOrgState(world.orgUrl);
    assert.equal(storedNames(afterwards, [CERTIFICATE]).size, 0, `no reference names ${CERTIFICATE} any more: ${[...storedNames(afterwards, [CERTIFICATE]).keys()].join(', ')}`);
    const nowNaming = storedNames(afterwards, [newName]);
    assert.deepEqual([...nowNaming.keys()].sort(), [...referencesBefore.keys()].sort(), 'every reference that named the old certificate names the new one');
    for (const value of nowNaming.values()) assert.equal(value, newName);
    assert.equal(final.referencesChanged.length, referencesBefore.size);
    assert.equal(final.conflicts.length, 0);
    const knownIds = new Set(before.certificates.map((c) => c.id));
    const created = afterwards.certificates.filter((c) => !knownIds.has(c.id));
    assert.deepEqual(created.map((c) => c.uniqueName), [newName], 'exactly one new certificate was created');
    assert.equal(created[0]!.deleted, false);
    assert.ok(afterwards.certificates.find((c) => c.uniqueName === CERTIFICATE)?.deleted, 'the old certificate was cleaned up');

    // The vendor trusts the new key, and only it.
    const registry = new HttpVendorRegistry({ baseUrl: world.vendorUrl, bearerToken: world.vendorToken });
    const active = (await registry.listKeys(VENDOR_ORG_ID)).filter((k) => k.state === 'active').map((k) => k.fingerprint);
    assert.deepEqual(active, [newKey], 'the vendor trusts the new key');

    assert.equal(survivor.child.exitCode, null, 'the surviving worker is still running');
  });
});

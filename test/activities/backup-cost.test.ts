/**
 * A rotation's Salesforce cost must not grow with the org: backing up one certificate, and
 * verifying and deleting it, make the same calls and read the same rows whether the org
 * holds 1 or 50 other certificates, each named by a row of a custom setting. Counted by the
 * sandbox (its DailyApiRequests counter) and at the wire (rows in query answers, bytes of
 * every answer); no timing. Also: the sandbox's key pool for benchmarks still makes every
 * new certificate's key its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../src/activities/rotation-activities';
import type { RotationActivities } from '../../src/domain/activity-contract';
import { FLEET_FIELD, FLEET_SETTING, fleetCertificate, withFleet } from '../../bench/lib/fleet-world';
import { loadDemoFixture, startDemoOrg, type DemoOrg } from '../salesforce/support';

interface Cost {
  calls: number;
  rows: number;
  bytes: number;
}

/** Salesforce requests of `run`: counted by the sandbox (calls) and at the wire (query rows, answer bytes). */
async function costOf(org: DemoOrg, run: () => Promise<unknown>): Promise<Cost> {
  const used = async () => ((await (await fetch(`${org.sandbox.url}/__sandbox/limits`)).json()) as { dailyApiRequests: { used: number } }).dailyApiRequests.used;
  const before = await used();
  const original = globalThis.fetch;
  let rows = 0;
  let bytes = 0;
  globalThis.fetch = async (input, init) => {
    const response = await original(input, init);
    const text = await response.clone().text();
    bytes += text.length;
    if (text.startsWith('{')) {
      const body = JSON.parse(text) as { records?: unknown[] };
      rows += body.records?.length ?? 0;
    }
    return response;
  };
  try {
    await new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(run);
  } finally {
    globalThis.fetch = original;
  }
  return { calls: (await used()) - before, rows, bytes };
}

async function fleetOrg(size: number): Promise<{ org: DemoOrg; activities: RotationActivities }> {
  // one key pair for every fixture certificate: loading 50 stays quick (the cost counted is certrot's)
  const org = await startDemoOrg({ fixture: withFleet(await loadDemoFixture(), size, { shareFixtureKeyMaterial: true }) });
  const activities = createActivities({ orgs: new Map([['fleet', { org: org.adapter(), vendorOrgId: 'fleet' }]]), vendors: new Map() });
  return { org, activities };
}

describe('a rotation reads only its own certificate and the rows naming it', () => {
  const orgs: DemoOrg[] = [];
  const costs = new Map<number, { backup: Cost; remove: Cost }>();
  const certificate = fleetCertificate(0);

  before(async () => {
    for (const size of [1, 50]) {
      const { org, activities } = await fleetOrg(size);
      orgs.push(org);
      await activities.preflight({ org: 'fleet', vendor: 'none', strategy: 'simultaneous', certificate, newUniqueName: null }).catch(() => undefined); // logs in
      let backedUp: Awaited<ReturnType<RotationActivities['backUpCertificate']>> | undefined;
      const backup = await costOf(org, async () => {
        backedUp = await activities.backUpCertificate({ org: 'fleet', certificate, discover: true, targets: [] });
      });
      assert.ok(backedUp);
      const setting = backedUp.targets.find((t) => t.object === FLEET_SETTING && t.field === FLEET_FIELD);
      assert.ok(setting, `discovery finds ${FLEET_SETTING}.${FLEET_FIELD} in an org of ${size}`);
      assert.deepEqual(
        backedUp.references.filter((r) => r.object === FLEET_SETTING).map((r) => r.value),
        [certificate],
        'exactly the one row naming the certificate',
      );
      const other = fleetCertificate(size - 1);
      const details = await org.adapter().getCertificate(other);
      const remove = await costOf(org, () => activities.deleteCertificate({ org: 'fleet', uniqueName: other, fingerprint: details.fingerprintSha256 ?? '' }));
      costs.set(size, { backup, remove });
    }
  });
  after(async () => {
    for (const org of orgs) await org.close();
  });

  it('backing up one certificate costs the same calls, rows and bytes with 1 or 50 certificates in the org', () => {
    const [small, large] = [costs.get(1)?.backup, costs.get(50)?.backup];
    assert.ok(small && large);
    assert.equal(large.calls, small.calls, 'Salesforce calls');
    assert.equal(large.rows, small.rows, 'rows in query answers');
    assert.equal(large.bytes, small.bytes, 'bytes of every answer');
  });

  it('deleting one certificate costs the same with 1 or 50 certificates in the org', () => {
    const [small, large] = [costs.get(1)?.remove, costs.get(50)?.remove];
    assert.ok(small && large);
    assert.equal(large.calls, small.calls, 'Salesforce calls');
    assert.equal(large.bytes, small.bytes, 'bytes of every answer');
  });
});

describe('the sandbox key pool (behaviour.pregeneratedKeys, a benchmark-speed switch)', () => {
  it('still gives every created certificate a key of its own, also once the pool is empty', async () => {
    const demo = await loadDemoFixture();
    const org = await startDemoOrg({ fixture: { ...demo, behaviour: { ...(demo.behaviour as Record<string, unknown> | undefined), pregeneratedKeys: 2 } } });
    try {
      const adapter = org.adapter();
      const keys = new Set<string>();
      for (const name of ['Pooled_1', 'Pooled_2', 'Pooled_3']) {
        const made = await adapter.createCertificate({ uniqueName: name, label: name, keySize: 2048, caSigned: false, privateKeyExportable: false });
        keys.add(made.spkiFingerprintSha256);
      }
      const existing = await adapter.getCertificate('Vendor_Signing');
      assert.equal(keys.size, 3, 'three certificates, three keys');
      assert.ok(!keys.has(existing.spkiFingerprintSha256), 'none is a fixture certificate key');
    } finally {
      await org.close();
    }
  });
});

// test-timeout-minutes: 15
/**
 * A renewal sweep over a fleet: 500 sandbox orgs of 20 certificates each (10,000), every org
 * with one inventory integration (a certificatePattern, a daily window) and a custom object
 * or a hierarchy custom setting naming some of its certificates. Most orgs have nothing due;
 * five have six due and a budget of two (maxActiveRotations).
 *
 * The sweep (issue #14, item 4) stays at ONE inventory per org, costing each org the flat
 * number of Salesforce API calls the formula in src/activities/inventory-activities.ts gives
 * for its shape (read from each sandbox org's DailyApiRequests counter, before and after);
 * starts exactly the budget in each busy org, in window order, and queues the rest
 * (over-budget); and keeps its own history bounded: per-org summaries, details truncated,
 * continue-as-new, no event payload near Temporal's limits.
 *
 * Speed: the orgs share their generated key material (`behaviour.shareFixtureKeyMaterial`,
 * FIXTURE.md) — 10 distinct certificate ages, so 10 RSA keys are really made, not 10,000,
 * and one JWT key for the 500 connected apps — and the vendor is told about the certificates
 * of the busy orgs only (`seedVendor`). Durations are printed, never asserted.
 *
 * The counters: each org's is read before the sweep, as its `inventoryOrg` returns (the
 * harness's `afterActivity`: the inventory alone, before the org's rotations can start) and
 * after the sweep (the quiet orgs: nothing else called).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { MAX_SWEEP_DETAILS, type OrgSweepResult } from '../../src/domain/renewal/sweep-result';
import type { renewalOrgSweep } from '../../src/workflows/renewal-org-sweep';
import type { renewalSweep } from '../../src/workflows/renewal-sweep';
import { waitForPhase } from '../support/rotation-harness';
import { APPROVER, madeAgo, useRenewalHarness, type OrgSpec } from './support';

const ORGS = 500;
const CERTIFICATES_PER_ORG = 20;
/** Org indexes with six certificates due (all of the custom-object shape, see `shapeOf`). */
const BUSY = [4, 102, 248, 376, 496];
const BUDGET = 2;
/** Parts of their lifetime the due certificates of a busy org have used (certificates 00..05): due from two thirds. */
const DUE_USED = [0.7, 0.74, 0.78, 0.82, 0.86, 0.9];
/** The not-due certificates cycle through these (so the fleet has 6 + 4 distinct certificate ages). */
const NOT_DUE_USED = [0.05, 0.2, 0.35, 0.5];
/**
 * Temporal refuses a payload over 2 MB (and warns from 512 KB); no event of the sweep's — its
 * own runs' or an org's — may come near: a bound that does not grow with the fleet (#15).
 */
const MAX_EVENT_BYTES = 256 * 1024;
/**
 * A run's history: it continues as new after 2,000 events (renewal-sweep.ts), each child a few
 * events of at most a lean result past the first orgs (#15: measured 0.63 MB and 0.52 MB at 500
 * orgs; before, 3.2 MB runs cut by the 3 MB rule, each reading the 213 KB configuration).
 */
const MAX_RUN_BYTES = 1_500_000;
const WINDOW = 'daily 02:00-04:00 UTC';

type Shape = 'custom-object' | 'hierarchy-setting';

const aliasOf = (i: number): string => `org${String(i).padStart(3, '0')}`;
const prefixOf = (i: number): string => `Org${String(i).padStart(3, '0')}`;
const certName = (i: number, c: number): string => `${prefixOf(i)}_Cert_${String(c).padStart(2, '0')}`;
const id = (prefix: string, i: number): string => `${prefix}F${String(i).padStart(11, '0')}AAA`;
/** Even orgs keep certificate names in a custom object, odd ones in a hierarchy custom setting. */
const shapeOf = (i: number): Shape => (i % 2 === 0 ? 'custom-object' : 'hierarchy-setting');

const TARGETS: Record<Shape, { object: string; field: string; kind: Shape }> = {
  'custom-object': { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
  'hierarchy-setting': { object: 'acme__Gateway__c', field: 'acme__Certificate__c', kind: 'hierarchy-setting' },
};

/**
 * Salesforce API calls of one `inventoryOrg` (the header of src/activities/inventory-activities.ts)
 * for these orgs: one configured target (no discovery: S = 0), no named credential (N = 0),
 * 20 usable certificates (U = 20).
 */
function inventoryCalls(shape: Shape): Record<string, number> {
  return {
    // listCertificatesWithDeleted: the Tooling query and listMetadata(Certificate)
    list: 2,
    // O: one describe per target object
    describePerTargetObject: 1,
    // C: one query for the (configured, so certificate) field, every value at once; F = 0
    queryPerCertificateField: 1,
    // named credentials: listMetadata(NamedCredential) (1); none to read (⌈0/10⌉ = 0)
    listNamedCredentials: 1,
    // owner names: the hierarchy setting's profile override (Profile) and user override (User); a custom object's records have none
    ownerNames: shape === 'hierarchy-setting' ? 2 : 0,
    // readValidity: ⌈U/10⌉ = ⌈20/10⌉
    readValidity: Math.ceil(CERTIFICATES_PER_ORG / 10),
  };
}
const sum = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);

function fixtureOf(i: number, shape: Shape): Record<string, unknown> {
  const orgId = id('00D', i);
  const profileId = id('00e', i);
  const userId = id('005', i);
  const names = Array.from({ length: CERTIFICATES_PER_ORG }, (_, c) => certName(i, c));
  // Records naming certificates 00..05 (a hierarchy setting: 00..02): the busy orgs' due ones
  // are in use (a due certificate nothing names, with a newer one beside it, is `superseded`).
  const referenced = names.slice(0, DUE_USED.length);
  const field = { name: TARGETS[shape].field, label: 'Certificate', type: 'string', length: 80 };
  return {
    orgId,
    orgName: `certrot fleet ${aliasOf(i)}`,
    profiles: [{ id: profileId, name: 'Integration' }],
    users: [{ id: userId, username: `integration@${aliasOf(i)}.fleet`, name: 'Integration User', profileId }],
    connectedApps: [{ name: 'certrot', consumerKey: `3MVG9certrotFleet${prefixOf(i)}ConsumerKey0000` }],
    certificates: names.map((uniqueName) => ({ uniqueName, label: uniqueName.replaceAll('_', ' '), keySize: 2048 })),
    ...(shape === 'custom-object'
      ? { customObjects: [{ apiName: TARGETS[shape].object, label: 'Integration Credential', fields: [field], records: referenced.map((name, r) => ({ name: `Credential ${r}`, values: { [field.name]: name } })) }] }
      : {
          customSettings: [
            {
              apiName: TARGETS[shape].object,
              label: 'Acme Gateway',
              settingType: 'hierarchy',
              fields: [field],
              records: [
                { setupOwnerId: orgId, values: { [field.name]: referenced[0] } },
                { setupOwnerId: profileId, values: { [field.name]: referenced[1] } },
                { setupOwnerId: userId, values: { [field.name]: referenced[2] } },
              ],
            },
          ],
        }),
    // 10,000 certificates from 10 key pairs: a test-speed switch (FIXTURE.md)
    behaviour: { shareFixtureKeyMaterial: true },
  };
}

/** Runs `fn` over `items`, `atOnce` at a time. */
async function inChunks<T, R>(items: readonly T[], atOnce: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += atOnce) out.push(...(await Promise.all(items.slice(i, i + atOnce).map((item, k) => fn(item, i + k)))));
  return out;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * The sweep's result; fails at once, with the worker's reason, when one of its workflow tasks
 * failed (Temporal retries a failed task forever, so the result would only time out).
 */
async function resultUnlessTaskFails<T>(client: Client, workflowId: string, result: Promise<T>): Promise<T> {
  let done = false;
  const finished = result.finally(() => (done = true));
  while (!done) {
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (done) break;
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
    if (failed) {
      finished.catch(() => undefined);
      const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[failed.cause ?? 0];
      throw new Error(`a workflow task of ${workflowId} failed (${cause}): ${failed.failure?.message ?? '?'}`);
    }
  }
  return finished;
}

describe('a renewal sweep over 500 orgs and 10,000 certificates', () => {
  const harness = useRenewalHarness();

  it('takes one inventory per org at a flat Salesforce cost, starts no org past its budget, and keeps its history bounded', { timeout: 15 * 60_000 }, async () => {
    const stages: string[] = [];
    let mark = Date.now();
    const stage = (name: string): void => {
      const now = Date.now();
      stages.push(`${name} ${seconds(now - mark)}`);
      mark = now;
    };
    try {
      await harness.syncClock();
      const now = harness.clock().getTime();
      const dueAges = DUE_USED.map((used) => madeAgo(2048, now, { used }));
      const notDueAges = NOT_DUE_USED.map((used) => madeAgo(2048, now, { used }));
      const busy = new Set(BUSY);
      const specs: OrgSpec[] = Array.from({ length: ORGS }, (_, i) => {
        const ageDays = Object.fromEntries(
          Array.from({ length: CERTIFICATES_PER_ORG }, (_, c) => [certName(i, c), busy.has(i) && c < DUE_USED.length ? dueAges[c]! : notDueAges[c % notDueAges.length]!]),
        );
        // only the busy orgs rotate: only there must the vendor trust the certificates first
        return { alias: aliasOf(i), fixture: fixtureOf(i, shapeOf(i)), ageDays, seedVendor: busy.has(i) };
      });
      for (const i of BUSY) assert.equal(shapeOf(i), 'custom-object', 'the busy orgs share one shape');
      const inventory = {
        orgs: Object.fromEntries(
          specs.map((spec, i) => [
            spec.alias,
            {
              integrations: [{ certificatePattern: `${prefixOf(i)}_Cert_*`, vendor: 'acme', strategy: 'overlap', references: { targets: [TARGETS[shapeOf(i)]] }, approvers: [APPROVER], window: WINDOW }],
              maxActiveRotations: BUDGET,
            },
          ]),
        ),
      };

      // each org's counter as its inventory returns (the harness awaits this before the worker reports it)
      const atInventory = new Map<string, number>();
      const afterActivity = async (name: string, args: readonly unknown[]): Promise<void> => {
        if (name !== 'inventoryOrg') return;
        const alias = (args[0] as { org: string }).org;
        atInventory.set(alias, await world.orgs[alias]!.apiCalls());
      };
      const world = await harness.world({ orgs: specs, inventory, afterActivity });
      stage('world start (500 orgs)');
      const orgs = specs.map((spec) => world.orgs[spec.alias]!);
      const before = await inChunks(orgs, 50, (org) => org.apiCalls());
      stage('counters read');

      // ---- the sweep ------------------------------------------------------------------------
      const client = harness.client();
      const handle = await client.workflow.start<typeof renewalSweep>('renewalSweep', { taskQueue: world.taskQueue, workflowId: 'sweep-fleet', args: [{}] });
      const result = await resultUnlessTaskFails(client, handle.workflowId, handle.result());
      stage('sweep');

      // ---- one inventory per org, the totals ----------------------------------------------------
      assert.equal(world.calls.get('inventoryOrg'), ORGS, 'one inventory per org');
      assert.equal(world.calls.get('rotationsRunning'), BUSY.length, 'running rotations are asked for only where something is due');
      assert.equal(result.totals.certificates, ORGS * CERTIFICATES_PER_ORG);
      assert.equal(result.orgs.length, ORGS, 'a summary per org');
      assert.deepEqual(result.orgs.map((o) => o.org), specs.map((s) => s.alias).sort());
      assert.ok(result.orgs.every((o) => o.certificates === CERTIFICATES_PER_ORG && o.error === null && o.drift === 0), 'every org swept whole, without drift');
      // the whole-sweep details stop at MAX_SWEEP_DETAILS each (every org's own result counts all of its own)
      assert.equal(result.truncated, true);
      assert.equal(result.certificates.length, MAX_SWEEP_DETAILS);
      assert.equal(result.skipped.length, MAX_SWEEP_DETAILS);
      assert.equal(result.totals.skipped, ORGS * CERTIFICATES_PER_ORG - BUSY.length * BUDGET);

      // ---- the budget -----------------------------------------------------------------------
      for (const summary of result.orgs) assert.ok(summary.started <= BUDGET, `${summary.org} started ${summary.started}, over its budget ${BUDGET}`);
      const expectedStarts = BUSY.flatMap((i) => [certName(i, 5), certName(i, 4)].map((c) => `${aliasOf(i)}/${c}`));
      assert.equal(result.totals.started, BUSY.length * BUDGET);
      assert.deepEqual(result.started.map((s) => `${s.org}/${s.certificate}`).sort(), expectedStarts.sort());
      assert.ok(result.started.every((s) => s.window !== null && !s.urgent && !s.dryRun));
      for (const [i, spec] of specs.entries()) {
        const summary = result.orgs.find((o) => o.org === spec.alias)!;
        assert.deepEqual({ started: summary.started, queued: summary.queued }, busy.has(i) ? { started: BUDGET, queued: DUE_USED.length - BUDGET } : { started: 0, queued: 0 }, spec.alias);
      }
      for (const i of BUSY) {
        const alias = aliasOf(i);
        const swept: OrgSweepResult = await client.workflow.getHandle<typeof renewalOrgSweep>(`sweep-fleet/${alias}`).result();
        assert.equal(swept.maxActiveRotations, BUDGET);
        // bounded (#15): everything counted by reason, whatever the lists hold
        assert.deepEqual(swept.counts?.byReason, { due: BUDGET, 'over-budget': DUE_USED.length - BUDGET, 'not-due': CERTIFICATES_PER_ORG - DUE_USED.length }, alias);
        assert.equal(swept.truncated, swept.certificates.length < CERTIFICATES_PER_ORG || swept.skipped.length < swept.counts.skipped, alias);
        // a real sweep asks an org for the rows and routine skips its own result still keeps: past the first orgs, none
        if (i !== BUSY[0]) assert.deepEqual({ rows: swept.certificates.length, notDue: swept.skipped.filter((s) => s.kind === 'not-due').length }, { rows: 0, notDue: 0 }, alias);
        // window order: one daily window for all, so by expiry — the oldest (05) first, not by name
        assert.deepEqual(swept.started.map((s) => s.certificate), [certName(i, 5), certName(i, 4)], `${alias} started the budget, earliest expiry first`);
        const queued = swept.skipped.filter((s) => s.kind === 'over-budget');
        assert.deepEqual(queued.map((s) => s.certificate), [3, 2, 1, 0].map((c) => certName(i, c)), `${alias} queued the rest in window order`);
        queued.forEach((s, place) => assert.match(s.reason, new RegExp(`its budget is ${BUDGET} \\(maxActiveRotations\\).*\\(place ${place + 1} in window order\\)`)));
        assert.equal(swept.counts.skipped - swept.counts.queued, CERTIFICATES_PER_ORG - DUE_USED.length, `${alias}: the not-due ones, counted`);
        for (const started of swept.started) {
          const description = await client.workflow.getHandle(started.workflowId).describe();
          assert.equal(description.status.name, 'RUNNING', started.workflowId);
        }
      }
      stage('results checked');

      // ---- Salesforce API calls per org -------------------------------------------------------
      // Each org's inventory alone: its counter read as its inventoryOrg returned (before the
      // org's sweep could start a rotation), the same flat number for every org of a shape.
      const inventoryCost = specs.map((spec, i) => ({ alias: spec.alias, shape: shapeOf(i), calls: atInventory.get(spec.alias)! - before[i]! }));
      // The whole sweep, before to after: in the quiet orgs nothing but the inventory called.
      const sweepCost = await inChunks(specs, 50, async (spec, i) => ({ alias: spec.alias, shape: shapeOf(i), calls: (await world.orgs[spec.alias]!.apiCalls()) - before[i]! }));
      for (const shape of ['custom-object', 'hierarchy-setting'] as const) {
        const expected = sum(inventoryCalls(shape));
        const words = `costs ${expected} calls: ${JSON.stringify(inventoryCalls(shape))}`;
        assert.deepEqual(inventoryCost.filter((o) => o.shape === shape && o.calls !== expected), [], `every ${shape} org's inventory ${words}`);
        assert.deepEqual(sweepCost.filter((o, i) => o.shape === shape && !busy.has(i) && o.calls !== expected), [], `every quiet ${shape} org's sweep ${words}`);
      }
      // The busy orgs' counters go on with their rotations (their own workflows, retried
      // activities included): read once both wait for approval; reported, not compared.
      for (const started of result.started) await waitForPhase(client.workflow.getHandle(started.workflowId), 'awaiting-approval', 120_000);
      const busyCalls = await Promise.all(BUSY.map(async (i) => (await world.orgs[aliasOf(i)]!.apiCalls()) - before[i]!));
      for (const calls of busyCalls) assert.ok(calls > sum(inventoryCalls('custom-object')), 'the rotations called Salesforce on top of the inventory');
      // 500 sandbox servers, their keep-alive sockets and the clients' in one process (`ulimit -n`: see the report line)
      const openFiles = existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : '?'; // Linux
      stage('counters compared');

      // ---- the sweep's own history: every run, followed through continue-as-new -----------------
      // A run continues as new once its history passes 4,000,000 bytes (renewal-sweep.ts), so its
      // history is a little over gRPC's default 4 MiB receive limit: read it on a connection
      // that takes more.
      const big = await Connection.connect({ address: harness.env().address, channelArgs: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } });
      const runs: { runId: string; events: number; bytes: number; largestEvent: number }[] = [];
      try {
        let runId: string | undefined = handle.firstExecutionRunId;
        while (runId) {
          const history: temporal.api.history.v1.IHistory = await new Client({ connection: big }).workflow.getHandle('sweep-fleet', runId).fetchHistory();
          const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
          const sizes = events.map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().byteLength);
          runs.push({ runId, events: events.length, bytes: temporal.api.history.v1.History.encode(history).finish().byteLength, largestEvent: Math.max(...sizes) });
          runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
        }
      } finally {
        await big.close();
      }
      // ---- each org's own history (the children): measured for every org ----------------------
      const children = await inChunks(specs, 25, async (spec) => {
        const history = await client.workflow.getHandle(`sweep-fleet/${spec.alias}`).fetchHistory();
        const events = history.events ?? [];
        return { alias: spec.alias, events: events.length, bytes: temporal.api.history.v1.History.encode(history).finish().byteLength, largestEvent: Math.max(...events.map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().byteLength)) };
      });
      const childBytes = children.map((c) => c.bytes).sort((a, b) => a - b);
      const largestChildEvent = Math.max(...children.map((c) => c.largestEvent));
      const totalBytes = runs.reduce((a, r) => a + r.bytes, 0);
      console.log(
        `fleet sweep history: parent ${runs.length} run(s): ${runs.map((r) => `${r.events} events/${r.bytes} B (largest event ${r.largestEvent} B)`).join(' + ')} = ${totalBytes} B; ` +
          `children (${children.length}): min/median/max ${childBytes[0]}/${childBytes[Math.floor(childBytes.length / 2)]}/${childBytes.at(-1)} B, largest event ${largestChildEvent} B`,
      );
      assert.equal(runs.length, result.runs, 'the result counts every run');
      for (const run of runs) assert.ok(run.largestEvent < MAX_EVENT_BYTES, `run ${run.runId}: an event of ${run.largestEvent} bytes`);
      for (const run of runs) assert.ok(run.bytes < MAX_RUN_BYTES, `run ${run.runId}: ${run.bytes} bytes of history`);
      assert.ok(largestChildEvent < MAX_EVENT_BYTES, `an org's sweep has an event of ${largestChildEvent} bytes`);
      stage('history read');

      const quiet = (shape: Shape): string => `${shape} ${sum(inventoryCalls(shape))}`;
      console.log(
        `fleet sweep: ${ORGS} orgs, ${result.totals.certificates} certificates; inventoryOrg ${world.calls.get('inventoryOrg')}; ` +
          `Salesforce calls per inventory: ${quiet('custom-object')}, ${quiet('hierarchy-setting')} (every org); ` +
          `busy orgs with their rotations until awaiting-approval: ${busyCalls.join(', ')}; ` +
          `started ${result.totals.started}, queued ${result.orgs.reduce((a, o) => a + o.queued, 0)}; ${openFiles} open file descriptors; ` +
          `${runs.length} run(s), history ${runs.map((r) => `${r.events} events/${r.bytes} B (largest event ${r.largestEvent} B)`).join(' + ')} = ${totalBytes} B`,
      );
    } finally {
      // even when an assertion failed: how long each stage took (never asserted)
      console.log(`fleet sweep durations: ${stages.join(', ')}`);
    }
  });
});

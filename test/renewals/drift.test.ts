/**
 * The drift audit on a sandbox just refreshed from production: settings copied from
 * production name a certificate the sandbox does not have, a profile override holds a
 * label, records name an expired and an unusable certificate. One sweep finds each from
 * its single inventory per org, lists it in its result and alerts a local webhook; the
 * inventory costs exactly the Salesforce API calls documented in inventory-activities.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { DriftFinding } from '../../src/domain/renewal/inventory-contract';
import type { renewalSweep } from '../../src/workflows/renewal-sweep';
import { APPROVER, printedByExpiring, useRenewalHarness, type RenewalWorld } from './support';

interface Received {
  headers: IncomingMessage['headers'];
  body: { text: string; event: string; noticeId: string; findings: DriftFinding[] };
}

async function startWebhookReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) as Received['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/certrot`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('drift audit of a refreshed sandbox', () => {
  const receivers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const receiver of receivers) await receiver.close();
  });
  const harness = useRenewalHarness();
  let world: RenewalWorld;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;

  it('alerts for references to a missing, expired or unusable certificate and for a label', async () => {
    webhook = await startWebhookReceiver();
    receivers.push(webhook);
    const targets = [
      { object: 'csam__AsyncMessOptions__c', field: 'csam__Certificate__c', kind: 'hierarchy-setting' },
      { object: 'Integration_Credential__c', field: 'Certificate_Name__c', kind: 'custom-object' },
    ];
    world = await harness.world({
      orgs: [{ alias: 'sandbox', fixture: 'refreshed-sandbox-org.json', ageDays: { Old_Partner: 400, Vendor_Signing_Sbx: 5, Healthy_Cert: 30 } }],
      inventory: {
        orgs: {
          sandbox: {
            integrations: [
              // Copied from production's inventory: production's certificate name.
              { certificate: 'Vendor_Signing', vendor: 'acme', strategy: 'overlap', references: { targets }, approvers: [APPROVER], window: 'daily 02:00-04:00 UTC' },
              { certificatePattern: 'Vendor_Signing_*', vendor: 'acme', strategy: 'overlap', references: { targets }, approvers: [APPROVER], window: 'daily 02:00-04:00 UTC' },
            ],
          },
        },
        alerts: { webhook: { url: webhook.url } },
      },
    });

    const callsBefore = await world.orgs.sandbox!.apiCalls();
    const result = await harness.client().workflow.execute<typeof renewalSweep>('renewalSweep', { taskQueue: world.taskQueue, workflowId: 'sweep-drift', args: [{}] });
    const callsAfter = await world.orgs.sandbox!.apiCalls();

    const found = result.drift.map((f) => `${f.problem} ${f.reference?.scope ?? ''} ${f.reference?.value ?? ''}`).sort();
    assert.deepEqual(found, [
      'expired-certificate record Old_Partner',
      'label-not-unique-name profile Vendor Signing',
      'missing-certificate org-default Vendor_Signing',
      'unusable-certificate record Pending_Csr',
    ]);
    assert.match(result.drift.find((f) => f.problem === 'label-not-unique-name')!.detail, /must hold the Unique Name Vendor_Signing_Sbx/);
    assert.ok(result.skipped.some((s) => s.certificate === 'Vendor_Signing' && s.kind === 'missing'));
    assert.deepEqual(result.started, [], 'nothing here is due');

    // The alert went out once, with the same findings, Slack-readable.
    assert.deepEqual(result.orgs[0]!.alert, { sent: true, detail: `webhook ${new URL(webhook.url).origin}` }, 'one alert for the org');
    assert.equal(webhook.received.length, 1);
    const [alert] = webhook.received;
    assert.equal(alert!.body.event, 'certrot.inventory.drift');
    assert.deepEqual(alert!.body.findings, result.drift);
    assert.match(alert!.body.text, /4 certificate reference problem\(s\) in org sandbox/);
    assert.equal(alert!.headers['idempotency-key'], alert!.body.noticeId);

    // One inventory for the org; its Salesforce API cost as documented in inventory-activities.ts,
    // the same for 5 names (4 listed + 1 missing) as it would be for 1:
    const expectedCalls = {
      // listCertificates: the Tooling query and listMetadata(Certificate)
      listCertificates: 2,
      // describe csam__AsyncMessOptions__c and Integration_Credential__c (added with describe-first
      // search; needed: only a filterable field may be in a WHERE, a hierarchy setting is told by
      // its SetupOwnerId, and a setting the user cannot read is skipped instead of failing the search)
      describePerTargetObject: 2,
      // one query per target field (per 100 names)
      queryPerTargetField: 2,
      // listMetadata(NamedCredential), both models in one list; no readMetadata: this org has none
      listNamedCredentials: 1,
      // owner names: the profile override's (Profile) and the user override's (User)
      ownerNames: 2,
      // readMetadata(Certificate) of the 3 usable certificates, 10 per call: their notBefore and notAfter
      readValidity: 1,
    };
    assert.equal(world.calls.get('inventoryOrg'), 1);
    assert.equal(callsAfter - callsBefore, Object.values(expectedCalls).reduce((a, b) => a + b), JSON.stringify(expectedCalls));
  });

  it('a dry run reports the drift but alerts nobody', async () => {
    const result = await harness.client().workflow.execute<typeof renewalSweep>('renewalSweep', { taskQueue: world.taskQueue, workflowId: 'sweep-drift-dry', args: [{ dryRun: true }] });
    assert.equal(result.drift.length, 4);
    assert.equal(result.orgs[0]!.alert, null);
    assert.equal(webhook.received.length, 1, 'still only the first sweep\'s alert');
  });

  it('`certrot expiring` prints the drift with object, field, scope, owner and record, and the skipped certificates, in text', async () => {
    const text = await printedByExpiring(harness.env().address, world.taskQueue);
    assert.match(text, /Reference drift \(outages waiting to happen\):/);
    assert.match(text, /names certificate "Vendor_Signing", which does not exist in this org.*\[object csam__AsyncMessOptions__c, field csam__Certificate__c, scope org-default, owner Organization default, record \w+\]/);
    assert.match(text, /holds the label "Vendor Signing".*scope profile, owner [^,\]]+, record \w+\]/);
    assert.match(text, /Skipped:[\s\S]*sandbox\/Vendor_Signing \(missing\): the inventory names Vendor_Signing, but the org has no such certificate/);
  });
});

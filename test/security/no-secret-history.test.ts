/**
 * No secret reaches Temporal history (issue #7, item 3).
 *
 * Complete rotations run on the time-skipping server with the real adapters against the
 * sandbox org (JWT bearer login) and vendor, worker and client both using the encryption
 * codec with keys made here: `simultaneous` and `overlap` to completion, a rollback in the
 * grace period, a manual vendor notified through an SMTP server that demands credentials,
 * and a rotation whose sharing step fails (a vendor outage, after a Salesforce session
 * expiry forced a second JWT login) so that failures — messages and stack traces, which
 * Temporal stores unencrypted — are in history too.
 *
 * Then every run's raw history is fetched page by page from the WorkflowService and checked
 * against the secrets collected from the running sandboxes and the worker configuration (the
 * connected app's JWT key, every access token the org issued and every JWT assertion it
 * received, refresh tokens and consumer secrets, the certificates' private keys, the vendor
 * token, the SMTP credentials, the codec keys) and secret-shaped text:
 *   1. no secret in the serialized history or in any stored payload, in any encoding;
 *   2. every payload except search attributes is encrypted by the codec, unreadable;
 *   3. decrypted, no payload holds a secret either: secrets never enter history at all.
 * A self-check plants secrets and proves the scanner reports them.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { dataConverterFor } from '../../src/codec/data-converter';
import { EncryptionCodec, type KeyRing } from '../../src/codec/encryption-codec';
import type { RotationStatus } from '../../src/domain/rotation';
import { sandboxTestCa } from '../../src/sandbox/test-ca';
import { DEMO_CERTIFICATE, WORLD_ORGS, readWorldKey, type SandboxWorld } from '../../src/sandbox/world';
import type { WorkerConfig } from '../../src/workers/config';
import { approveUpdate, rollbackSignal, vendorAppliedSignal } from '../../src/workflows/messages';
import { appendSignal, type echoWorkflow } from '../workflows/fixtures/echo-workflow';
import { startSmtpCapture, type SmtpCapture } from '../vendors/vendor-test-kit';
import { useRotationHarness, waitForPhase } from '../support/rotation-harness';
import {
  describeFindings,
  fetchRunHistories,
  needlesFor,
  scanHistories,
  type Finding,
  type RunHistory,
  type ScanOptions,
  type SecretValue,
} from '../support/history-secrets';

const { History } = temporal.api.history.v1;
const { EventType } = temporal.api.enums.v1;

/** Keys the worker configuration holds secrets under, and keys naming files that hold one. */
const SECRET_KEY = /^(pass|password|secret|token|apiKey|bearerToken|clientSecret|consumerSecret|refreshToken|accessToken|privateKeyPem)$/i;
const SECRET_FILE_KEY = /^(privateKeyPath|privateKeyFile|clientKeyFile)$/;

/** Every secret in a worker configuration: values under secret-named keys, and secret files' contents. */
async function configSecrets(config: unknown, label: string): Promise<SecretValue[]> {
  const found: SecretValue[] = [];
  const visit = async (value: unknown, path: string): Promise<void> => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) await visit(item, `${path}[${i}]`);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const at = `${path}.${key}`;
        if (typeof item === 'string' && SECRET_KEY.test(key)) found.push({ name: `${label} ${at}`, value: item });
        else if (typeof item === 'string' && SECRET_FILE_KEY.test(key)) found.push({ name: `${label} ${at} (file)`, value: await readFile(item, 'utf8') });
        else await visit(item, at);
      }
    }
  };
  await visit(config, 'config');
  return found;
}

describe('no secret reaches Temporal history', () => {
  // Two keys, as after a codec key rotation: everything new must be under the current one.
  const keyRing: KeyRing = {
    keys: [
      { id: 'history-scan-old', key: randomBytes(32) },
      { id: 'history-scan-current', key: randomBytes(32) },
    ],
    current: 'history-scan-current',
  };
  const codec = new EncryptionCodec(keyRing);
  const dataConverter = dataConverterFor(keyRing);
  const harness = useRotationHarness({ dataConverter, serverPerFile: true });

  const smtpCredentials = { user: `certrot-smtp-${randomBytes(8).toString('hex')}`, pass: randomBytes(24).toString('base64url') };
  let smtp: SmtpCapture | undefined;
  before(async () => {
    smtp = await startSmtpCapture(smtpCredentials);
  });
  after(async () => {
    await smtp?.close();
  });

  /** Everything the rotations ran on, for collecting secrets and fetching histories at the end. */
  const worlds: SandboxWorld[] = [];
  const configs: { label: string; config: WorkerConfig }[] = [];
  const handles: WorkflowHandle[] = [];

  async function rotationWorld(label: string, options: Parameters<typeof harness.world>[0] = {}): Promise<{ world: SandboxWorld; taskQueue: string }> {
    const world = await harness.world(options);
    worlds.push(world);
    configs.push({ label, config: world.config });
    const { taskQueue } = await harness.worker(world);
    return { world, taskQueue };
  }

  async function approve(handle: WorkflowHandle): Promise<RotationStatus> {
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'vendor-team', fingerprint: waiting.newCertificate!.spkiFingerprint }] });
    return waiting;
  }

  it('(a) simultaneous: completes with the codec on worker and client', async () => {
    const { taskQueue } = await rotationWorld('simultaneous world');
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'simultaneous' });
    handles.push(handle);
    await approve(handle);
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? status.errors.join('; '));
  });

  it('(b) overlap: completes with the codec on worker and client', async () => {
    const { taskQueue } = await rotationWorld('overlap world');
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.multiKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy: 'overlap', gracePeriod: '2 days' });
    handles.push(handle);
    await approve(handle);
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? status.errors.join('; '));
  });

  it('(c) rolled back during the grace period', async () => {
    const { taskQueue } = await rotationWorld('rollback world');
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    handles.push(handle);
    await approve(handle);
    await waitForPhase(handle, 'grace-period');
    await handle.signal(rollbackSignal, { reason: 'orders failing at the vendor', by: 'ops' });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back');
  });

  it('(d) manual vendor: notified through an SMTP server that requires credentials', async () => {
    const { taskQueue } = await rotationWorld('manual-vendor world', {
      extraVendors: {
        'acme-manual': {
          kind: 'manual',
          manual: {
            vendorName: 'Acme provisioning',
            email: { host: '127.0.0.1', port: smtp!.port, auth: smtpCredentials, from: 'certrot@customer.test', to: ['provisioning@acme.test'] },
          },
        },
      },
    });
    const mailBefore = smtp!.messages.length;
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme-manual', strategy: 'simultaneous' });
    handles.push(handle);
    const waiting = await approve(handle);
    await waitForPhase(handle, 'applying');
    await handle.signal(vendorAppliedSignal, { fingerprint: waiting.newCertificate!.spkiFingerprint, by: 'acme-team' });
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'completed', status.reason ?? status.errors.join('; '));
    const mail = smtp!.messages.slice(mailBefore);
    assert.ok(mail.length >= 2, 'the team got the key and the activation request by email');
    assert.ok(mail.every((m) => m.authUser === smtpCredentials.user), 'every email was sent with the SMTP credentials');
  });

  it('(e) sharing fails after a second JWT login: failures are in history, the rotation rolls back', async () => {
    const { world, taskQueue } = await rotationWorld('failing-vendor world');
    // The first Salesforce call finds its session expired (the adapter logs in again with a
    // new JWT assertion); the vendor's registry is down for as long as the rotation tries.
    world.org.faults.add([{ operation: 'rest.*', kind: 'session-expired', times: 1 }]);
    world.vendor.vendor.faults.add({ operation: 'stageKey', status: 503 });
    const assertionsBefore = world.org.secrets().jwtAssertions.length;
    const handle = await harness.start(taskQueue, { org: WORLD_ORGS.singleKey.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme' });
    handles.push(handle);
    const status = (await handle.result()) as RotationStatus;
    assert.equal(status.outcome, 'rolled-back', status.reason ?? '');
    assert.ok(status.errors.length > 0, 'the failure was recorded');
    assert.ok(world.org.secrets().jwtAssertions.length >= assertionsBefore + 2, 'the expired session made the worker log in again');
  });

  it('every run of every rotation: no secret anywhere, every payload encrypted, none inside the ciphertext', async (t) => {
    assert.equal(handles.length, 5, 'every rotation above started');
    const started = Date.now();

    // The actual secrets, from the running sandboxes and the worker configurations.
    const secrets: SecretValue[] = [
      ...keyRing.keys.map(({ id, key }) => ({ name: `codec key ${id}`, value: key })),
      { name: 'SMTP username', value: smtpCredentials.user },
      { name: 'SMTP password', value: smtpCredentials.pass },
      { name: 'sandbox test CA private key', value: (await sandboxTestCa()).privateKeyPem },
    ];
    const knownPlaintext = new Set<string>([DEMO_CERTIFICATE, WORLD_ORGS.multiKey.alias, WORLD_ORGS.singleKey.vendorOrgId, WORLD_ORGS.multiKey.vendorOrgId, 'vendor-team', 'acme-manual']);
    for (const [i, world] of worlds.entries()) {
      const org = world.org.secrets();
      assert.ok(org.jwtAssertions.length > 0 && org.accessTokens.length > 0, `world ${i + 1}: the org issued tokens for JWT assertions`);
      assert.ok(org.certificatePrivateKeys.length >= 3, `world ${i + 1}: the old and the new certificate's keys`);
      secrets.push(
        { name: `world ${i + 1} JWT private key (key file)`, value: await readWorldKey(world) },
        ...org.connectedAppPrivateKeys.map((value, j) => ({ name: `world ${i + 1} connected app JWT key ${j + 1}`, value })),
        ...org.consumerSecrets.map((value, j) => ({ name: `world ${i + 1} consumer secret ${j + 1}`, value })),
        ...org.clientSecrets.map((value, j) => ({ name: `world ${i + 1} client_secret ${j + 1}`, value })),
        ...org.refreshTokens.map((value, j) => ({ name: `world ${i + 1} refresh token ${j + 1}`, value })),
        ...org.accessTokens.map((value, j) => ({ name: `world ${i + 1} access token ${j + 1}`, value })),
        ...org.jwtAssertions.map((value, j) => ({ name: `world ${i + 1} JWT assertion ${j + 1}`, value })),
        ...org.certificatePrivateKeys.map(({ uniqueName, privateKeyPem }) => ({ name: `world ${i + 1} private key of certificate ${uniqueName}`, value: privateKeyPem })),
      );
      const state = (await (await fetch(`${world.org.url}/__sandbox/state`)).json()) as { orgId: string };
      knownPlaintext.add(state.orgId.slice(0, 15));
    }
    for (const { label, config } of configs) secrets.push(...(await configSecrets(config, label)));
    const names = secrets.map((s) => s.name);
    assert.ok(names.some((n) => /registry\.bearerToken$/.test(n)), 'the vendor bearer token was collected');
    assert.ok(names.some((n) => /email\.auth\.pass$/.test(n)), 'the SMTP password in the worker configuration was collected');
    assert.ok(names.some((n) => /auth\.privateKeyPath \(file\)$/.test(n)), 'the JWT key file named in the worker configuration was collected');
    const needles = needlesFor(secrets);

    // Every run, page by page, with the raw WorkflowService (no data converter on this path).
    const env = harness.env();
    const namespace = env.namespace ?? 'default';
    // The rotations' runs and every other run the namespace holds (none should exist, but a
    // workflow certrot starts by itself would be listed here and scanned too).
    const service = env.client.workflowService;
    const listed = [
      ...(await service.listOpenWorkflowExecutions({ namespace, maximumPageSize: 1000 })).executions,
      ...(await service.listClosedWorkflowExecutions({ namespace, maximumPageSize: 1000 })).executions,
    ].map((e) => ({ workflowId: e.execution?.workflowId ?? '', runId: e.execution?.runId ?? '' }));
    const roots = await Promise.all(handles.map(async (h) => ({ workflowId: h.workflowId, runId: (await h.describe()).runId })));
    const runs = await fetchRunHistories(service, namespace, [...roots, ...listed]);
    const scanned = new Set(runs.map((r) => `${r.workflowId} ${r.runId}`));
    assert.ok(listed.length >= handles.length, 'the server lists the rotations');
    assert.ok(listed.every((e) => scanned.has(`${e.workflowId} ${e.runId}`)), 'every run the server lists was scanned');

    const report = await scanHistories(runs, { needles, codec, keyIds: [codec.currentKeyId], knownPlaintext: [...knownPlaintext] });
    assert.deepEqual(report.findings, [], `secrets or readable payloads in history:\n${describeFindings(report.findings)}`);
    assert.ok(report.totals.payloads >= runs.length * 10, `too few payloads scanned (${report.totals.payloads}): is the walk finding them?`);
    assert.ok(report.totals.searchAttributePayloads > 0, 'search attributes were scanned');
    assert.ok(report.totals.failures > 0, 'the failed rotation left failures in history to scan');
    // Positive control: decrypted, the payloads do hold the request's plain text, so the
    // checks on the ciphertext and on the decrypted payloads read real data.
    for (const text of [DEMO_CERTIFICATE, WORLD_ORGS.multiKey.alias, WORLD_ORGS.singleKey.vendorOrgId]) {
      assert.ok(report.decryptedPlaintext.includes(text), `${text} not found in any decrypted payload`);
    }

    const summary =
      `${report.totals.runs} runs, ${report.totals.events} events, ${report.totals.historyBytes} history bytes, ` +
      `${report.totals.payloads} encrypted payloads, ${report.totals.searchAttributePayloads} search attribute payloads, ` +
      `${report.totals.failures} failures, ${runs.reduce((n, r) => n + r.pages, 0)} pages; ${secrets.length} secrets as ${needles.length} needles; scan took ${Date.now() - started} ms`;
    t.diagnostic(summary);
    console.log(`no-secret-history: ${summary}`);
  });

  describe('self-check: the scanner reports what it must', () => {
    const planted = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const token = `00D000000000001!${randomBytes(30).toString('base64url')}`;
    const plantedSecrets: SecretValue[] = [
      { name: 'planted private key', value: planted },
      { name: 'planted access token', value: token },
    ];
    const options = (): ScanOptions => ({ needles: needlesFor(plantedSecrets), codec, keyIds: [codec.currentKeyId], knownPlaintext: ['planted-org'] });
    const rulesFor = (findings: Finding[], secret?: string): string[] =>
      [...new Set(findings.filter((f) => secret === undefined || f.what.includes(secret)).map((f) => f.rule))].sort();

    it('through a real server: a secret in an encrypted payload, and payloads a client without the codec wrote', async () => {
      const env = harness.env();
      const taskQueue = `history-scan-echo-${process.pid}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowsPath: require.resolve('../workflows/fixtures/echo-workflow'),
        dataConverter,
      });
      const plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
      const [encrypted, plain] = await worker.runUntil(async () => {
        const encryptedRun = await env.client.workflow.start<typeof echoWorkflow>('echoWorkflow', {
          taskQueue,
          workflowId: `history-scan-echo-encrypted-${process.pid}`,
          args: [{ note: planted }],
        });
        await encryptedRun.signal(appendSignal, 'nothing secret');
        await encryptedRun.result();
        const plainRun = await plainClient.workflow.start<typeof echoWorkflow>('echoWorkflow', {
          taskQueue,
          workflowId: `history-scan-echo-plain-${process.pid}`,
          args: [{ note: `planted-org ${token}` }],
        });
        await plainRun.signal(appendSignal, 'nothing secret');
        await env.client.workflow.getHandle(plainRun.workflowId).result();
        return [encryptedRun, plainRun];
      });
      const service = env.client.workflowService;
      const namespace = env.namespace ?? 'default';

      const hidden = await scanHistories(await fetchRunHistories(service, namespace, [{ workflowId: encrypted.workflowId, runId: encrypted.firstExecutionRunId }]), options());
      // Encrypted, the key is invisible in the stored bytes — but it is in history all the same.
      assert.deepEqual(rulesFor(hidden.findings), ['secret inside encrypted payload'], describeFindings(hidden.findings));
      assert.ok(hidden.findings.some((f) => f.what === 'planted private key (JSON-escaped value)'));
      assert.ok(hidden.findings.some((f) => f.what === 'something shaped like a PEM private key'));

      const exposed = await scanHistories(await fetchRunHistories(service, namespace, [{ workflowId: plain.workflowId, runId: plain.firstExecutionRunId }]), options());
      assert.deepEqual(
        rulesFor(exposed.findings, 'planted access token'),
        ['secret in serialized history', 'secret in stored payload', 'secret inside encrypted payload'],
        describeFindings(exposed.findings),
      );
      const notEncrypted = exposed.findings.filter((f) => f.rule === 'payload not encrypted');
      // The input and the signal the plain client sent; the worker's result is encrypted.
      assert.equal(notEncrypted.length, 2, describeFindings(exposed.findings));
      assert.ok(notEncrypted.every((f) => /"json\/plain"/.test(f.what)));
    });

    it('on crafted histories: every rule, every encoding, and no false alarm on a clean history', async () => {
      const encode = async (value: unknown) => (await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) }]))[0]!;
      const plainPayload = (value: unknown) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
      const craft = (workflowId: string, events: temporal.api.history.v1.IHistoryEvent[]): RunHistory => ({
        workflowId,
        runId: 'crafted',
        history: History.decode(History.encode({ events }).finish()),
        pages: 1,
      });
      const started = (payloads: temporal.api.common.v1.IPayload[], searchAttributes: Record<string, temporal.api.common.v1.IPayload> = {}) => ({
        eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        workflowExecutionStartedEventAttributes: { input: { payloads }, searchAttributes: { indexedFields: searchAttributes } },
      });

      const clean = craft('clean', [
        started([await encode({ org: 'planted-org', certificate: 'Vendor_Signing' })], { CertificateName: plainPayload('Vendor_Signing') }),
        {
          eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
          activityTaskFailedEventAttributes: { failure: { message: 'VENDOR_UNAVAILABLE: registry down', stackTrace: 'at stageKey', applicationFailureInfo: { type: 'VENDOR_UNAVAILABLE', details: { payloads: [await encode({ status: 503 })] } } } },
        },
      ]);
      const cleanReport = await scanHistories([clean], options());
      assert.deepEqual(cleanReport.findings, [], describeFindings(cleanReport.findings));
      assert.deepEqual(
        { payloads: cleanReport.totals.payloads, searchAttributePayloads: cleanReport.totals.searchAttributePayloads, failures: cleanReport.totals.failures },
        { payloads: 2, searchAttributePayloads: 1, failures: 1 },
      );

      const pemLine = planted.split('\n')[5]!;
      const cases: { name: string; history: RunHistory; expect: { rule: Finding['rule']; what: RegExp }[] }[] = [
        {
          name: 'plain-text input',
          history: craft('plain', [started([plainPayload({ org: 'planted-org' })])]),
          expect: [
            { rule: 'payload not encrypted', what: /json\/plain/ },
          ],
        },
        {
          name: 'readable data under the encrypted encoding',
          history: craft('fake-encrypted', [started([{ metadata: { encoding: Buffer.from('binary/encrypted'), 'encryption-key-id': Buffer.from(codec.currentKeyId) }, data: Buffer.from('{"org":"planted-org","certificate":"Vendor_Signing"}') }])]),
          expect: [
            { rule: 'payload data is readable', what: /parses as JSON/ },
            { rule: 'payload data is readable', what: /planted-org/ },
            { rule: 'payload cannot be decrypted', what: /authentication failed/ },
          ],
        },
        {
          name: 'encrypted under a key the codec does not have',
          history: craft('unknown-key', [
            started([await new EncryptionCodec({ keys: [{ id: 'someone-else', key: randomBytes(32) }], current: 'someone-else' }).encode([plainPayload('x')]).then((p) => p[0]!)]),
          ]),
          expect: [
            { rule: 'payload not encrypted', what: /key id "someone-else"/ },
            { rule: 'payload cannot be decrypted', what: /unknown encryption key id/ },
          ],
        },
        {
          name: 'a token in a failure message and stack trace',
          history: craft('failure', [
            { eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, activityTaskFailedEventAttributes: { failure: { message: `login failed for ${token}`, cause: { stackTrace: `Error: Bearer ${token}` } } } },
          ]),
          expect: [
            { rule: 'secret in history field', what: /planted access token \(value\)/ },
            { rule: 'secret in history field', what: /"Bearer " credential/ },
            { rule: 'secret in serialized history', what: /planted access token/ },
          ],
        },
        {
          name: 'a token in a search attribute',
          history: craft('search-attribute', [started([], { CertificateName: plainPayload(token) })]),
          expect: [{ rule: 'secret in search attribute', what: /planted access token \(value\)/ }],
        },
        {
          name: 'base64 of a token at an odd offset, inside an encrypted payload',
          history: craft('base64', [started([await encode(Buffer.concat([Buffer.from('x'), Buffer.from(token)]).toString('base64'))])]),
          expect: [{ rule: 'secret inside encrypted payload', what: /planted access token \(base64 of value\)/ }],
        },
        {
          name: 'one line of a private key PEM, JSON-escaped in a memo',
          history: craft('pem-line', [
            {
              eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
              workflowExecutionStartedEventAttributes: { memo: { fields: { note: await encode(`key:\n${pemLine}\n`) } } },
            },
          ]),
          expect: [{ rule: 'secret inside encrypted payload', what: /planted private key \(PRIVATE KEY PEM line 5\)/ }],
        },
        {
          name: 'hex of the key DER in a heartbeat',
          history: craft('der-hex', [
            {
              eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
              activityTaskStartedEventAttributes: { lastFailure: { message: 'retry', applicationFailureInfo: { details: { payloads: [plainPayload(Buffer.from(planted.split('\n').slice(1, -2).join(''), 'base64').toString('hex'))] } } } },
            },
          ]),
          expect: [
            { rule: 'payload not encrypted', what: /json\/plain/ },
            { rule: 'secret in stored payload', what: /planted private key \(hex of PRIVATE KEY DER\)/ },
          ],
        },
      ];
      for (const { name, history, expect } of cases) {
        const { findings } = await scanHistories([history], options());
        for (const { rule, what } of expect) {
          assert.ok(
            findings.some((f) => f.rule === rule && what.test(f.what)),
            `${name}: expected "${rule}" matching ${String(what)}; found:\n${describeFindings(findings) || '(nothing)'}`,
          );
        }
        // The report names secrets, never their values.
        for (const finding of findings) assert.ok(!finding.what.includes(token) && !finding.what.includes(pemLine), `${name}: a finding quotes the secret`);
      }
    });
  });
});

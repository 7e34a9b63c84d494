/**
 * The docker-compose topology, run for real with the local binaries instead of containers:
 * the Temporal dev server (in place of temporal + postgresql + temporal-ui), the codec server,
 * the worker with encrypted payloads and its Prometheus endpoint, the deployment's one-shot
 * jobs (`schedule create --if-missing`), and operators' commands (`certrot`, and the real
 * `temporal` CLI reading history through the codec server). Sandboxes stand in for the org
 * and the vendor. Every process is separate and always stopped.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { generateKey } from '../../src/codec/encryption-codec';
import { payloadsIn } from '../../src/codec/history-payloads';
import { salesforceLifetimeDays } from '../../src/domain/certificate-lifetime';
import { METRIC_NAMES } from '../../src/domain/metrics';
import { rotationWorkflowId, type RotationStatus } from '../../src/domain/rotation';
import { createJsforceOrg } from '../../src/salesforce/jsforce-org';
import { DEMO_CONSUMER_KEY, DEMO_USERNAME, DEMO_VENDOR_FIXTURE } from '../../src/sandbox/world';
import { freePort, resolveTemporalCli } from '../../src/temporal/binaries';
import { HttpVendorRegistry } from '../../src/vendors/http-registry';
import { certrotBin, processGroup, repoRoot, runCommand, writeSandboxWorkerConfig } from '../support/processes';

const { start, stopAll } = processGroup();
const CERTIFICATE = 'Vendor_Signing';
const WORKFLOW_ID = rotationWorkflowId('demo', CERTIFICATE);

interface ShownEvent {
  eventType?: string;
  workflowExecutionStartedEventAttributes?: { input?: { payloads?: { metadata?: Record<string, string>; data?: string }[] } };
}

function metadataText(value: string | undefined): string {
  return value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
}

describe('the deployment topology with local binaries', () => {
  let dir = '';
  let temporalCli = '';
  let address = '';
  let codecUrl = '';
  let metricsUrl = '';
  let orgUrl = '';
  const codecToken = `codec-token-${Date.now()}-0123456789`;
  const vendorToken = 'topology-vendor-token-0123456789';
  const key = generateKey();
  const codecEnv = { CERTROT_CODEC_KEYS: `${key.id}:${key.base64}`, CERTROT_CODEC_CURRENT_KEY: key.id };
  let clientEnv: NodeJS.ProcessEnv = {};

  function certrot(...args: string[]): Promise<{ code: number; out: string; stdout: string }> {
    return runCommand(certrotBin, args, clientEnv);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certrot-topology-'));
    temporalCli = (await resolveTemporalCli()).path;

    // codec-server service: keys from the same values as the worker (deploy/codec.env).
    const uiPort = await freePort();
    const codec = start(['codec-server', '--ui-origin', `http://127.0.0.1:${uiPort}`, '--port', '0'], { ...codecEnv, CERTROT_CODEC_TOKEN: codecToken });
    [, codecUrl = ''] = await codec.waitFor(/Codec server: (http:\/\/127\.0\.0\.1:\d+)/);

    // temporal + temporal-ui + temporal-bootstrap: the dev server registers the search attributes.
    const server = start(['dev-server', '--port', '0', '--ui-port', String(uiPort), '--ui-codec-endpoint', codecUrl, '--db-filename', join(dir, 'temporal.db')]);
    [, address = ''] = await server.waitFor(/Temporal dev server: (127\.0\.0\.1:\d+)/);
    clientEnv = { CERTROT_TEMPORAL_ADDRESS: address, ...codecEnv };

    const org = start(['sandbox', 'org', '--port', '0', '--jwt-key-out', join(dir, 'jwt.pem')]);
    [, orgUrl = ''] = await org.waitFor(/Sandbox Salesforce org: (http:\/\/127\.0\.0\.1:\d+)/);
    const vendor = start(['sandbox', 'vendor', '--port', '0', '--tls-port', '0', '--token', vendorToken, '--fixture', DEMO_VENDOR_FIXTURE, '--ca-dir', join(dir, 'ca')]);
    const [, vendorUrl = ''] = await vendor.waitFor(/registry API: (http:\/\/127\.0\.0\.1:\d+)/);
    const salesforce = createJsforceOrg({ auth: { kind: 'jwt', loginUrl: orgUrl, consumerKey: DEMO_CONSUMER_KEY, username: DEMO_USERNAME, privateKeyPath: join(dir, 'jwt.pem') } });
    const registry = new HttpVendorRegistry({ baseUrl: vendorUrl, bearerToken: vendorToken });
    const seed = { run: { workflowId: 'test-seed', runId: 'seed' } };
    await registry.activateKey('demo-single-key', await registry.stageKey('demo-single-key', (await salesforce.getCertificate(CERTIFICATE)).certificatePem!, seed), seed);

    // worker service: deploy/worker.yaml's shape, secrets from the environment (deploy/worker.env).
    await writeSandboxWorkerConfig(join(dir, 'worker.yaml'), {
      orgUrl,
      vendorUrl,
      tokenVariable: 'VENDOR_REGISTRY_TOKEN',
      extraLines: [
        'inventory:',
        '  orgs:',
        '    demo:',
        '      integrations:',
        `        - certificate: ${CERTIFICATE}`,
        '          vendor: acme',
        '          strategy: simultaneous',
        '          approvers: [acme]',
        "          window: 'daily 02:00-04:00 UTC'",
      ],
    });
    const metricsPort = await freePort();
    const worker = start(['worker', '--config', join(dir, 'worker.yaml')], {
      ...clientEnv,
      VENDOR_REGISTRY_TOKEN: vendorToken,
      CERTROT_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    });
    [, metricsUrl = ''] = await worker.waitFor(/metrics \(Prometheus\): (http:\/\/\S+)/);
    await worker.waitFor(/certrot worker polling task queue "certrot-rotations"/);
  });

  after(async () => {
    await stopAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('bootstraps, rotates with encrypted history, decodes through the codec server, and exports metrics', async () => {
    // renewal-schedule job: idempotent, as every `docker compose up` runs it.
    const created = await certrot('schedule', 'create', '--if-missing', '--paused');
    assert.equal(created.code, 0, created.out);
    const again = await certrot('schedule', 'create', '--if-missing', '--paused');
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /already exists; left as it is/);

    // An operator's dry run over the inventory goes through the worker.
    const expiring = await certrot('expiring', '--json');
    assert.equal(expiring.code, 0, expiring.out);

    // A rotation driven by the CLI.
    const started = await certrot('rotate', '--org', 'demo', '--certificate', CERTIFICATE, '--vendor', 'acme', '--strategy', 'simultaneous', '--grace-period', '3 seconds');
    assert.equal(started.code, 0, started.out);
    let status: RotationStatus | undefined;
    for (let i = 0; i < 240 && status?.phase !== 'awaiting-approval'; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      const shown = await certrot('status', '--workflow-id', WORKFLOW_ID, '--json');
      assert.equal(shown.code, 0, shown.out);
      status = JSON.parse(shown.stdout) as RotationStatus;
    }
    assert.equal(status?.phase, 'awaiting-approval');

    // A client without the keys cannot read the rotation, and says why.
    const blind = await runCommand(certrotBin, ['status', '--workflow-id', WORKFLOW_ID, '--json'], { CERTROT_TEMPORAL_ADDRESS: address, CERTROT_CODEC_KEYS: '' });
    assert.notEqual(blind.code, 0, blind.out);
    assert.match(blind.out, /encrypted/i);

    const approved = await certrot('approve', '--workflow-id', WORKFLOW_ID, '--approver', 'acme', '--fingerprint', status.newCertificate!.spkiFingerprint);
    assert.equal(approved.code, 0, approved.out);
    const watched = await certrot('status', '--workflow-id', WORKFLOW_ID, '--watch', '--interval', '0.5');
    assert.equal(watched.code, 0, watched.out);
    assert.match(watched.out, /phase\s+completed \(completed\)/);

    // History as the server stores it: every payload encrypted, nothing readable.
    const raw = await runCommand(temporalCli, ['workflow', 'show', '--address', address, '--workflow-id', WORKFLOW_ID, '--output', 'json'], {});
    assert.equal(raw.code, 0, raw.out);
    const rawEvents = (JSON.parse(raw.stdout) as { events: ShownEvent[] }).events;
    const payloads = payloadsIn<string>(rawEvents);
    assert.ok(payloads.length >= 20, `a rotation's history holds many payloads (${payloads.length})`);
    for (const payload of payloads) {
      assert.equal(metadataText(payload.metadata?.encoding), 'binary/encrypted', `every payload is encrypted: ${JSON.stringify(payload).slice(0, 200)}`);
      assert.equal(metadataText(payload.metadata?.['encryption-key-id']), key.id);
      assert.ok(!Buffer.from(payload.data ?? '', 'base64').toString('latin1').includes(CERTIFICATE));
    }

    // The same history through the codec server, as the temporal CLI (and the UI) read it.
    const decoded = await runCommand(
      temporalCli,
      ['workflow', 'show', '--address', address, '--workflow-id', WORKFLOW_ID, '--output', 'json', '--codec-endpoint', codecUrl, '--codec-auth', `Bearer ${codecToken}`],
      {},
    );
    assert.equal(decoded.code, 0, decoded.out);
    assert.ok(decoded.stdout.includes(CERTIFICATE) || decoded.stdout.includes(Buffer.from(`"${CERTIFICATE}"`).toString('base64').slice(0, 8)), 'decoded history names the certificate');
    const decodedStart = (JSON.parse(decoded.stdout) as { events: ShownEvent[] }).events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const input = JSON.parse(Buffer.from(decodedStart.data ?? '', 'base64').toString('utf8')) as { org: string; certificate: string };
    assert.deepEqual([input.org, input.certificate], ['demo', CERTIFICATE]);
    const refused = await runCommand(temporalCli, ['workflow', 'show', '--address', address, '--workflow-id', WORKFLOW_ID, '--codec-endpoint', codecUrl, '--codec-auth', 'Bearer wrong-token-0123456789'], {});
    assert.notEqual(refused.code, 0, 'a wrong codec token decodes nothing');

    // The worker's Prometheus endpoint: product metrics and the SDK's own.
    const scrape = await (await fetch(metricsUrl)).text();
    assert.match(scrape, new RegExp(`^${METRIC_NAMES.rotations}\\{[^}]*outcome="completed"[^}]*\\} 1$`, 'm'));
    assert.match(scrape, new RegExp(`^${METRIC_NAMES.mismatchWindow}_count\\{[^}]*\\} 1$`, 'm'));
    // As long as Salesforce lets a 2048-bit certificate created today live (CA/Browser Forum schedule).
    const lifetime = salesforceLifetimeDays(2048, new Date());
    const days = new RegExp(`^${METRIC_NAMES.daysUntilExpiry}\\{[^}]*certificate="${status.newCertificate!.uniqueName}"[^}]*\\} (\\d+(?:\\.\\d+)?)`, 'm').exec(scrape);
    assert.ok(days && Number(days[1]) > lifetime - 2 && Number(days[1]) <= lifetime + 1, `days until expiry of the new certificate: ${days?.[1] ?? 'missing'} (lifetime ${lifetime})`);
    assert.match(scrape, /^temporal_workflow_completed\{/m);
    assert.match(scrape, /^temporal_activity_execution_latency_count\{/m);

    // docker-compose.yml's worker healthcheck, run as it is against this worker's endpoint.
    const compose = parseYaml(await readFile(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: { worker: { healthcheck: { test: string[] }; environment: Record<string, string> } };
    };
    const composePort = compose.services.worker.environment.CERTROT_METRICS_ADDRESS!.split(':')[1]!;
    const probe = compose.services.worker.healthcheck.test[3]!.replace(`:${composePort}/`, `:${new URL(metricsUrl).port}/`);
    const healthy = await runCommand(process.execPath, ['-e', probe], {});
    assert.equal(healthy.code, 0, `the compose worker healthcheck fails against a running worker: ${healthy.out}`);
  });
});

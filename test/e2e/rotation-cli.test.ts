/**
 * End to end as operators run it: the dev server, the sandbox org, the sandbox vendor and
 * the worker are separate processes; the rotation is driven only through the certrot CLI.
 * The worker is killed (SIGKILL) mid-rotation and a new one finishes the job.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RotationStatus } from '../../src/domain/rotation';
import { createJsforceOrg } from '../../src/salesforce/jsforce-org';
import { HttpVendorRegistry } from '../../src/vendors/http-registry';
import { DEMO_CONSUMER_KEY, DEMO_USERNAME, DEMO_VENDOR_FIXTURE } from '../../src/sandbox/world';
import { certrotBin, processGroup, runCommand, writeSandboxWorkerConfig } from '../support/processes';

const { start, stop, stopAll } = processGroup();

describe('certrot CLI, worker and sandboxes as separate processes on the dev server', () => {
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  let orgUrl = '';
  let vendorUrl = '';
  const token = 'e2e-vendor-token-0123456789';

  function cli(...args: string[]): Promise<{ code: number; out: string }> {
    return runCommand(certrotBin, args, env);
  }

  async function status(): Promise<RotationStatus> {
    const result = await cli('status', '--org', 'demo', '--certificate', 'Vendor_Signing', '--json');
    assert.equal(result.code, 0, result.out);
    return JSON.parse(result.out) as RotationStatus;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certrot-e2e-'));
    const server = start(['dev-server', '--port', '0', '--ui-port', '0', '--db-filename', join(dir, 'temporal.db')]);
    const [, address] = await server.waitFor(/Temporal dev server: (127\.0\.0\.1:\d+)/);
    env = { CERTROT_TEMPORAL_ADDRESS: address, E2E_VENDOR_TOKEN: token };
    const org = start(['sandbox', 'org', '--port', '0', '--jwt-key-out', join(dir, 'jwt.pem')]);
    [, orgUrl = ''] = await org.waitFor(/Sandbox Salesforce org: (http:\/\/127\.0\.0\.1:\d+)/);
    const vendor = start(['sandbox', 'vendor', '--port', '0', '--tls-port', '0', '--token', token, '--fixture', DEMO_VENDOR_FIXTURE, '--ca-dir', join(dir, 'ca')]);
    [, vendorUrl = ''] = await vendor.waitFor(/registry API: (http:\/\/127\.0\.0\.1:\d+)/);

    // Before certrot, the vendor trusts the org's current certificate (an admin set this up once).
    const salesforce = createJsforceOrg({ auth: { kind: 'jwt', loginUrl: orgUrl, consumerKey: DEMO_CONSUMER_KEY, username: DEMO_USERNAME, privateKeyPath: join(dir, 'jwt.pem') } });
    const current = await salesforce.getCertificate('Vendor_Signing');
    const registry = new HttpVendorRegistry({ baseUrl: vendorUrl, bearerToken: token });
    const fingerprint = await registry.stageKey('demo-single-key', current.certificatePem!);
    await registry.activateKey('demo-single-key', fingerprint);

    // The worker's configuration file: secrets come from the environment, not the file.
    await writeSandboxWorkerConfig(join(dir, 'worker.yaml'), { orgUrl, vendorUrl, tokenVariable: 'E2E_VENDOR_TOKEN' });
  });

  after(async () => {
    await stopAll();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rotates through the CLI, survives a killed worker, and refuses what it must', async () => {
    const worker = start(['worker', '--config', join(dir, 'worker.yaml')], env);
    await worker.waitFor(/certrot worker polling task queue "certrot-rotations"/);

    const rotate = ['rotate', '--org', 'demo', '--certificate', 'Vendor_Signing', '--vendor', 'acme', '--strategy', 'simultaneous', '--grace-period', '5 seconds'];
    const started = await cli(...rotate);
    assert.equal(started.code, 0, started.out);
    assert.match(started.out, /started rotation rotate\/demo\/Vendor_Signing/);
    const again = await cli(...rotate);
    assert.notEqual(again.code, 0);
    assert.match(again.out, /certrot: a rotation of Vendor_Signing in org demo is already running \(workflow rotate\/demo\/Vendor_Signing\)/);

    let current = await status();
    for (let i = 0; i < 120 && current.phase !== 'awaiting-approval'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      current = await status();
    }
    assert.equal(current.phase, 'awaiting-approval');

    // The worker dies hard; a new one takes over the same rotation.
    await stop(worker, 'SIGKILL');
    const replacement = start(['worker', '--config', join(dir, 'worker.yaml')], env);
    await replacement.waitFor(/certrot worker polling/);

    const wrong = await cli('approve', '--org', 'demo', '--certificate', 'Vendor_Signing', '--approver', 'acme', '--fingerprint', current.oldCertificate!.spkiFingerprint);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.out, /certrot: refused: fingerprint: .* is not the new certificate's SPKI fingerprint/);
    assert.equal(wrong.out.trim().split('\n').length, 1, 'an error is one line');

    const approved = await cli('approve', '--org', 'demo', '--certificate', 'Vendor_Signing', '--approver', 'acme', '--fingerprint', current.newCertificate!.spkiFingerprint);
    assert.equal(approved.code, 0, approved.out);
    assert.match(approved.out, /approved; window/);

    const watched = await cli('status', '--org', 'demo', '--certificate', 'Vendor_Signing', '--watch', '--interval', '0.5');
    assert.equal(watched.code, 0, watched.out);
    assert.match(watched.out, /cleaning-up[\s\S]*completed/);
    assert.match(watched.out, /phase\s+completed \(completed\)/);
    assert.match(watched.out, /\[ok\] signature:/);

    const listed = await cli('list', '--certificate', 'Vendor_Signing');
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /rotate\/demo\/Vendor_Signing\s+COMPLETED\s+completed/);

    const final = await status();
    const certificates = (await (await fetch(`${orgUrl}/__sandbox/state`)).json()) as { certificates: { uniqueName: string; deleted: boolean }[] };
    const live = certificates.certificates.filter((c) => !c.deleted).map((c) => c.uniqueName);
    assert.equal(live.filter((name) => name.startsWith('Vendor_Signing')).length, 1, 'exactly one Vendor_Signing certificate: the new one');
    assert.ok(live.includes(final.newCertificate!.uniqueName));
    await stop(replacement);
  });
});

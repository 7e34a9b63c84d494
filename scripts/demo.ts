/**
 * `npm run demo`: two complete rotations on a local Temporal dev server against the bundled
 * sandbox org and vendor — one `simultaneous` (the vendor holds one key), one `overlap`
 * (the vendor trusts both keys during the switch). The script plays the provisioning team:
 * it reads the key the vendor received and approves with that key's fingerprint.
 *
 * Payloads are encrypted as in production: a fresh AES-256-GCM key for this run, used by the
 * worker and the client, and a codec server that the dev server's Web UI is pointed at
 * (`--ui-codec-endpoint`), so the UI shows history decoded once the operator signs in.
 *
 *   npm run demo              run both rotations, print what happened, stop everything
 *   npm run demo -- --keep    leave the dev server (and its Web UI) running afterwards
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { formatStatus } from '../src/cli/format-status';
import { startCodecServer, type RunningCodecServer } from '../src/codec/codec-server';
import { dataConverterFor } from '../src/codec/data-converter';
import { ENCRYPTED_ENCODING, generateKey, loadKeyRing, METADATA_ENCODING } from '../src/codec/encryption-codec';
import { payloadsIn } from '../src/codec/history-payloads';
import { formatDuration } from '../src/domain/durations';
import { rotationWorkflowId, type RotationRequest, type RotationStatus, type Strategy } from '../src/domain/rotation';
import { SEARCH_ATTRIBUTE_KEYS } from '../src/domain/search-attributes';
import { DEMO_CERTIFICATE, startSandboxWorld, WORLD_ORGS, type SandboxWorld } from '../src/sandbox/world';
import { freePort } from '../src/temporal/binaries';
import { startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import { startRotationWorker } from '../src/workers/rotation-worker';
import { approveUpdate, statusQuery } from '../src/workflows/messages';

const keep = process.argv.includes('--keep');
const say = (line = ''): void => console.log(line);

/** This run's payload key: worker and client encrypt with it, the codec server decodes with it. */
const codecKey = generateKey();
const workerEnv = { CERTROT_CODEC_KEYS: `${codecKey.id}:${codecKey.base64}` };
const keyRing = loadKeyRing(workerEnv);

async function waitFor(handle: WorkflowHandle, predicate: (s: RotationStatus) => boolean, shown: { count: number }): Promise<RotationStatus> {
  for (;;) {
    const status = await handle.query(statusQuery);
    for (const entry of status.timeline.slice(shown.count)) say(`    ${entry.at}  ${entry.phase}${entry.note ? `  — ${entry.note}` : ''}`);
    shown.count = status.timeline.length;
    if (predicate(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function describeWorld(world: SandboxWorld, vendorOrgId: string, status: RotationStatus): Promise<void> {
  const targets = (await world.salesforce.discoverReferenceTargets()).map(({ object, field, kind }) => ({ object, field, kind }));
  say('  Salesforce org now:');
  for (const certificate of await world.salesforce.listCertificates()) {
    const references = await world.salesforce.findReferences(certificate.uniqueName, targets);
    say(`    certificate ${certificate.uniqueName} (expires ${certificate.expiresAt ?? '?'}) — ${references.length} reference(s)`);
    for (const r of references) say(`      ${r.object}.${r.field} [${r.scope}${r.owner ? `: ${r.owner}` : ''}]`);
  }
  say(`  Vendor registry (org ${vendorOrgId}) now:`);
  for (const key of await world.registry.listKeys(vendorOrgId)) {
    const which =
      key.fingerprint === status.newCertificate?.spkiFingerprint ? ' (new)' : key.fingerprint === status.oldCertificate?.spkiFingerprint ? ' (old)' : '';
    say(`    ${key.state.padEnd(7)} ${key.fingerprint}${which}`);
  }
}

/** What Temporal holds of the rotation: how many payloads, and how many of them encrypted. */
async function describeHistory(client: Client, workflowId: string): Promise<void> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
  const payloads = payloadsIn<Uint8Array>(history?.events ?? []);
  const encrypted = payloads.filter((p) => Buffer.from(p.metadata?.[METADATA_ENCODING] ?? []).toString() === ENCRYPTED_ENCODING).length;
  say(`  Temporal history: ${history?.events?.length ?? 0} events, ${payloads.length} payloads, ${encrypted} of them ${ENCRYPTED_ENCODING} (key ${codecKey.id})`);
}

async function rotate(server: RunningDevServer, strategy: Strategy): Promise<RotationStatus> {
  const org = strategy === 'overlap' ? WORLD_ORGS.multiKey : WORLD_ORGS.singleKey;
  const dir = await mkdtemp(join(tmpdir(), 'certrot-demo-'));
  const world = await startSandboxWorld({ dir });
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await startRotationWorker(world.config, { connection, env: workerEnv });
  const clientConnection = await Connection.connect({ address: server.address });
  try {
    say(`\n=== ${strategy} rotation of ${DEMO_CERTIFICATE} (org "${org.alias}", vendor org ${org.vendorOrgId}) ===`);
    say(`  sandbox org ${world.org.url}   sandbox vendor ${world.vendor.url}`);
    const client = new Client({ connection: clientConnection, dataConverter: dataConverterFor(keyRing) });
    const request: RotationRequest = { org: org.alias, certificate: DEMO_CERTIFICATE, vendor: 'acme', strategy, gracePeriod: '15 seconds' };
    const workflowId = rotationWorkflowId(org.alias, DEMO_CERTIFICATE);
    const handle = await client.workflow.start('rotateCertificate', {
      taskQueue: world.config.temporal.taskQueue,
      workflowId,
      args: [request],
      staticSummary: `Rotate ${DEMO_CERTIFICATE} in ${org.alias} (${strategy}, demo)`,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.CertificateName, value: DEMO_CERTIFICATE },
        { key: SEARCH_ATTRIBUTE_KEYS.OrgAlias, value: org.alias },
      ],
    });
    say(`  started workflow ${workflowId} — watch it at ${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    const shown = { count: 0 };
    await waitFor(handle, (s) => s.phase === 'awaiting-approval' || s.outcome !== null, shown);

    // The provisioning team installs the key the vendor received, then approves with its fingerprint.
    const staged = (await world.registry.listKeys(org.vendorOrgId)).find((k) => k.state === 'staged');
    if (!staged) throw new Error('the vendor received no key');
    say(`  [provisioning team] received key ${staged.fingerprint}; approving`);
    say(`    (same as: certrot approve --workflow-id ${workflowId} --approver acme-provisioning --fingerprint ${staged.fingerprint})`);
    const approved = await handle.executeUpdate(approveUpdate, { args: [{ approver: 'acme-provisioning', fingerprint: staged.fingerprint }] });
    say(`  [provisioning team] approved; window ${approved.window.start} -> ${approved.window.end}`);

    const status = (await handle.result()) as RotationStatus;
    await waitFor(handle, () => true, shown).catch(() => undefined);
    say('');
    say(formatStatus(status).replace(/^/gm, '  '));
    say('');
    await describeWorld(world, org.vendorOrgId, status);
    await describeHistory(client, workflowId);
    return status;
  } finally {
    await worker.shutdown();
    await connection.close();
    await clientConnection.close();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = Date.now();
  say('certrot demo: starting a local Temporal dev server (first run installs it from PyPI into ~/.cache/certrot) ...');
  // The UI's port comes first: the codec server lets exactly that browser origin in.
  const uiPort = await freePort();
  const codecToken = randomBytes(24).toString('base64url');
  const codec: RunningCodecServer = await startCodecServer({ keyRing, token: codecToken, uiOrigin: `http://127.0.0.1:${uiPort}`, port: 0 });
  let server: RunningDevServer;
  try {
    server = await startDevServer({ uiPort, uiCodecEndpoint: codec.url, log: (line) => say(`  ${line}`) });
  } catch (error) {
    await codec.close();
    throw error;
  }
  say(`Temporal dev server ${server.address}`);
  say(`Temporal Web UI     ${server.uiUrl}`);
  say(`Codec server        ${codec.url} (payloads are AES-256-GCM encrypted with key ${codecKey.id}, made for this run)`);
  const results: Record<string, RotationStatus> = {};
  let tokenDir: string | undefined;
  let failed = false;
  try {
    for (const strategy of ['simultaneous', 'overlap'] as const) {
      results[strategy] = await rotate(server, strategy);
      if (results[strategy].outcome !== 'completed') failed = true;
    }
    say('\n=== summary ===');
    for (const [strategy, status] of Object.entries(results)) {
      say(
        `  ${strategy.padEnd(12)} ${status.outcome ?? status.phase}; ${status.referencesChanged.length} references switched; ` +
          `mismatch window ${status.mismatchWindowMs === null ? 'n/a' : formatDuration(status.mismatchWindowMs)}; verification ${status.verification?.passed ? 'passed' : 'FAILED'}`,
      );
    }
    say(`  total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (keep) {
      say(`\nThe dev server keeps running: ${server.uiUrl} (Ctrl+C to stop)`);
      say('To see the rotations decoded in the Web UI:');
      // The token goes to a private file, not the terminal: it unlocks every payload of this run.
      tokenDir = await mkdtemp(join(tmpdir(), 'certrot-demo-codec-'));
      const tokenFile = join(tokenDir, 'codec-token');
      await writeFile(tokenFile, `${codecToken}\n`, { mode: 0o600 });
      say(`  1. sign in at ${codec.loginUrl} with this run's codec token: cat ${tokenFile}`);
      say(`  2. in the UI, "Codec Server" (top bar): use the browser endpoint ${codec.url} and turn on "Include cross-origin credentials"`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await server.stop();
    await codec.close();
    if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
  }
  if (failed) {
    console.error('demo: a rotation did not complete');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

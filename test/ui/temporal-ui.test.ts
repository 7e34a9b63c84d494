/**
 * Operating certrot from the Temporal Web UI, in a real browser (Debian's Chromium driven by
 * playwright-core), with every payload encrypted:
 *
 *   dev server + embedded UI (--ui-codec-endpoint) | codec server | sandbox org + vendor | worker
 *
 * The browser signs in at the codec server, turns on "Include cross-origin credentials" in the
 * UI's codec settings, starts a rotation from the Start Workflow form (the UI encodes the JSON
 * input through the codec server), finds it in the list filtered by CertificateName, reads the
 * fingerprint to approve from the workflow's current details, and sends the `approve` signal
 * from Workflow actions. The rotation must complete. Screenshots of every step go to
 * test-artifacts/ui/ (git-ignored).
 *
 * Without /usr/bin/chromium the test skips, unless CERTROT_REQUIRE_BROWSER is set (CI sets it),
 * in which case it fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startCodecServer, type RunningCodecServer } from '../../src/codec/codec-server';
import { dataConverterFor } from '../../src/codec/data-converter';
import { ENCRYPTED_ENCODING, generateKey, loadKeyRing } from '../../src/codec/encryption-codec';
import { rotationWorkflowId, type RotationRequest, type RotationStatus } from '../../src/domain/rotation';
import { DEMO_CERTIFICATE, startSandboxWorld, WORLD_ORGS, type SandboxWorld } from '../../src/sandbox/world';
import { freePort } from '../../src/temporal/binaries';
import { startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { startRotationWorker, type RunningWorker } from '../../src/workers/rotation-worker';
import { statusQuery } from '../../src/workflows/messages';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'ui');
const REQUIRE_BROWSER = !['', '0', 'false'].includes(process.env.CERTROT_REQUIRE_BROWSER ?? '');
const SKIP =
  !existsSync(CHROMIUM) && !REQUIRE_BROWSER
    ? `${CHROMIUM} is not installed (apt-get install chromium); set CERTROT_REQUIRE_BROWSER=1 to fail instead of skipping`
    : false;

const ORG = WORLD_ORGS.singleKey.alias;
const WORKFLOW_ID = rotationWorkflowId(ORG, DEMO_CERTIFICATE);
const APPROVER = 'acme-provisioning';
const REQUEST: RotationRequest = {
  org: ORG,
  certificate: DEMO_CERTIFICATE,
  vendor: 'acme',
  strategy: 'simultaneous',
  approval: { approvers: [APPROVER], timeout: '1 hour' },
  gracePeriod: '5 seconds',
};
/** Another rotation in the list, which the CertificateName filter must hide. */
const DECOY = { org: WORLD_ORGS.multiKey.alias, certificate: 'Partner_Signing' };
const FINGERPRINT = /[0-9A-F]{2}(?::[0-9A-F]{2}){31}/;

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Polls the element's visible text until it matches. If asked, it refreshes the page every few
 * tries — not after every one: the UI decodes through the codec server after it renders, and a
 * refresh that comes too soon would throw that work away again.
 */
async function waitForText(locator: Locator | (() => Promise<string>), pattern: RegExp, what: string, options: { timeoutMs?: number; refresh?: () => Promise<void> } = {}): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let text = '';
  for (let attempt = 1; ; attempt++) {
    text = (await (typeof locator === 'function' ? locator() : locator.innerText({ timeout: 5_000 })).catch(() => '')) ?? '';
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`${what}: ${String(pattern)} never appeared; last text:\n${text.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (attempt % 5 === 0) await options.refresh?.();
  }
}

/**
 * The page's main text plus the text of every frame in it: the UI renders user metadata (the
 * current details are Markdown) inside a sandboxed iframe, which `innerText` of the page leaves out.
 */
async function textWithFrames(page: Page): Promise<string> {
  const parts = [await page.locator('main').innerText({ timeout: 5_000 })];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    parts.push(await frame.locator('body').innerText({ timeout: 5_000 }).catch(() => ''));
  }
  return parts.join('\n');
}

describe('operating certrot from the Temporal Web UI (Chromium, encrypted payloads)', { skip: SKIP }, () => {
  const token = randomBytes(24).toString('base64url');
  const generated = generateKey();
  const codecKeys = `${generated.id}:${generated.base64}`;
  const keyRing = loadKeyRing({ CERTROT_CODEC_KEYS: codecKeys });
  let dir = '';
  let codec: RunningCodecServer | undefined;
  let server: RunningDevServer | undefined;
  let world: SandboxWorld | undefined;
  let workerConnection: NativeConnection | undefined;
  let worker: RunningWorker | undefined;
  let clientConnection: Connection | undefined;
  let client: Client | undefined;
  let browser: BrowserContext | undefined;

  async function stopAll(): Promise<void> {
    // Reverse order of start; each step on its own so one failure does not leave the rest running.
    // The steps hold what was running now: the variables are cleared before any step runs.
    const [b, w, wc, cc, wd, s, c, d] = [browser, worker, workerConnection, clientConnection, world, server, codec, dir];
    const steps: [string, (() => Promise<unknown>) | undefined][] = [
      ['browser', b && (() => b.close())],
      ['worker', w && (() => w.shutdown())],
      ['worker connection', wc && (() => wc.close())],
      ['client connection', cc && (() => cc.close())],
      ['sandbox world', wd && (() => wd.close())],
      ['dev server', s && (() => s.stop())],
      ['codec server', c && (() => c.close())],
      ['temporary folder', d ? () => rm(d, { recursive: true, force: true }) : undefined],
    ];
    browser = worker = workerConnection = clientConnection = world = server = codec = undefined;
    dir = '';
    for (const [name, stop] of steps) {
      if (!stop) continue;
      await within(30_000, `stopping the ${name}`, stop()).catch((error: unknown) => console.error(`could not stop the ${name}: ${String(error)}`));
    }
  }

  before(
    async () => {
      if (!existsSync(CHROMIUM)) {
        throw new Error(`CERTROT_REQUIRE_BROWSER is set but ${CHROMIUM} is missing: install it (apt-get install -y --no-install-recommends chromium)`);
      }
      try {
        await rm(ARTIFACTS, { recursive: true, force: true });
        await mkdir(ARTIFACTS, { recursive: true });
        dir = await mkdtemp(join(tmpdir(), 'certrot-ui-'));
        // The UI's port is chosen first: the codec server must know the UI origin it lets in.
        const uiPort = await freePort('127.0.0.1');
        codec = await startCodecServer({ keyRing, token, uiOrigin: `http://127.0.0.1:${uiPort}`, host: '127.0.0.1', port: 0 });
        server = await startDevServer({ uiPort, uiCodecEndpoint: codec.url, log: (line) => console.error(line) });
        world = await startSandboxWorld({ dir: join(dir, 'world') });
        workerConnection = await NativeConnection.connect({ address: server.address });
        // The worker reads its keys the way `certrot worker` does: CERTROT_CODEC_KEYS.
        worker = await startRotationWorker(world.config, { connection: workerConnection, env: { CERTROT_CODEC_KEYS: codecKeys } });
        clientConnection = await Connection.connect({ address: server.address });
        client = new Client({ connection: clientConnection, dataConverter: dataConverterFor(keyRing) });
        browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
          executablePath: CHROMIUM,
          headless: true,
          viewport: { width: 1400, height: 1000 },
          timeout: 60_000,
          // playwright-core refuses --user-data-dir in args: launchPersistentContext gives it the fresh folder.
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        });
      } catch (error) {
        await stopAll();
        throw error;
      }
    },
    { timeout: 240_000 },
  );

  after(() => stopAll(), { timeout: 120_000 });

  it('signs in to the codec server, starts a rotation from the form, filters, approves by signal, and the rotation completes', { timeout: 300_000 }, async () => {
    assert.ok(browser && codec && server && client && world, 'the stack did not start');
    const ui = server.uiUrl;
    const page: Page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(30_000);
    page.setDefaultNavigationTimeout(60_000);
    let step = 0;
    const shot = async (name: string): Promise<void> => {
      step += 1;
      await page.screenshot({ path: join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
    };
    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    // Every call the UI makes to the codec server, with its status and whether the cookie went along.
    const codecCalls: Promise<{ path: string; status: number; cookie: boolean }>[] = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin !== codec!.url || !['/encode', '/decode'].includes(url.pathname) || response.request().method() !== 'POST') return;
      codecCalls.push(
        response
          .request()
          .headerValue('cookie')
          .then((cookie) => ({ path: url.pathname, status: response.status(), cookie: (cookie ?? '').includes('certrot_codec_session=') })),
      );
    });

    try {
      // 1. Sign in at the codec server: the UI cannot send its token, the browser keeps a cookie.
      await page.goto(codec.loginUrl);
      await page.getByLabel(/Codec server token/).fill(token);
      await shot('codec-sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Signed in until').waitFor();
      await shot('codec-signed-in');
      const [cookie] = await browser.cookies(codec.url);
      assert.ok(cookie, 'the codec server set no cookie');
      assert.equal(cookie.name, 'certrot_codec_session');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Strict');
      assert.equal(cookie.value.includes(token), false, 'the cookie is not the token');

      // 2. Codec Server settings: the dev server cannot set includeCredentials cluster-wide, and
      //    the UI honours the browser's switch only with the browser's own endpoint.
      await page.goto(`${ui}/namespaces/default/workflows`);
      await page.getByRole('button', { name: /^Codec Server/ }).click();
      const settings = page.locator('dialog[open]');
      await settings.getByTestId('use-local-endpoint-input').check();
      await settings.getByTestId('data-encoder-endpoint-input').fill(codec.url);
      const includeCredentials = settings.getByRole('switch', { name: 'Include cross-origin credentials' });
      if (!(await includeCredentials.isChecked())) await settings.getByTestId('data-encoder-include-credentials').click();
      assert.equal(await includeCredentials.isChecked(), true, 'the "Include cross-origin credentials" switch did not turn on');
      await shot('codec-settings');
      await settings.getByRole('button', { name: 'Apply' }).click();
      await settings.waitFor({ state: 'hidden' });
      // Evaluated in the page as text: this file is compiled without the DOM library.
      assert.equal(await page.evaluate("localStorage.getItem('includeCredentials')"), 'true');

      // 3. Start Workflow, with the rotation request as JSON input.
      await page.getByRole('link', { name: 'Start Workflow' }).click();
      await page.getByLabel('Workflow ID').fill(WORKFLOW_ID);
      await page.getByLabel('Task Queue').fill(world.config.temporal.taskQueue);
      await page.getByLabel('Workflow Type').fill('rotateCertificate');
      await page.getByRole('textbox', { name: 'Data' }).click();
      await page.keyboard.insertText(JSON.stringify(REQUEST));
      // Leaving the editor reformats the JSON and moves the button: leave it before clicking.
      await page.getByLabel('Workflow Type').click();
      await page.getByText('Task Queue is Active').waitFor();
      await shot('start-workflow-form');
      await page.getByTestId('start-workflow-button').click();
      await page.getByRole('link', { name: 'Workflow started successfully' }).waitFor();
      await shot('workflow-started');

      // The input reached Temporal encrypted: the UI encoded it through the codec server.
      const history = await client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: WORKFLOW_ID } });
      const input = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      assert.equal(Buffer.from(input?.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING, 'the start input in history is not encrypted');
      assert.equal(Buffer.from(input?.data ?? []).includes(DEMO_CERTIFICATE), false);

      // A second rotation, so the filter has something to leave out.
      await client.workflow.start('rotateCertificate', {
        taskQueue: world.config.temporal.taskQueue,
        workflowId: rotationWorkflowId(DECOY.org, DECOY.certificate),
        args: [{ org: DECOY.org, certificate: DECOY.certificate, vendor: 'acme' }],
      });

      // 4. The list, filtered by the CertificateName search attribute in the query box.
      await page.getByRole('link', { name: 'Back to Workflows' }).click().catch(() => page.goto(`${ui}/namespaces/default/workflows`));
      await page.getByTestId('toggle-manual-query').click();
      await page.getByPlaceholder('Enter a query').fill(`CertificateName = "${DEMO_CERTIFICATE}"`);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/query=CertificateName/);
      const table = page.getByRole('table', { name: 'Workflows' });
      // Search attributes are indexed a moment after the workflow sets them.
      await waitForText(table, new RegExp(WORKFLOW_ID.replace(/\//g, '\\/')), 'the filtered workflow list', {
        timeoutMs: 60_000,
        refresh: () => page.getByRole('button', { name: 'Refresh' }).click(),
      });
      assert.doesNotMatch(await table.innerText(), new RegExp(DECOY.certificate), 'the CertificateName filter let the other rotation through');
      await shot('filtered-list');
      await table.getByRole('link', { name: WORKFLOW_ID, exact: true }).first().click();

      // 5. The workflow page shows the input decoded, not "binary/encrypted".
      const inputAndResult = page.getByTestId('input-and-result');
      const shown = await waitForText(inputAndResult, /"certificate": "Vendor_Signing"/, 'the decoded input');
      assert.match(shown, /"org": "demo"/);
      assert.doesNotMatch(shown, /binary\/encrypted/);

      // 6. Awaiting approval: the current details (decoded too) name the fingerprint to approve.
      const handle = client.workflow.getHandle(WORKFLOW_ID);
      let status: RotationStatus = await handle.query(statusQuery);
      for (let i = 0; i < 120 && status.phase !== 'awaiting-approval' && status.outcome === null; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        status = await handle.query(statusQuery);
      }
      assert.equal(status.phase, 'awaiting-approval', `the rotation is ${status.phase}: ${status.reason ?? ''}`);
      const expected = status.newCertificate!.spkiFingerprint;
      await page.reload();
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      const details = await waitForText(() => textWithFrames(page), /awaiting-approval[\s\S]*approve SPKI fingerprint/, 'the current details', {
        refresh: async () => {
          await page.reload();
          await page.getByRole('tab', { name: 'User Metadata' }).click();
        },
      });
      const fingerprint = FINGERPRINT.exec(details.slice(details.indexOf('approve SPKI fingerprint')))?.[0];
      assert.equal(fingerprint, expected, 'the UI shows the fingerprint the status query reports');
      await shot('awaiting-approval');

      // 7. Workflow actions -> Send a Signal: approve, with the fingerprint read from the UI.
      await page.getByRole('button', { name: 'More Actions' }).click();
      await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
      const signal = page.locator('dialog[open]');
      await signal.getByTestId('signal-select-button').click();
      await signal.getByRole('option', { name: 'approve', exact: true }).click();
      await signal.getByRole('textbox', { name: 'Data' }).click();
      await page.keyboard.insertText(JSON.stringify({ approver: APPROVER, fingerprint }));
      await page.keyboard.press('Tab');
      await shot('approve-signal');
      await signal.getByRole('button', { name: 'Submit' }).click();
      await page.locator('#workflow-signal-success-toast').getByText('Workflow signaled.').waitFor();
      await shot('signal-sent');

      // 8. The rotation completes.
      const result = (await within(120_000, 'the rotation result', handle.result())) as RotationStatus;
      assert.equal(result.outcome, 'completed', `outcome ${String(result.outcome)}: ${result.reason ?? ''}`);
      assert.equal(result.approval?.approver, APPROVER);
      assert.deepEqual(result.ignoredMessages, [], 'the approve signal was accepted');
      assert.equal(result.verification?.passed, true);
      assert.deepEqual(
        result.timeline.filter((entry, i, all) => i === 0 || all[i - 1]!.phase !== entry.phase).map((entry) => entry.phase),
        ['backing-up', 'generating', 'sharing', 'awaiting-approval', 'scheduled', 'applying', 'verifying', 'grace-period', 'cleaning-up', 'completed'],
      );
      await page.getByRole('tab', { name: 'Timeline' }).click();
      await waitForText(inputAndResult, /"phase": "completed"/, 'the decoded result', { timeoutMs: 30_000, refresh: async () => void (await page.reload()) });
      await shot('completed');
      await page.getByRole('tab', { name: 'Search Attributes' }).click();
      await waitForText(page.locator('main'), /"RotationPhase": "completed"/, 'the RotationPhase search attribute');
      await shot('search-attributes');

      // Every codec call the UI made carried the session cookie and was let in.
      const calls = await Promise.all(codecCalls);
      assert.ok(calls.some((c) => c.path === '/encode') && calls.some((c) => c.path === '/decode'), JSON.stringify(calls));
      assert.deepEqual(
        calls.filter((c) => c.status !== 200 || !c.cookie),
        [],
        'a codec call without the cookie, or refused',
      );
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await writeFile(join(ARTIFACTS, 'browser-console.log'), consoleLines.join('\n') + '\n').catch(() => undefined);
    }
  });
});

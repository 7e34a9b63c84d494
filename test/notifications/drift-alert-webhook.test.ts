/**
 * The drift alert by webhook (`inventory.alerts.webhook`), posted to a local HTTP server:
 * Slack-readable `text`, the event and the findings as data, an Idempotency-Key that is the
 * same for the same findings of the same sweep; the transport rules of every webhook
 * (https only except loopback, secrets never echoed, 5xx/429 retryable).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isRotationError } from '../../src/domain/errors';
import { composeDriftAlert, createAlertChannel, DRIFT_ALERT_EVENT } from '../../src/notifications';
import { rejectionOf, startSmtpCapture, startWebhookCapture, type SmtpCapture, type WebhookCapture } from '../vendors/vendor-test-kit';
import { driftInput, FINDINGS } from './drift-findings';

const SECRET_PATH = '/services/T000/B000/drift-s3cret-token';
const TOKEN = 'Bearer drift-header-s3cret';

interface DriftBody {
  text: string;
  event: string;
  noticeId: string;
  findings: unknown;
}

function bodyOf(capture: WebhookCapture, index: number): DriftBody {
  const request = capture.requests[index];
  assert.ok(request, `request ${index} arrived`);
  return JSON.parse(request.body) as DriftBody;
}

describe('drift alert by webhook', () => {
  let hook: WebhookCapture | undefined;
  let smtp: SmtpCapture | undefined;

  before(async () => {
    [hook, smtp] = await Promise.all([startWebhookCapture(), startSmtpCapture()]);
  });
  after(async () => {
    await Promise.all([hook?.close(), smtp?.close()]);
  });
  beforeEach(() => {
    if (hook) {
      hook.requests.length = 0;
      hook.respondWith.status = 200;
    }
    if (smtp) smtp.messages.length = 0;
  });

  function webhook(): { url: string; headers: Record<string, string>; timeoutMs: number } {
    assert.ok(hook, 'the webhook receiver started');
    return { url: `${hook.url}${SECRET_PATH}`, headers: { authorization: TOKEN }, timeoutMs: 5_000 };
  }

  it('posts text, event and findings, keyed by the findings', async () => {
    assert.ok(hook);
    const channel = createAlertChannel({ webhook: webhook() });
    assert.ok(channel);
    assert.equal(channel.describe(), `webhook ${hook.url}`, 'described by origin only');
    const alert = composeDriftAlert(driftInput());
    await channel.send(alert);

    assert.equal(hook.requests.length, 1);
    const request = hook.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, SECRET_PATH);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.authorization, TOKEN);
    const body = bodyOf(hook, 0);
    assert.equal(body.event, 'certrot.inventory.drift');
    assert.equal(body.event, DRIFT_ALERT_EVENT);
    assert.deepEqual(body.findings, FINDINGS);
    assert.ok(body.text.startsWith('[certrot] 3 certificate reference problem(s) in org prod\n\n'), body.text);
    for (const finding of FINDINGS) assert.ok(body.text.includes(finding.detail), finding.detail);
    assert.equal(body.noticeId, alert.noticeId);
    assert.equal(request.headers['idempotency-key'], body.noticeId);
    assert.deepEqual(Object.keys(body).sort(), ['event', 'findings', 'noticeId', 'text'], 'no vendor-notice fields (fingerprint, vendor, ...)');
  });

  it('the same findings of the same sweep carry the same Idempotency-Key; other findings another', async () => {
    const capture = hook;
    assert.ok(capture);
    // Two workers (a retry after a restart): nothing remembered in between, same key.
    for (let i = 0; i < 2; i += 1) await createAlertChannel({ webhook: webhook() })?.send(composeDriftAlert(driftInput()));
    await createAlertChannel({ webhook: webhook() })?.send(composeDriftAlert(driftInput(FINDINGS.slice(1))));
    await createAlertChannel({ webhook: webhook() })?.send(composeDriftAlert(driftInput(FINDINGS, 'renewal-sweep/2025-11-03T06:00Z')));
    const keys = capture.requests.map((r) => r.headers['idempotency-key']);
    assert.equal(keys.length, 4);
    assert.equal(keys[0], keys[1]);
    assert.notEqual(keys[2], keys[0], 'other findings');
    assert.notEqual(keys[3], keys[0], 'another sweep');
    assert.deepEqual(keys, capture.requests.map((_, i) => bodyOf(capture, i).noticeId));
  });

  it('a failing webhook is NOTIFICATION_FAILED without its token; 5xx and 429 are retryable, 404 is not', async () => {
    assert.ok(hook);
    for (const [status, retryable] of [[500, true], [503, true], [429, true], [404, false]] as const) {
      hook.respondWith.status = status;
      const channel = createAlertChannel({ webhook: webhook() });
      assert.ok(channel);
      const error = await rejectionOf(channel.send(composeDriftAlert(driftInput())));
      assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
      assert.equal(error.retryable, retryable, `HTTP ${status}`);
      assert.match(error.message, new RegExp(`answered HTTP ${status}`));
      const shown = `${error.message} ${JSON.stringify(error.details)}`;
      assert.ok(!shown.includes('drift-s3cret-token') && !shown.includes('drift-header-s3cret'), shown);
    }
  });

  it('refuses a plain-http webhook that is not on this machine, naming the key', () => {
    assert.throws(
      () => createAlertChannel({ webhook: { url: 'http://hooks.example.com/services/x' } }),
      (e: unknown) => isRotationError(e, 'CONFIG_INVALID') && e.details.key === 'inventory.alerts.webhook.url' && /https/.test(e.message),
    );
  });

  it('with both channels, a failing webhook does not stop the email, and the retry re-sends only the webhook', async () => {
    assert.ok(hook && smtp);
    const channel = createAlertChannel({ webhook: webhook(), email: { host: '127.0.0.1', port: smtp.port, from: 'certrot@customer.example', to: ['admins@customer.example'], timeoutMs: 5_000 } });
    assert.ok(channel);
    assert.equal(channel.describe(), `webhook ${hook.url} and email via 127.0.0.1:${smtp.port} to admins@customer.example`);
    const alert = composeDriftAlert(driftInput());

    hook.respondWith.status = 502;
    const error = await rejectionOf(channel.send(alert));
    assert.ok(isRotationError(error, 'NOTIFICATION_FAILED'), String(error));
    assert.equal(error.retryable, true);
    assert.match(error.message, /already delivered by email/);
    assert.equal(smtp.messages.length, 1);

    hook.respondWith.status = 200;
    await channel.send(alert);
    assert.equal(smtp.messages.length, 1, 'the email is not sent twice');
    assert.equal(hook.requests.length, 2);
  });
});

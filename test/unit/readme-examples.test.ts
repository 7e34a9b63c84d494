// The configuration examples in README.md must be accepted by the worker's schema, so the
// documentation cannot drift from the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseWorkerConfig } from '../../src/workers/config';
import { resolveRotationRequest } from '../../src/domain/rotation-request';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const blocks = (lang: string): string[] => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');

describe('README examples', () => {
  it('the worker configuration and inventory examples parse, with secrets from the environment', () => {
    const [worker, inventory] = blocks('yaml').map((text) => parse(text) as Record<string, unknown>);
    assert.ok(worker && inventory, 'README has the two YAML examples');
    const env = { SF_CONSUMER_KEY: 'key', ACME_TOKEN: 'token', SMTP_PASSWORD: 'pw', DRIFT_WEBHOOK_URL: 'https://hooks.example/certrot' };
    const config = parseWorkerConfig({ ...worker, ...inventory }, env, '/etc/certrot');
    assert.deepEqual(Object.keys(config.vendors).sort(), ['acme', 'globex']);
    assert.equal(config.inventory?.orgs.prod?.integrations.length, 1);
    assert.throws(() => parseWorkerConfig(worker, {}, '/etc/certrot'), /SF_CONSUMER_KEY.*is not set/);
  });

  it('the metrics example parses and turns the Prometheus endpoint on', () => {
    const metrics = blocks('yaml').map((text) => parse(text) as Record<string, unknown>)[2];
    assert.ok(metrics && 'metrics' in metrics, 'README has the metrics YAML example third');
    const [worker] = blocks('yaml').map((text) => parse(text) as Record<string, unknown>);
    const config = parseWorkerConfig({ ...worker, ...metrics }, { SF_CONSUMER_KEY: 'key', ACME_TOKEN: 'token', SMTP_PASSWORD: 'pw' }, '/etc/certrot');
    assert.equal(config.metrics?.prometheus.bindAddress, '0.0.0.0:9464');
  });

  it('the Temporal UI start input is a valid rotation request', () => {
    const [json] = blocks('json');
    const input = resolveRotationRequest(JSON.parse(json ?? ''), new Date('2026-11-25T00:00:00Z'));
    assert.equal(input.strategy, 'overlap');
    assert.deepEqual(input.approval.approvers, ['alice@acme.example']);
  });
});

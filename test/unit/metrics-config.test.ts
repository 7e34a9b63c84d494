import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysUntil } from '../../src/domain/metrics';
import { isRotationError } from '../../src/domain/errors';
import { parseWorkerConfig } from '../../src/workers/config';

const BASE = { orgs: {}, vendors: {} };

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(isRotationError(error, 'CONFIG_INVALID'), String(error));
    return error.message;
  }
  return assert.fail('expected a configuration error');
}

describe('worker metrics configuration', () => {
  it('is off unless configured', () => {
    assert.equal(parseWorkerConfig(BASE, {}).metrics, undefined);
  });

  it('takes metrics.prometheus.bindAddress from the file, CERTROT_METRICS_ADDRESS over it', () => {
    const fromFile = parseWorkerConfig({ ...BASE, metrics: { prometheus: { bindAddress: '0.0.0.0:9464' } } }, {});
    assert.equal(fromFile.metrics?.prometheus.bindAddress, '0.0.0.0:9464');
    const fromEnv = parseWorkerConfig({ ...BASE, metrics: { prometheus: { bindAddress: '0.0.0.0:9464' } } }, { CERTROT_METRICS_ADDRESS: '127.0.0.1:9999' });
    assert.equal(fromEnv.metrics?.prometheus.bindAddress, '127.0.0.1:9999');
    assert.equal(parseWorkerConfig(BASE, { CERTROT_METRICS_ADDRESS: '[::1]:9464' }).metrics?.prometheus.bindAddress, '[::1]:9464');
  });

  it('names the field and the fix for a bad address', () => {
    assert.match(configError(() => parseWorkerConfig({ ...BASE, metrics: { prometheus: { bindAddress: '9464' } } }, {})), /metrics\.prometheus\.bindAddress: host:port/);
    assert.match(configError(() => parseWorkerConfig({ ...BASE, metrics: { prometheus: {} } }, {})), /metrics\.prometheus\.bindAddress/);
    assert.match(configError(() => parseWorkerConfig(BASE, { CERTROT_METRICS_ADDRESS: 'http://0.0.0.0:9464/metrics' })), /CERTROT_METRICS_ADDRESS: .* is not host:port, such as 0\.0\.0\.0:9464/);
  });
});

describe('days until expiry', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('is fractional days, negative once expired, null when unknown', () => {
    assert.equal(daysUntil('2026-01-31T00:00:00Z', now), 30);
    assert.equal(daysUntil('2026-01-01T12:00:00Z', now), 0.5);
    assert.equal(daysUntil('2025-12-31T00:00:00Z', now), -1);
    assert.equal(daysUntil(null, now), null);
    assert.equal(daysUntil('not a date', now), null);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RotationError } from '../../src/domain/errors';
import { createVendorRegistry, HttpVendorRegistry, ManualVendor, vendorConfigSchema } from '../../src/vendors';

function fieldOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof RotationError && error.code === 'CONFIG_INVALID', String(error));
    return error.details.field;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('vendor configuration', () => {
  it('picks the adapter by type', () => {
    assert.ok(createVendorRegistry({ type: 'http', baseUrl: 'https://registry.vendor.example', bearerToken: 't0ken' }) instanceof HttpVendorRegistry);
    const manual = createVendorRegistry({ type: 'manual', webhook: { url: 'https://hooks.example.com/services/x' } });
    assert.ok(manual instanceof ManualVendor);
    assert.equal(typeof manual.sendCancellation, 'function');
  });

  it('refuses plain http except on loopback, so tokens never travel in clear text', () => {
    assert.equal(fieldOf(() => new HttpVendorRegistry({ baseUrl: 'http://registry.vendor.example', bearerToken: 't0ken' })), 'baseUrl');
    assert.ok(new HttpVendorRegistry({ baseUrl: 'http://127.0.0.1:8480', bearerToken: 't0ken' }));
    assert.equal(fieldOf(() => new ManualVendor({ webhook: { url: 'http://hooks.example.com/x' } })), 'webhook.url');
  });

  it('validates the union with the offending key named', () => {
    const result = vendorConfigSchema.safeParse({ type: 'manual', email: { host: 'smtp.example.com', from: 'a@b.c', to: [] } });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['email', 'to']);
    assert.equal(vendorConfigSchema.safeParse({ type: 'carrier-pigeon' }).success, false);
  });
});

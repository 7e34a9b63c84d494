import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RotationError } from '../../src/domain/errors';
import { createVendor, HttpVendorRegistry, ManualVendor, vendorConfigSchema } from '../../src/vendors';
import { parseWorkerConfig } from '../../src/workers/config';

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
  it('picks the adapter by kind; a vendor without a name is named by its id', () => {
    const registry = createVendor('acme', { kind: 'http', registry: { baseUrl: 'https://registry.vendor.example', bearerToken: 't0ken' } });
    assert.ok(registry instanceof HttpVendorRegistry);
    assert.deepEqual([registry.kind, registry.name], ['registry', 'acme']);
    const team = createVendor('globex', { kind: 'manual', manual: { vendorName: 'Globex', multipleActiveKeys: true, webhook: { url: 'https://hooks.example.com/services/x' } } });
    assert.ok(team instanceof ManualVendor);
    assert.deepEqual([team.kind, team.name, team.multipleActiveKeys], ['team', 'Globex', true]);
    team.close();
  });

  it('is the schema the worker configuration uses', () => {
    const config = parseWorkerConfig({
      orgs: {},
      vendors: {
        acme: { kind: 'http', registry: { baseUrl: 'https://keys.acme.example', bearerToken: 't0ken' } },
        globex: { kind: 'manual', manual: { webhook: { url: 'https://hooks.example.com/services/x' } } },
      },
    });
    assert.deepEqual(Object.entries(config.vendors).map(([id, vendor]) => [id, vendor.kind]), [['acme', 'http'], ['globex', 'manual']]);
    const acme = config.vendors.acme;
    assert.ok(acme?.kind === 'http');
    assert.equal(acme.registry.timeoutMs, 30_000, 'the default total deadline of a registry request');
    assert.throws(
      () => parseWorkerConfig({ orgs: {}, vendors: { acme: { type: 'http', baseUrl: 'https://keys.acme.example', bearerToken: 't' } } }),
      (error: unknown) => error instanceof RotationError && /vendors\.acme/.test(error.message),
    );
  });

  it('refuses plain http except on loopback, so tokens never travel in clear text', () => {
    assert.equal(fieldOf(() => new HttpVendorRegistry({ baseUrl: 'http://registry.vendor.example', bearerToken: 't0ken' })), 'baseUrl');
    assert.ok(new HttpVendorRegistry({ baseUrl: 'http://127.0.0.1:8480', bearerToken: 't0ken' }));
    assert.equal(fieldOf(() => new ManualVendor({ webhook: { url: 'http://hooks.example.com/x' } })), 'webhook.url');
  });

  it('validates the union with the offending key named', () => {
    const result = vendorConfigSchema.safeParse({ kind: 'manual', manual: { email: { host: 'smtp.example.com', from: 'a@b.c', to: [] } } });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ['manual', 'email', 'to']);
    assert.equal(vendorConfigSchema.safeParse({ kind: 'carrier-pigeon' }).success, false);
  });
});

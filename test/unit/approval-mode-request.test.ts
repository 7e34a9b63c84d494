import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInventoryConfig } from '../../src/domain/inventory-config';
import { rotationRequest } from '../../src/domain/renewal/renewal-request';
import { approvalModeProblem, resolveRotationRequest } from '../../src/domain/rotation-request';

const NOW = new Date('2026-11-25T10:00:00Z');
const BASE = { org: 'prod', certificate: 'Vendor_Signing', vendor: 'acme' };

function refusal(raw: unknown): string {
  try {
    resolveRotationRequest(raw, NOW);
  } catch (error) {
    return (error as Error).message;
  }
  return assert.fail('the request should have been refused');
}

describe('approval mode in the rotation request', () => {
  it('defaults to manual, polling every minute', () => {
    const input = resolveRotationRequest(BASE, NOW);
    assert.equal(input.approval.mode, 'manual');
    assert.equal(input.approval.pollIntervalMs, 60_000);
  });

  it('takes registry with a poll interval, and continuity', () => {
    const registry = resolveRotationRequest({ ...BASE, approval: { mode: 'registry', pollInterval: '30 seconds' } }, NOW);
    assert.deepEqual([registry.approval.mode, registry.approval.pollInterval, registry.approval.pollIntervalMs], ['registry', '30 seconds', 30_000]);
    assert.equal(resolveRotationRequest({ ...BASE, approval: { mode: 'continuity' } }, NOW).approval.mode, 'continuity');
  });

  it('refuses bad values naming the field', () => {
    assert.match(refusal({ ...BASE, approval: { mode: 'auto' } }), /approval\.mode: one of "manual", "registry", "continuity"/);
    assert.match(refusal({ ...BASE, approval: { pollInterval: '5 seconds' } }), /approval\.pollInterval: between 10 seconds and 1 day/);
    assert.match(refusal({ ...BASE, approval: { pollInterval: '2 days' } }), /approval\.pollInterval: between 10 seconds and 1 day/);
    assert.match(refusal({ ...BASE, approval: { pollInterval: 'often' } }), /approval\.pollInterval: write a number and a unit/);
    assert.match(refusal({ ...BASE, approval: { pollInterval: '9'.repeat(400) + ' days' } }), /approval\.pollInterval: /);
  });

  it('an automatic mode needs a vendor with an API', () => {
    assert.equal(approvalModeProblem('manual', 'team', 'globex'), null);
    assert.equal(approvalModeProblem('registry', 'registry', 'acme'), null);
    assert.match(approvalModeProblem('registry', 'team', 'globex') ?? '', /^approval\.mode: "registry" needs a vendor with a key registry API, but vendor globex is a provisioning team .*use approval\.mode "manual"/);
    assert.match(approvalModeProblem('continuity', 'team', 'globex') ?? '', /"continuity"/);
  });
});

describe('approval mode in the inventory', () => {
  const inventory = (approval: unknown) => ({
    orgs: { prod: { integrations: [{ certificate: 'Vendor_Signing', vendor: 'acme', strategy: 'overlap', window: 'daily 02:00-04:00 UTC', approval }] } },
  });

  it('passes an integration\'s mode and poll interval on to its renewal rotations', () => {
    const config = parseInventoryConfig(inventory({ mode: 'registry', pollInterval: '5 minutes' }));
    const integration = config.orgs.prod!.integrations[0]!;
    const cert = { uniqueName: 'Vendor_Signing', keySize: 2048, caSigned: false } as Parameters<typeof rotationRequest>[1];
    const request = rotationRequest('prod', cert, integration, null, NOW.getTime());
    assert.deepEqual(request.approval, { mode: 'registry', pollInterval: '5 minutes' });
    const input = resolveRotationRequest(request, NOW);
    assert.equal(input.approval.mode, 'registry');
  });

  it('leaves a rotation request unchanged for an integration without approval', () => {
    const raw = inventory(undefined);
    delete (raw.orgs.prod.integrations[0] as { approval?: unknown }).approval;
    const integration = parseInventoryConfig(raw).orgs.prod!.integrations[0]!;
    const cert = { uniqueName: 'Vendor_Signing', keySize: 2048, caSigned: false } as Parameters<typeof rotationRequest>[1];
    assert.deepEqual(rotationRequest('prod', cert, integration, null, NOW.getTime()).approval, {});
  });

  it('refuses a bad mode naming its key path', () => {
    assert.throws(() => parseInventoryConfig(inventory({ mode: 'auto' })), /orgs\.prod\.integrations\[0\]\.approval\.mode: one of/);
    assert.throws(() => parseInventoryConfig(inventory({ pollInterval: '1 second' })), /orgs\.prod\.integrations\[0\]\.approval\.pollInterval: between 10 seconds and 1 day/);
  });
});

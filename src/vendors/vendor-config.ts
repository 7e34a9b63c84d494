/**
 * Choosing a vendor adapter from configuration: `{ type: 'http', ... }` for a vendor with
 * a key-registry API, `{ type: 'manual', ... }` for one with a provisioning team. The worker
 * validates this once at start-up; each adapter validates its own part again in its
 * constructor, so an adapter built by hand in a test is held to the same rules.
 */
import { z } from 'zod';
import { HttpVendorRegistry, httpRegistryConfigSchema, type HttpRegistryDeps } from './http-registry';
import { ManualVendor, manualVendorConfigSchema } from './manual-vendor';

export const vendorConfigSchema = z.discriminatedUnion('type', [
  httpRegistryConfigSchema.safeExtend({ type: z.literal('http') }),
  manualVendorConfigSchema.safeExtend({ type: z.literal('manual') }),
]);
export type VendorConfig = z.input<typeof vendorConfigSchema>;

export function createVendorRegistry(config: VendorConfig, deps: HttpRegistryDeps = {}): HttpVendorRegistry | ManualVendor {
  if (config.type === 'http') {
    const { type: _type, ...http } = config;
    return new HttpVendorRegistry(http, deps);
  }
  const { type: _type, ...manual } = config;
  return new ManualVendor(manual);
}

/**
 * Choosing a vendor adapter from the worker configuration's `vendors.<id>` entry:
 *
 *   acme:   { kind: http,   registry: { baseUrl: ..., bearerToken: ... } }   -> KeyRegistry
 *   globex: { kind: manual, manual:   { email: ..., webhook: ... } }         -> ProvisioningTeam
 *
 * This is the one vendor schema (src/workers/config.ts embeds it) and `createVendor` the one
 * factory. The worker validates the schema once at start-up; each adapter validates its own
 * part again in its constructor, so an adapter built by hand in a test is held to the same
 * rules. A vendor without a `vendorName` is named by its id in messages and notices.
 */
import { z } from 'zod';
import { HttpVendorRegistry, httpRegistryConfigSchema, type HttpRegistryDeps } from './http-registry';
import { ManualVendor, manualVendorConfigSchema, type ManualVendorDeps } from './manual-vendor';
import type { Vendor } from './vendor-port';

export const vendorConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http'), registry: httpRegistryConfigSchema }).strict(),
  z.object({ kind: z.literal('manual'), manual: manualVendorConfigSchema }).strict(),
]);
export type VendorConfig = z.input<typeof vendorConfigSchema>;

export function createVendor(id: string, config: VendorConfig, deps: HttpRegistryDeps = {}, teamDeps: ManualVendorDeps = {}): Vendor {
  if (config.kind === 'http') return new HttpVendorRegistry({ ...config.registry, vendorName: config.registry.vendorName ?? id }, deps);
  return new ManualVendor({ ...config.manual, vendorName: config.manual.vendorName ?? id }, teamDeps);
}

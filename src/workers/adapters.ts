/**
 * Turns the validated configuration into the adapters the activities use: one jsforce
 * org per configured org (its calls bounded by the org's own limiter, shared by every
 * activity of this worker), one vendor adapter per configured vendor, the CA if any.
 */
import { LocalCertificateAuthority } from '../certificate-authorities/certificate-authority';
import type { ActivityDeps, ConfiguredOrg } from '../activities/rotation-activities';
import { CallLimiter, limitOrgCalls } from '../salesforce/call-limiter';
import { createJsforceOrg } from '../salesforce/jsforce-org';
import { createVendor } from '../vendors/vendor-config';
import type { Vendor } from '../vendors/vendor-port';
import type { WorkerConfig } from './config';

export interface Adapters extends ActivityDeps {
  /** By vendor id: a key registry or a provisioning team (see ../vendors/vendor-port.ts). */
  readonly vendors: ReadonlyMap<string, Vendor>;
  /** Releases connections (SMTP pools) at shutdown. */
  close(): void;
}

export function createAdapters(config: WorkerConfig): Adapters {
  const orgs = new Map<string, ConfiguredOrg>();
  for (const [alias, org] of Object.entries(config.orgs)) {
    orgs.set(alias, {
      vendorOrgId: org.vendorOrgId,
      org: limitOrgCalls(
        createJsforceOrg({
          auth: org.auth,
          ...(org.apiVersion ? { apiVersion: org.apiVersion } : {}),
          ...(org.retry ? { retry: org.retry } : {}),
        }),
        new CallLimiter(org.maxConcurrentCalls, alias),
      ),
    });
  }
  const vendors = new Map<string, Vendor>();
  const closers: (() => void)[] = [];
  for (const [id, vendorConfig] of Object.entries(config.vendors)) {
    const vendor = createVendor(id, vendorConfig);
    if (vendor.kind === 'team') closers.push(() => vendor.close());
    vendors.set(id, vendor);
  }
  const ca = config.ca ? LocalCertificateAuthority.fromFiles(config.ca.certificateFile, config.ca.privateKeyFile, config.ca.validityDays) : undefined;
  return {
    orgs,
    vendors,
    ...(ca ? { ca } : {}),
    close: () => closers.forEach((close) => close()),
  };
}

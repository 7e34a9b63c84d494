/**
 * Turns the validated configuration into the adapters the activities use: one jsforce
 * org per configured org (its calls bounded by the org's own limiter, shared by every
 * activity of this worker), one vendor adapter per configured vendor, the CA if any.
 * With the `approvals` section, provisioning teams' notices carry signed approval links
 * minted with its key, and the activities check link decisions with the same key.
 */
import { LocalCertificateAuthority } from '../certificate-authorities/certificate-authority';
import type { ActivityDeps, ConfiguredOrg } from '../activities/rotation-activities';
import { CallLimiter, limitOrgCalls } from '../salesforce/call-limiter';
import { createJsforceOrg } from '../salesforce/jsforce-org';
import { createApprovalLinkMinter } from '../vendors/approval-links';
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
  const approvalLinks = config.approvals ? createApprovalLinkMinter(config.approvals) : undefined;
  for (const [id, vendorConfig] of Object.entries(config.vendors)) {
    const vendor = createVendor(id, vendorConfig, {}, approvalLinks ? { approvalLinks } : {});
    if (vendor.kind === 'team') closers.push(() => vendor.close());
    vendors.set(id, vendor);
  }
  const ca = config.ca ? LocalCertificateAuthority.fromFiles(config.ca.certificateFile, config.ca.privateKeyFile, config.ca.validityDays) : undefined;
  return {
    orgs,
    vendors,
    ...(ca ? { ca } : {}),
    ...(config.approvals ? { approvalLinkKey: config.approvals.linkKey } : {}),
    close: () => closers.forEach((close) => close()),
  };
}

/**
 * The vendor side of a rotation: the ports and their two adapters. Pick one per vendor from
 * configuration (`createVendor`): `http` for a vendor with a key-registry API (a
 * `KeyRegistry`), `manual` for a vendor with a mailbox and a provisioning team (a
 * `ProvisioningTeam`).
 */
export type {
  ActivateKeyOptions,
  ChangeWindow,
  KeyRegistry,
  ProvisioningTeam,
  RotationRun,
  SignatureVerification,
  StageKeyOptions,
  TeamNotice,
  TeamNoticeKind,
  Vendor,
  VendorCallContext,
  VendorKey,
  VendorKeyState,
} from './vendor-port';
export { HttpVendorRegistry, httpRegistryConfigSchema } from './http-registry';
export type { HttpRegistryConfig, HttpRegistryDeps } from './http-registry';
export { ManualVendor, manualVendorConfigSchema } from './manual-vendor';
export type { ManualVendorConfig, ManualVendorDeps } from './manual-vendor';
export { composeVendorNotice } from './notification-message';
export type { ApprovalLink, ComposedNotice, VendorNotice, WebhookPayload } from './notification-message';
export { createApprovalLinkMinter } from './approval-links';
export type { ApprovalLinkMinter, ApprovalLinkRequest } from './approval-links';
export { deriveIdempotencyKey, runScope } from './idempotency-key';
export { createVendor, vendorConfigSchema } from './vendor-config';
export type { VendorConfig } from './vendor-config';
export { DEFAULT_RETRY_POLICY } from './retry-policy';
export type { RetryPolicy } from './retry-policy';

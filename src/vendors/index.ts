/**
 * The vendor side of a rotation: the port and its two adapters. Pick one per vendor from
 * configuration: `http` for a vendor with a key-registry API, `manual` for a vendor with a
 * mailbox and a provisioning team.
 */
export type {
  ActivateKeyOptions,
  CancellationNotice,
  ChangeWindow,
  SignatureVerification,
  StageKeyOptions,
  VendorCallContext,
  VendorCapabilities,
  VendorKey,
  VendorKeyRegistry,
  VendorKeyState,
} from './vendor-port';
export { HttpVendorRegistry, httpRegistryConfigSchema } from './http-registry';
export type { HttpRegistryConfig, HttpRegistryDeps } from './http-registry';
export { ManualVendor, manualVendorConfigSchema } from './manual-vendor';
export type { ManualVendorConfig } from './manual-vendor';
export { composeVendorNotice, approvalCommands } from './notification-message';
export type { ComposedNotice, VendorNotice, WebhookPayload } from './notification-message';
export { deriveIdempotencyKey } from './idempotency-key';
export { createVendorRegistry, vendorConfigSchema } from './vendor-config';
export type { VendorConfig } from './vendor-config';
export { DEFAULT_RETRY_POLICY } from './retry-policy';
export type { RetryPolicy } from './retry-policy';

/**
 * What a renewal asks of `rotateCertificate`: the integration's vendor, strategy,
 * references, approvers and approval mode, the chosen window (or on-approval when none opens before
 * expiry), and the certificate's own kind and key size. Pure and workflow-safe.
 */
import { KEY_SIZES, isKeySize, type KeySize } from '../certificate';
import type { InventoryIntegration } from '../inventory-config';
import type { RotationRequest, RotationWindow } from '../rotation';
import type { InventoryCertificate } from './inventory-contract';

/**
 * The key size of the renewed certificate: the certificate's own (2048, 3072 or 4096). An
 * imported key of a size Salesforce cannot create becomes the nearest size it can that is
 * no weaker (1024 -> 2048), else its largest (8192 -> 4096).
 */
export function renewalKeySize(keySize: number): KeySize {
  if (isKeySize(keySize)) return keySize;
  return KEY_SIZES.find((size) => size >= keySize) ?? KEY_SIZES[KEY_SIZES.length - 1]!;
}

export function rotationRequest(org: string, cert: InventoryCertificate, integration: InventoryIntegration, window: RotationWindow | null, now: number): RotationRequest {
  // Approving after the window closed is useless: the approval waits until the window's end.
  const approvalMinutes = window ? Math.max(60, Math.ceil((Date.parse(window.end) - now) / 60_000)) : null;
  return {
    org,
    certificate: cert.uniqueName,
    vendor: integration.vendor,
    strategy: integration.strategy,
    keySize: renewalKeySize(cert.keySize),
    caSigned: cert.caSigned,
    ...(integration.references ? { references: integration.references } : {}),
    approval: {
      ...(integration.approvers ? { approvers: integration.approvers } : {}),
      ...(approvalMinutes !== null ? { timeout: `${approvalMinutes} minutes` } : {}),
      ...(integration.approval?.mode ? { mode: integration.approval.mode } : {}),
      ...(integration.approval?.pollInterval ? { pollInterval: integration.approval.pollInterval } : {}),
    },
    window: window ? { mode: 'fixed', start: window.start, end: window.end } : { mode: 'on-approval', duration: '2 hours' },
  };
}

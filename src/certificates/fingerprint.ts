/**
 * Fingerprints in the one format certrot shows and compares: upper-case hex pairs joined by
 * colons, as `openssl x509 -noout -fingerprint -sha256` prints them.
 */
import { createHash } from 'node:crypto';

export function sha256Fingerprint(bytes: Uint8Array): string {
  return formatHexPairs(createHash('sha256').update(bytes).digest('hex'));
}

function formatHexPairs(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

// Parsing and comparing fingerprints is string work, shared with workflow code.
export { fingerprintsEqual, normalizeFingerprint } from '../domain/fingerprint';

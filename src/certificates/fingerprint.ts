/**
 * Fingerprints in the one format certrot shows and compares: upper-case hex pairs joined by
 * colons, as `openssl x509 -noout -fingerprint -sha256` prints them.
 */
import { createHash } from 'node:crypto';
import { RotationError } from '../domain/errors';

export function sha256Fingerprint(bytes: Uint8Array): string {
  return formatHexPairs(createHash('sha256').update(bytes).digest('hex'));
}

function formatHexPairs(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

/**
 * The canonical form of a SHA-256 fingerprint given in any case, with or without colons
 * (or spaces), with or without a `sha256:` prefix; openssl's `sha256 Fingerprint=...` line too.
 */
export function normalizeFingerprint(value: string): string {
  const raw = typeof value === 'string' ? value.trim() : '';
  const hex = raw.replace(/^sha-?256(\s+fingerprint)?\s*[:=]\s*/i, '').replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}...` : raw;
    throw new RotationError(
      'INVALID_INPUT',
      `"${shown}" is not a SHA-256 fingerprint: expected 32 bytes of hex (64 hex digits, colons optional) but found ${hex.length} characters${/^[0-9a-fA-F]*$/.test(hex) ? '' : ' including non-hex ones'}. Copy it from "openssl x509 -noout -fingerprint -sha256".`,
      { details: { length: hex.length } },
    );
  }
  return formatHexPairs(hex);
}

/** Whether two fingerprints name the same bytes; throws INVALID_INPUT if either is not a fingerprint. */
export function fingerprintsEqual(a: string, b: string): boolean {
  return normalizeFingerprint(a) === normalizeFingerprint(b);
}

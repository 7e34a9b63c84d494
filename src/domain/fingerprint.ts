/**
 * SHA-256 fingerprints as people paste them: any case, with or without colons, with or
 * without a "sha256:" prefix. Canonical form: uppercase hex pairs joined by colons, as
 * `openssl x509 -fingerprint -sha256` prints them. Workflow-safe (string work only).
 */
import { RotationError } from './errors';

export function normalizeFingerprint(value: string, field = 'fingerprint'): string {
  const hex = value
    .trim()
    .replace(/^sha-?256[:/=]?\s*/i, '')
    .replace(/[:\s-]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new RotationError(
      'INVALID_INPUT',
      `${field}: "${value}" is not a SHA-256 fingerprint (64 hex digits, colons optional), e.g. the value certrot sent with the public key.`,
    );
  }
  return hex.match(/../g)!.join(':');
}

export function fingerprintsEqual(a: string, b: string): boolean {
  try {
    return normalizeFingerprint(a) === normalizeFingerprint(b);
  } catch {
    return false;
  }
}

/** The first and last bytes, enough for a person to compare by eye. */
export function shortFingerprint(fingerprint: string): string {
  const parts = fingerprint.split(':');
  return parts.length > 8 ? `${parts.slice(0, 4).join(':')}…${parts.slice(-4).join(':')}` : fingerprint;
}

/**
 * SHA-256 fingerprints as people paste them. The one implementation: the certificate
 * toolkit re-exports it. Canonical form: uppercase hex pairs joined by colons, as
 * `openssl x509 -fingerprint -sha256` prints them. Workflow-safe (string work only).
 */
import { RotationError } from './errors';

/**
 * The canonical form of a SHA-256 fingerprint given in any case, with or without colons,
 * spaces or dashes, with or without a `sha256:` prefix; openssl's `sha256 Fingerprint=...`
 * line too. `field` names the input in the error, e.g. "fingerprint".
 */
export function normalizeFingerprint(value: string, field?: string): string {
  const raw = typeof value === 'string' ? value.trim() : '';
  const hex = raw.replace(/^sha-?256(\s+fingerprint)?\s*[:=/]?\s*/i, '').replace(/[:\s-]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}...` : raw;
    throw new RotationError(
      'INVALID_INPUT',
      `${field ? `${field}: ` : ''}"${shown}" is not a SHA-256 fingerprint: expected 32 bytes of hex (64 hex digits, colons optional) ` +
        `but found ${hex.length} characters${/^[0-9a-fA-F]*$/.test(hex) ? '' : ' including non-hex ones'}. ` +
        'Copy it from the notice certrot sent, or from "openssl x509 -noout -fingerprint -sha256".',
      { details: { length: hex.length } },
    );
  }
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/** Whether two fingerprints name the same bytes; throws INVALID_INPUT if either is not a fingerprint. */
export function fingerprintsEqual(a: string, b: string): boolean {
  return normalizeFingerprint(a) === normalizeFingerprint(b);
}

/** The first and last bytes, enough for a person to compare by eye. */
export function shortFingerprint(fingerprint: string): string {
  const parts = fingerprint.split(':');
  return parts.length > 8 ? `${parts.slice(0, 4).join(':')}…${parts.slice(-4).join(':')}` : fingerprint;
}

/**
 * Whether a certificate is valid at a given moment. The clock is always passed in (the
 * renewal policy decides with a fixed "now"), never read here.
 */
import { RotationError } from '../domain/errors';
import { formatName } from './names';
import { LoadedCertificate, loadCertificate } from './x509';

const DAY_MS = 24 * 60 * 60 * 1000;

export type Validity = { notBefore: Date; notAfter: Date; daysLeft: number; expired: boolean; notYetValid: boolean };

export function validityOf(certificate: LoadedCertificate, at: Date): Validity {
  assertDate(at);
  const notBefore = new Date(certificate.forge.validity.notBefore.getTime());
  const notAfter = new Date(certificate.forge.validity.notAfter.getTime());
  return {
    notBefore,
    notAfter,
    daysLeft: Math.floor((notAfter.getTime() - at.getTime()) / DAY_MS),
    expired: at.getTime() > notAfter.getTime(),
    notYetValid: at.getTime() < notBefore.getTime(),
  };
}

/** Validity window of the first certificate in `certPem` seen from `at`; daysLeft is negative once expired. */
export function validityAt(certPem: string, at: Date): Validity {
  return validityOf(loadCertificate(certPem), at);
}

/** Throws CERT_EXPIRED or CERT_NOT_YET_VALID (naming the dates) unless the certificate is valid at `at`. */
export function assertValidAt(certPem: string, at: Date): void {
  assertCertificateValidAt(loadCertificate(certPem), at, 'Certificate');
}

export function assertCertificateValidAt(certificate: LoadedCertificate, at: Date, label: string): void {
  const validity = validityOf(certificate, at);
  const subject = formatName(certificate.forge.subject.attributes);
  const details = { subject, notBefore: validity.notBefore.toISOString(), notAfter: validity.notAfter.toISOString(), at: at.toISOString() };
  if (validity.expired) {
    throw new RotationError(
      'CERT_EXPIRED',
      `${label} "${subject}" expired on ${details.notAfter} (checked at ${details.at}, valid from ${details.notBefore}); issue or upload a new certificate.`,
      { details },
    );
  }
  if (validity.notYetValid) {
    throw new RotationError(
      'CERT_NOT_YET_VALID',
      `${label} "${subject}" is not valid until ${details.notBefore} (checked at ${details.at}); wait until then or check the clock of the machine that issued it.`,
      { details },
    );
  }
}

function assertDate(at: Date): void {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new RotationError('INVALID_INPUT', `"${String(at)}" is not a valid Date to check certificate validity at.`);
  }
}

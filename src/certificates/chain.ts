/**
 * Checking a certificate chain (leaf first) up to one of the given trust anchors: each link
 * is issued (name and signature) by the next, every issuer is a CA allowed to sign
 * certificates, and every certificate on the path is valid at the given moment. And finding
 * the leaf of a chain in any order (`findLeaf`): Salesforce stores an uploaded chain as it
 * was uploaded, and leaf first is not guaranteed.
 */
import { RotationError } from '../domain/errors';
import { sha256Fingerprint } from './fingerprint';
import { formatName } from './names';
import { assertCertificateValidAt } from './validity';
import { spkiFingerprintOfKey } from './keys';
import { BasicConstraints, KeyUsage, LoadedCertificate, extensionOf, issuedBy, loadCertificates } from './x509';

export type ChainVerification = { subjects: string[] };

function subjectOf(certificate: LoadedCertificate): string {
  return formatName(certificate.forge.subject.attributes);
}

function chainInvalid(message: string, details: Record<string, string | number>): RotationError {
  return new RotationError('CHAIN_INVALID', message, { details });
}

/** Throws CHAIN_INVALID unless `issuer` may sign certificates with `below` CA certificates under it. */
function assertCanIssue(issuer: LoadedCertificate, below: number, position: string): void {
  const constraints = extensionOf<BasicConstraints>(issuer, 'basicConstraints');
  if (constraints?.cA !== true) {
    throw chainInvalid(
      `${position} "${subjectOf(issuer)}" signed the certificate below it but is not a CA (basicConstraints cA is not set); the chain must be leaf, intermediates, root.`,
      { issuer: subjectOf(issuer) },
    );
  }
  if (typeof constraints.pathLenConstraint === 'number' && constraints.pathLenConstraint >= 0 && below > constraints.pathLenConstraint) {
    throw chainInvalid(
      `${position} "${subjectOf(issuer)}" allows ${constraints.pathLenConstraint} intermediate CA(s) below it (pathLenConstraint) but the chain has ${below}.`,
      { issuer: subjectOf(issuer), pathLenConstraint: constraints.pathLenConstraint },
    );
  }
  const keyUsage = extensionOf<KeyUsage>(issuer, 'keyUsage');
  if (keyUsage !== undefined && keyUsage.keyCertSign !== true) {
    throw chainInvalid(`${position} "${subjectOf(issuer)}" is a CA whose keyUsage does not include keyCertSign, so it may not sign certificates.`, {
      issuer: subjectOf(issuer),
    });
  }
}

/**
 * Verifies `chainPem` (one PEM text or several, leaf first) against `trustAnchorPems` at
 * `at` (default now). Returns the subjects of the whole path, leaf to trust anchor.
 */
export function verifyChain(opts: { chainPem: string | string[]; trustAnchorPems: string[]; at?: Date }): ChainVerification {
  const chain = (Array.isArray(opts.chainPem) ? opts.chainPem : [opts.chainPem]).flatMap((pem) => loadCertificates(pem));
  const anchors = opts.trustAnchorPems.flatMap((pem) => loadCertificates(pem));
  if (anchors.length === 0) {
    throw new RotationError('INVALID_INPUT', 'verifyChain needs at least one trust anchor (the root CA certificate); pass it in trustAnchorPems.');
  }
  const at = opts.at ?? new Date();

  // Each certificate must be issued by the next one.
  for (let i = 0; i + 1 < chain.length; i += 1) {
    const child = chain[i] as LoadedCertificate;
    const issuer = chain[i + 1] as LoadedCertificate;
    if (!issuedBy(child, issuer)) {
      throw chainInvalid(
        `Link ${i + 1} of the chain is broken: certificate ${i + 1} "${subjectOf(child)}" (issuer "${formatName(child.forge.issuer.attributes)}") was not signed by certificate ${i + 2} "${subjectOf(issuer)}". Order the chain leaf first and include every intermediate.`,
        { link: i + 1, child: subjectOf(child), issuer: subjectOf(issuer) },
      );
    }
    assertCanIssue(issuer, Math.max(0, i), `Certificate ${i + 2}`);
  }

  // The top of the chain is either a trust anchor itself or issued by one.
  const top = chain[chain.length - 1];
  if (top === undefined) throw new Error('unreachable: loadCertificates returned no certificate');
  const anchorFingerprints = new Set(anchors.map((anchor) => sha256Fingerprint(anchor.der)));
  const path = [...chain];
  if (!anchorFingerprints.has(sha256Fingerprint(top.der))) {
    const anchor = anchors.find((candidate) => issuedBy(top, candidate));
    if (anchor === undefined) {
      throw chainInvalid(
        `The chain does not end at a trusted CA: the last certificate "${subjectOf(top)}" was issued by "${formatName(top.forge.issuer.attributes)}", which is not one of the ${anchors.length} trust anchor(s) (${anchors.map(subjectOf).join('; ')}) or its signature does not verify with them. Add the missing intermediate or trust the right root.`,
        { top: subjectOf(top), issuer: formatName(top.forge.issuer.attributes) },
      );
    }
    assertCanIssue(anchor, Math.max(0, chain.length - 1), 'Trust anchor');
    path.push(anchor);
  }

  path.forEach((certificate, index) => {
    const label = index === 0 ? 'Certificate 1 (the leaf)' : index < chain.length ? `Certificate ${index + 1}` : 'Trust anchor';
    assertCertificateValidAt(certificate, at, label);
  });
  return { subjects: path.map(subjectOf) };
}

/**
 * The leaf of `chainPem` (its certificates in any order), as the PEM of that one block.
 *
 * - `key` given (the SPKI SHA-256 of the CSR or private key the leaf was issued for): the
 *   certificate carrying that key; none does: KEY_MISMATCH.
 * - no key: the one certificate that issued none of the others (a lone certificate is its
 *   own leaf); if several qualify, the one that is not a CA; still ambiguous: CHAIN_INVALID.
 */
export function findLeaf(chainPem: string, key?: { spkiFingerprintSha256: string }): string {
  const certificates = loadCertificates(chainPem);
  if (key !== undefined) {
    const leaf = certificates.find((c) => spkiFingerprintOfKey(c.publicKey) === key.spkiFingerprintSha256);
    if (leaf === undefined) {
      throw new RotationError(
        'KEY_MISMATCH',
        `None of the ${certificates.length} certificate(s) in the chain carries the key of the CSR (SPKI SHA-256 ${key.spkiFingerprintSha256}); upload the certificate the CA issued for this CSR, with its chain.`,
        { details: { spkiFingerprintSha256: key.spkiFingerprintSha256, certificates: certificates.length } },
      );
    }
    return leaf.pem;
  }
  const issuesNone = certificates.filter((c) => !certificates.some((other) => other !== c && issuedBy(other, c)));
  const candidates = issuesNone.length > 1 ? issuesNone.filter((c) => extensionOf<BasicConstraints>(c, 'basicConstraints')?.cA !== true) : issuesNone;
  const [leaf, ...others] = candidates;
  if (leaf === undefined || others.length > 0) {
    throw chainInvalid(
      `The ${certificates.length} certificates hold no single leaf (${candidates.length === 0 ? 'each issued another' : `${candidates.map(subjectOf).join('; ')} all qualify`}); give one certificate with its own chain.`,
      { certificates: certificates.length, candidates: candidates.length },
    );
  }
  return leaf.pem;
}

/**
 * The sandbox org's certificates as it stores them: with their private key (which never
 * leaves the sandbox through an endpoint), the leaf certificate, a CA-signed one's chain
 * or pending CSR. Built from a fixture (key material it lacks is generated, the way
 * Salesforce makes it: key-material.ts), looked up by Unique Name (case-insensitively),
 * written back to a fixture, and shown without the private key.
 */
import { certificateFingerprint, parseCertificate } from '../../certificates';
import type { KeySize } from '../../domain/certificate';
import { RotationError } from '../../domain/errors';
import type { SandboxFixture } from './fixture-schema';
import { leafForPrivateKey, makeCsr, makeSelfSigned, sharedCsr, sharedSelfSigned } from './key-material';
import { newId } from './org-ids';
import type { OrgState } from './org-state';

export interface SandboxCertificate {
  id: string;
  uniqueName: string;
  label: string;
  keySize: KeySize;
  caSigned: boolean;
  privateKeyExportable: boolean;
  /** Never leaves the sandbox through any endpoint. */
  privateKeyPem: string;
  /** The leaf certificate; null while a CA-signed certificate waits for its chain. */
  certificatePem: string | null;
  /** The chain of a CA-signed certificate, whole and in the order it was uploaded (leaf first is not guaranteed). */
  chainPem: string | null;
  csrPem: string | null;
  createdDate: string;
  lastModifiedDate: string;
  deleted: boolean;
}

/**
 * The fixture's certificates, in order: one saved with its private key keeps it (and its
 * chain); otherwise a key pair is made, with a self-signed certificate or a pending CSR
 * (`shareKeyMaterial`, the fixture's test-speed switch `behaviour.shareFixtureKeyMaterial`:
 * one per key size and notBefore for the whole process, key-material.ts).
 */
export async function certificatesFromFixture(
  state: Pick<OrgState, 'nextId' | 'orgId'>,
  certificates: SandboxFixture['certificates'],
  now: string,
  options: { shareKeyMaterial?: boolean } = {},
): Promise<SandboxCertificate[]> {
  const selfSigned = options.shareKeyMaterial ? sharedSelfSigned : makeSelfSigned;
  const csr = options.shareKeyMaterial ? sharedCsr : makeCsr;
  const made: SandboxCertificate[] = [];
  for (const [index, cert] of certificates.entries()) {
    const createdAt = new Date(cert.notBefore ?? now);
    const base = {
      id: cert.id ?? newId(state, '0P1'),
      uniqueName: cert.uniqueName,
      label: cert.label,
      keySize: cert.keySize,
      caSigned: cert.caSigned,
      privateKeyExportable: cert.privateKeyExportable,
      createdDate: cert.createdDate ?? cert.notBefore ?? now,
      lastModifiedDate: cert.createdDate ?? now,
      deleted: cert.deleted,
      chainPem: null,
    };
    if (cert.privateKeyPem) {
      // a saved CA-signed certificate keeps its whole chain in certificatePem, as uploaded
      const chain = cert.certificatePem ?? null;
      made.push({
        ...base,
        privateKeyPem: cert.privateKeyPem,
        certificatePem: chain === null ? null : fixtureLeaf(chain, cert.privateKeyPem, index),
        chainPem: chain !== null && cert.caSigned ? chain : null,
        csrPem: cert.csrPem ?? null,
      });
    } else if (cert.caSigned) {
      const pending = await csr({ uniqueName: cert.uniqueName, keySize: cert.keySize, orgId: state.orgId, createdAt });
      made.push({ ...base, privateKeyPem: pending.privateKeyPem, certificatePem: null, csrPem: pending.csrPem });
    } else {
      const generated = await selfSigned({ uniqueName: cert.uniqueName, keySize: cert.keySize, orgId: state.orgId, createdAt });
      made.push({ ...base, privateKeyPem: generated.privateKeyPem, certificatePem: generated.certificatePem, csrPem: null });
    }
  }
  return made;
}

/** The certificate of a fixture's chain that carries its private key (a bad fixture names the field). */
function fixtureLeaf(chainPem: string, privateKeyPem: string, index: number): string {
  try {
    return leafForPrivateKey(chainPem, privateKeyPem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RotationError('CONFIG_INVALID', `Invalid sandbox org fixture: certificates[${index}].certificatePem: no certificate in it carries privateKeyPem's key (${reason})`);
  }
}

export function liveCertificate(state: OrgState, uniqueName: string): SandboxCertificate | undefined {
  const wanted = uniqueName.toLowerCase();
  return state.certificates.find((c) => !c.deleted && c.uniqueName.toLowerCase() === wanted);
}

/** notAfter by certificate content (a PEM never changes its notAfter). */
const expirations = new Map<string, string>();

export function expirationOf(cert: SandboxCertificate): string | null {
  if (!cert.certificatePem) return null;
  // parsed once per content, not on every listing: the sandbox's own cost must not grow a fleet's
  let expires = expirations.get(cert.certificatePem);
  if (expires === undefined) {
    if (expirations.size >= 10_000) expirations.clear();
    expires = parseCertificate(cert.certificatePem).notAfter.toISOString();
    expirations.set(cert.certificatePem, expires);
  }
  return expires;
}

/** Back to a fixture entry (private key included: `save` writes the org's own storage). */
export function certificateToFixture(c: SandboxCertificate) {
  return {
    id: c.id,
    uniqueName: c.uniqueName,
    label: c.label,
    keySize: c.keySize,
    caSigned: c.caSigned,
    privateKeyExportable: c.privateKeyExportable,
    createdDate: c.createdDate,
    privateKeyPem: c.privateKeyPem,
    ...(c.certificatePem ? { certificatePem: c.chainPem ?? c.certificatePem } : {}),
    ...(c.csrPem && !c.certificatePem ? { csrPem: c.csrPem } : {}),
    deleted: c.deleted,
  };
}

/** What `/__sandbox/state` shows of a certificate: no private key. */
export function certificateView(c: SandboxCertificate) {
  return {
    id: c.id,
    uniqueName: c.uniqueName,
    label: c.label,
    keySize: c.keySize,
    caSigned: c.caSigned,
    usable: c.certificatePem !== null,
    privateKeyExportable: c.privateKeyExportable,
    expiresAt: expirationOf(c),
    fingerprintSha256: c.certificatePem ? certificateFingerprint(c.certificatePem) : null,
    certificatePem: c.certificatePem,
    csrPem: c.certificatePem ? null : c.csrPem,
    deleted: c.deleted,
  };
}

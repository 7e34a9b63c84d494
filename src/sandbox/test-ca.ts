/**
 * The sandbox's own certificate authority: it issues the server certificates of the local
 * TLS endpoints (127.0.0.1 / localhost), and clients trust it by passing its PEM explicitly
 * as an extra CA. This is the only place TLS trust is customised; nothing anywhere turns
 * certificate verification off.
 *
 * In tests the CA is created once per process and kept in memory. The standalone sandbox
 * (`certrot sandbox vendor`) keeps it in a directory so a client configured with the CA file
 * keeps working across restarts; an expired or unreadable CA there is replaced.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCertificateAuthority, createCsr, generateRsaKeyPair, parseCertificate, signCsr } from '../certificates';

export interface TestCa {
  certificatePem: string;
  privateKeyPem: string;
}

export interface ServerCredentials {
  certificatePem: string;
  privateKeyPem: string;
  /** The CA that issued it: what a client must trust. */
  caPem: string;
}

const CA_COMMON_NAME = 'certrot sandbox test CA';
const CA_VALIDITY_DAYS = 365;
const SERVER_VALIDITY_DAYS = 30;
export const LOCAL_HOST_NAMES: readonly string[] = ['127.0.0.1', 'localhost'];

let processCa: Promise<TestCa> | undefined;

/** The CA shared by everything in this process (created on first use). */
export function sandboxTestCa(): Promise<TestCa> {
  processCa ??= createCertificateAuthority({ commonName: CA_COMMON_NAME, validityDays: CA_VALIDITY_DAYS });
  return processCa;
}

/** A CA kept as `ca.pem` / `ca-key.pem` in `directory`; returns the CA file's path too. */
export async function loadOrCreateTestCa(directory: string, now: Date = new Date()): Promise<TestCa & { caFile: string }> {
  const caFile = join(directory, 'ca.pem');
  const keyFile = join(directory, 'ca-key.pem');
  try {
    const [certificatePem, privateKeyPem] = await Promise.all([readFile(caFile, 'utf8'), readFile(keyFile, 'utf8')]);
    // Keep a margin so servers issued from it do not outlive it.
    if (parseCertificate(certificatePem).notAfter.getTime() - now.getTime() > SERVER_VALIDITY_DAYS * 86_400_000) {
      return { certificatePem, privateKeyPem, caFile };
    }
  } catch {
    // missing or unreadable: make a new one below
  }
  const ca = await createCertificateAuthority({ commonName: CA_COMMON_NAME, validityDays: CA_VALIDITY_DAYS });
  await mkdir(directory, { recursive: true });
  await writeFile(keyFile, ca.privateKeyPem, { mode: 0o600 });
  await writeFile(caFile, ca.certificatePem);
  return { ...ca, caFile };
}

/** A TLS server certificate for the given names (IP addresses become IP SANs). */
export async function issueServerCertificate(ca: TestCa, hostNames: readonly string[] = LOCAL_HOST_NAMES): Promise<ServerCredentials> {
  const names = [...new Set(hostNames)];
  const { privateKeyPem } = await generateRsaKeyPair(2048);
  const csrPem = createCsr({ privateKeyPem, subject: { commonName: names[0] ?? 'localhost' }, subjectAltNames: names });
  const certificatePem = signCsr({
    csrPem,
    caCertificatePem: ca.certificatePem,
    caPrivateKeyPem: ca.privateKeyPem,
    validityDays: SERVER_VALIDITY_DAYS,
    subjectAltNames: names,
    extendedKeyUsage: ['serverAuth'],
  });
  return { certificatePem, privateKeyPem, caPem: ca.certificatePem };
}

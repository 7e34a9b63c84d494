/**
 * The certificate authority that signs a CA-signed Salesforce certificate: Salesforce
 * makes the key pair and a CSR; the CA returns the chain that is uploaded back.
 */
import { readFileSync } from 'node:fs';
import { parseCsr, signCsr } from '../certificates';
import { RotationError } from '../domain/errors';

export interface CertificateAuthority {
  /** Signs `csrPem`; returns the chain as PEM, leaf first, then the issuing CA. */
  signCsr(csrPem: string): Promise<string>;
}

export interface LocalCaConfig {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly validityDays: number;
}

/**
 * A CA whose certificate and key the worker holds (an internal CA, or the sandbox's test
 * CA). Client-auth certificates: the Salesforce certificate is presented to vendors.
 */
export class LocalCertificateAuthority implements CertificateAuthority {
  constructor(private readonly config: LocalCaConfig) {}

  static fromFiles(certificateFile: string, privateKeyFile: string, validityDays: number): LocalCertificateAuthority {
    const read = (file: string, what: string): string => {
      try {
        return readFileSync(file, 'utf8');
      } catch (error) {
        throw new RotationError('CONFIG_INVALID', `ca.${what}: cannot read "${file}" (${(error as Error).message}).`);
      }
    };
    return new LocalCertificateAuthority({
      certificatePem: read(certificateFile, 'certificateFile'),
      privateKeyPem: read(privateKeyFile, 'privateKeyFile'),
      validityDays,
    });
  }

  signCsr(csrPem: string): Promise<string> {
    parseCsr(csrPem); // verifies the CSR's own signature first: a tampered CSR is refused
    const leaf = signCsr({
      csrPem,
      caCertificatePem: this.config.certificatePem,
      caPrivateKeyPem: this.config.privateKeyPem,
      validityDays: this.config.validityDays,
      extendedKeyUsage: ['clientAuth'],
    });
    return Promise.resolve(`${leaf.trim()}\n${this.config.certificatePem.trim()}\n`);
  }
}

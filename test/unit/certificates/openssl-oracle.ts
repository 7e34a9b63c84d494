/**
 * The `openssl` command line as an independent oracle for the certificate tests: files in
 * a temporary folder, openssl run on them, its output parsed into the same shapes the
 * toolkit returns.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { RotationError } from '../../../src/domain/errors';

export class Workdir {
  readonly path = mkdtempSync(join(tmpdir(), 'certrot-certs-'));

  write(name: string, content: string | Uint8Array): string {
    const file = join(this.path, name);
    writeFileSync(file, content);
    return file;
  }

  file(name: string): string {
    return join(this.path, name);
  }

  read(name: string): string {
    return readFileSync(join(this.path, name), 'utf8');
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Runs openssl and returns its stdout; throws (with stderr) if it exits non-zero. */
export function openssl(args: string[], input?: string | Uint8Array): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
}

export function opensslBinary(args: string[], input?: string | Uint8Array): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs openssl expecting it to fail; returns exit status and combined output. */
export function opensslResult(args: string[], input?: string | Uint8Array): { status: number | null; output: string } {
  const result = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** `AB:CD:...` from "sha256 Fingerprint=AB:CD:..." */
export function opensslCertFingerprint(certFile: string): string {
  const out = openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256']).trim();
  return out.slice(out.indexOf('=') + 1);
}

/** SHA-256 of a byte string via `openssl dgst`, formatted `AB:CD:...`. */
export function opensslSha256(bytes: Uint8Array): string {
  const hex = openssl(['dgst', '-sha256', '-r'], bytes).trim().split(' ')[0] ?? '';
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

/** `openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256` */
export function opensslSpkiFingerprint(certFile: string): string {
  return opensslPublicKeyFingerprint(openssl(['x509', '-in', certFile, '-pubkey', '-noout']));
}

/** `openssl pkey -pubin -outform DER | sha256` */
export function opensslPublicKeyFingerprint(publicKeyPem: string): string {
  return opensslSha256(opensslBinary(['pkey', '-pubin', '-outform', 'DER'], publicKeyPem));
}

export function opensslField(certFile: string, field: 'subject' | 'issuer' | 'serial' | 'startdate' | 'enddate'): string {
  const out = openssl(['x509', '-in', certFile, '-noout', `-${field}`, '-nameopt', 'RFC2253,-esc_msb']).trim();
  return out.slice(out.indexOf('=') + 1);
}

/** openssl prints dates as "Nov 25 11:06:10 2026 GMT". */
export function opensslDate(certFile: string, field: 'startdate' | 'enddate'): Date {
  const date = new Date(opensslField(certFile, field));
  assert.ok(!Number.isNaN(date.getTime()), `openssl ${field} did not parse`);
  return date;
}

export function opensslText(certFile: string): string {
  return openssl(['x509', '-in', certFile, '-noout', '-text']);
}

/** Asserts that `fn` throws a RotationError with `code` whose message matches every pattern. */
export function assertRotationError(fn: () => unknown, code: string, ...patterns: RegExp[]): RotationError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof RotationError, `expected RotationError ${code}, got ${describeThrown(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

export function describeThrown(thrown: unknown): string {
  if (thrown === undefined) return 'no error';
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : typeof thrown;
}

/** The base64 body of a PEM, to check it never leaks into messages. */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
}

export const DAY_MS = 24 * 60 * 60 * 1000;

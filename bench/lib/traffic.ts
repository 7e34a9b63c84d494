/**
 * Integration traffic for P1 and P2: loops that, as fast as they can, each
 *   1. read which certificate a reference names (the org's own answer, through the org port:
 *      one query per target field and one named-credential read, as an integration would),
 *   2. have the sandbox org sign a fresh nonce with that certificate (signWithCertificate:
 *      the verification step's own wire calls), and
 *   3. ask the sandbox vendor to verify the signature against the keys it trusts right now.
 * A call fails when the vendor does not accept the signature (it does not trust the key that
 * signed) or when a step errs (say, the certificate named was deleted). The loops take the
 * references in turn, so every reference is exercised all through a rotation.
 */
import { randomBytes } from 'node:crypto';
import type { CertificateNames, Reference, ReferenceTarget, SalesforceOrg } from '../../src/salesforce/org-port';
import type { KeyRegistry } from '../../src/vendors/vendor-port';

export interface TrafficCall {
  /** ms since epoch (the sandboxes date their logs on the same clock). */
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  /** `object.field recordId` of the reference read. */
  readonly reference: string;
  readonly certificate: string | null;
  readonly error?: string;
}

export interface TrafficOptions {
  readonly org: SalesforceOrg;
  readonly registry: KeyRegistry;
  readonly vendorOrgId: string;
  /** The references to read in turn (as found before the rotation). */
  readonly references: readonly Reference[];
  readonly targets: readonly ReferenceTarget[];
  /** The certificates a reference may name (before and after the rotation). */
  readonly certificates: readonly CertificateNames[];
  /** Concurrent loops (default 1). */
  readonly loops?: number;
}

export interface Traffic {
  /** Calls finished so far. */
  count(): number;
  failed(): number;
  /** Stops every loop after its call in hand; every call made. */
  stop(): Promise<TrafficCall[]>;
}

const keyOf = (r: Pick<Reference, 'object' | 'field' | 'recordId'>): string => `${r.object}.${r.field} ${r.recordId}`;

/** One call: read the reference, sign with the certificate it names, have the vendor verify. */
export async function trafficCall(options: TrafficOptions, reference: Reference): Promise<TrafficCall> {
  const start = Date.now();
  const key = keyOf(reference);
  let certificate: string | null = null;
  try {
    const found = await options.org.findReferencesToAny([...options.certificates], [...options.targets]);
    certificate = found.find((r) => keyOf(r) === key)?.certificate ?? null;
    if (certificate === null) return { start, end: Date.now(), ok: false, reference: key, certificate, error: 'the reference names none of the certificates' };
    const nonce = randomBytes(16).toString('hex');
    const signature = await options.org.signWithCertificate(certificate, nonce);
    const verdict = await options.registry.verifySignature(options.vendorOrgId, nonce, signature);
    return { start, end: Date.now(), ok: verdict.valid, reference: key, certificate, ...(verdict.valid ? {} : { error: 'the vendor does not trust the key that signed' }) };
  } catch (error) {
    return { start, end: Date.now(), ok: false, reference: key, certificate, error: error instanceof Error ? error.message : String(error) };
  }
}

export function startTraffic(options: TrafficOptions): Traffic {
  if (options.references.length === 0) throw new Error('traffic needs at least one reference');
  const calls: TrafficCall[] = [];
  let stopping = false;
  let next = 0;
  let failures = 0;
  const loop = async (): Promise<void> => {
    while (!stopping) {
      const reference = options.references[next % options.references.length]!;
      next += 1;
      const call = await trafficCall(options, reference);
      calls.push(call);
      if (!call.ok) failures += 1;
    }
  };
  const loops = Array.from({ length: Math.max(1, options.loops ?? 1) }, () => loop());
  return {
    count: () => calls.length,
    failed: () => failures,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return calls.sort((a, b) => a.start - b.start);
    },
  };
}

/** Waits until `traffic` has made `calls` calls (or `timeoutMs` passed). */
export async function waitForCalls(traffic: Traffic, calls: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (traffic.count() < calls && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
}

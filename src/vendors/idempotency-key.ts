/**
 * Idempotency keys for vendor writes. A key is a pure function of what the write means
 * (operation, org, key fingerprint, body, and the rotation run asking), never of time or
 * randomness, so a call retried by the HTTP client, by Temporal, or by a worker that
 * restarted half-way sends the same key and the vendor applies it at most once.
 *
 * The scope is the run (`workflowId/runId`), not the workflow id alone: rotations of one
 * certificate reuse their workflow id, and a later rotation repeating a write (restoring
 * the same old key, say) must be a new request, not a replay the vendor answers from its
 * memory without doing anything. Run ids contain no `/`, so the scope is unambiguous.
 *
 * The body is part of the key on purpose: `activate` and `activate with replace` are
 * different requests, and a vendor refuses a reused key with a different body.
 */
import { createHash } from 'node:crypto';
import type { RotationRun } from '../domain/vendor';

export interface IdempotentWrite {
  operation: string;
  orgId: string;
  fingerprint: string;
  /** The request body as sent; serialised with sorted keys so field order does not matter. */
  body?: unknown;
  /** The rotation run asking: its retries share a key, another run's writes do not. */
  run: RotationRun;
}

export function runScope(run: RotationRun): string {
  return `${run.workflowId}/${run.runId}`;
}

export function deriveIdempotencyKey(write: IdempotentWrite): string {
  const material = [
    'certrot-vendor-write-v2',
    write.operation,
    write.orgId,
    write.fingerprint,
    runScope(write.run),
    canonicalJson(write.body ?? null),
  ].join('\n');
  return `certrot-${createHash('sha256').update(material).digest('hex').slice(0, 48)}`;
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

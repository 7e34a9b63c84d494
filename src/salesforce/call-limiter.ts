/**
 * Bounds how many Salesforce calls a worker has in flight per org. Salesforce allows an org
 * at most 25 concurrent long-running requests (over 20 s) and answers the 26th with
 * REQUEST_LIMIT_EXCEEDED; a worker running several rotations and a sweep of one org at
 * once would otherwise reach that by itself, and the integrations sharing the org with it.
 *
 *   const limiter = new CallLimiter(8, 'prod');        // one per org, per worker process
 *   const org = limitOrgCalls(createJsforceOrg(...), limiter);
 *
 * `adapters.ts` makes one limiter per configured org (`orgs.<alias>.maxConcurrentCalls`),
 * so every activity of the worker shares it. Waiters get slots first come, first served.
 *
 * Only the outermost call takes a slot, so nothing can wait for a slot its own caller
 * holds: the wrapper runs the real port's method on the real port (its inner calls never
 * come back through the wrapper), and a call made through the wrapper by code that already
 * holds a slot of the same limiter (an `updateReferences` progress callback, say) runs
 * inside that slot instead of queueing for a second one.
 *
 * A caller still waiting when its activity is cancelled stops waiting with CANCELLED,
 * having made no call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { RotationError } from '../domain/errors';
import { currentSignal } from '../runtime/call-context';
import type { SalesforceOrg } from './org-port';

interface Waiter {
  grant(): void;
}

/** A FIFO semaphore for one org's Salesforce calls. */
export class CallLimiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  /** Set inside a call that holds one of this limiter's slots. */
  private readonly holding = new AsyncLocalStorage<true>();

  constructor(
    readonly max: number,
    /** The org alias, for messages. */
    readonly name: string,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`a call limit is a whole number of at least 1, not ${max}`);
  }

  /** Calls holding a slot now. */
  get running(): number {
    return this.active;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `fn` in a slot: at once when one is free (or the caller holds one already), else in turn. */
  async run<T>(fn: () => Promise<T>, signal: AbortSignal | undefined = currentSignal()): Promise<T> {
    if (this.holding.getStore()) return fn();
    await this.acquire(signal);
    try {
      return await this.holding.run(true, fn);
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(this.cancelled());
    if (this.active < this.max && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(this.cancelled());
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.active--;
  }

  private cancelled(): RotationError {
    return new RotationError(
      'CANCELLED',
      `The activity was cancelled while waiting for one of the ${this.max} Salesforce call slots of org ${this.name}; no call was made.`,
      { retryable: false, details: { org: this.name } },
    );
  }
}

/** Every method of the port; the compiler keeps it complete (and the wrapper with it). */
const PORT_METHODS = {
  organizationId: true,
  listCertificates: true,
  listCertificatesWithDeleted: true,
  getCertificate: true,
  readValidity: true,
  createCertificate: true,
  uploadSignedChain: true,
  deleteCertificate: true,
  findReferences: true,
  findReferencesToAny: true,
  discoverReferenceTargets: true,
  findUnswitchableReferences: true,
  findCertificatePlaces: true,
  updateReferences: true,
  signWithCertificate: true,
  calloutWithCertificate: true,
  apiUsage: true,
} as const satisfies Record<keyof SalesforceOrg, true>;

/** The port with each call waiting for a slot of `limiter` (see the module comment). */
export function limitOrgCalls(org: SalesforceOrg, limiter: CallLimiter): SalesforceOrg {
  const target = org as unknown as Record<keyof SalesforceOrg, (...args: unknown[]) => Promise<unknown>>;
  const limited: Partial<Record<keyof SalesforceOrg, unknown>> = {};
  for (const name of Object.keys(PORT_METHODS) as (keyof SalesforceOrg)[]) {
    // called on the real port, so that its own inner calls do not take a second slot
    limited[name] = (...args: unknown[]): Promise<unknown> => limiter.run(() => target[name](...args));
  }
  return limited as SalesforceOrg;
}

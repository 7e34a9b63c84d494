/**
 * The switch instant of an at-once switch: every participant (the records' request, each
 * Metadata API component) reads and compares first, then waits here; when the last one has
 * arrived — or finished without anything to write, or failed — the barrier calls `release`
 * once (the both-sides switch starts the vendor's activation there) and every write starts
 * together. So the writes that traffic can see begin at one moment, after every read. When a
 * participant fails before that moment, nobody writes and `release` is never called: the
 * vendor is not touched either.
 */
import { RotationError } from '../domain/errors';

export interface BarrierTicket {
  /** Reads done, a write is next: resolves when every participant is at this point. Idempotent (a retried call arrives again at once). */
  arrive(): Promise<void>;
  /** This participant writes nothing more (done or conflict); never blocks the others. */
  leave(): void;
  /** This participant failed before writing: nobody writes (every `arrive` rejects) and `release` is not called. */
  fail(): void;
}

/** What `arrive` rejects with when another participant failed before the switch instant (never retried by itself: the cause is). */
export function switchAbandoned(): RotationError {
  return new RotationError('SALESFORCE_ERROR', 'another part of the same switch failed before writing, so nothing was written', { retryable: false, details: { abandoned: true } });
}

export function isSwitchAbandoned(error: unknown): boolean {
  return error instanceof RotationError && error.details['abandoned'] === true;
}

export class WriteBarrier {
  private remaining: number;
  private fired = false;
  private failed = false;
  private readonly released: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;

  constructor(
    participants: number,
    private readonly release?: () => void,
  ) {
    this.remaining = participants;
    this.released = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.released.catch(() => undefined); // a participant that left never awaits it
    if (participants <= 0) this.fire();
  }

  ticket(): BarrierTicket {
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      this.remaining -= 1;
      if (this.remaining <= 0) this.fire();
    };
    return {
      arrive: () => {
        count();
        return this.released;
      },
      leave: count,
      fail: () => {
        if (!this.fired) this.failed = true;
        count();
      },
    };
  }

  private fire(): void {
    if (this.fired) return;
    this.fired = true;
    if (this.failed) {
      this.reject(switchAbandoned());
      return;
    }
    try {
      this.release?.();
    } finally {
      this.resolve();
    }
  }
}

/** A ticket for a switch that waits for nobody (one reference at a time, or a lone participant). */
export const NO_BARRIER: BarrierTicket = { arrive: () => Promise.resolve(), leave: () => undefined, fail: () => undefined };

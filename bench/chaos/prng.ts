/**
 * The chaos run's one source of randomness: a seeded PRNG (mulberry32), so the driver's
 * choices — which chain, when to kill, when to restart — repeat with `--seed`. Only the
 * driver uses it; workflow code never sees randomness, and the sandboxes draw their
 * injected faults with their own `Math.random` (their `fraction`/`probability` rules), so a
 * repeated run makes the same choices but does not meet exactly the same faults.
 */
export interface Prng {
  /** A float in [0, 1). */
  next: () => number;
  /** An integer in [min, max]. */
  between: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
}

export function seededPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

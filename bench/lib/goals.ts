/** Goal checks that need a tolerance, as the tables state them. Pure. */

/** `reported` is close to `observed`: within 10% of it or 20 ms, whichever is larger. */
export function closeEnough(reported: number, observed: number): boolean {
  return Math.abs(reported - observed) <= Math.max(20, 0.1 * Math.abs(observed));
}

/** A per-item cost is flat across sizes: the largest size's is at most `factor` × the smallest's. */
export function flatCost(perItem: readonly { size: number; value: number }[], factor = 1.25): boolean | null {
  if (perItem.length < 2) return null;
  const sorted = [...perItem].sort((a, b) => a.size - b.size);
  return sorted[sorted.length - 1]!.value <= factor * sorted[0]!.value;
}

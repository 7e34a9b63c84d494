/**
 * The jitter that spreads renewals: each certificate renews up to `jitterMaxHours` earlier
 * than its policy says, by a fraction in [0, 1) that is a hash (FNV-1a, 32 bits) of the
 * org alias, its Unique Name and its expiry — both names compared case-insensitively.
 *
 * Nothing is drawn and nothing is stored: the fraction is the same at every sweep, in two
 * overlapping sweeps and after a reset, so a certificate's renewal time never moves between
 * sweeps; a renewed certificate has another expiry, hence its own fraction. This is the
 * one description of the jitter; the README and the policy's comments say the same.
 */

/** FNV-1a, 32 bits: a stable, well-spread hash, as a fraction in [0, 1). */
function hashFraction(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000;
}

/** The certificate's jitter fraction, in [0, 1): fixed by its identity and expiry. */
export function certificateJitterFraction(org: string, uniqueName: string, expiresAt: string): number {
  return hashFraction(`${org.toLowerCase()}/${uniqueName.toLowerCase()}/${expiresAt}`);
}

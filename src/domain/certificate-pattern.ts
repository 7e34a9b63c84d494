/**
 * Certificate patterns of the inventory (`certificatePattern: "Vendor_*"`): glob semantics,
 * `*` any run of characters, `?` one character, everything else literal; compared
 * case-insensitively, as Salesforce compares Unique Names.
 *
 * Matched without regular expressions: a pattern became a RegExp before, and one with many
 * `*` against a long name (which an org admin can create) backtracked for hours inside the
 * sweep workflow. This matcher only ever returns to the last `*` it passed, so it takes at
 * most len(pattern) × len(name) steps — with both bounded to 80 characters (the longest
 * Unique Name), at most 6,400. Pure, workflow-safe.
 */

/** The longest pattern accepted: a Unique Name is at most 80 characters. */
export const MAX_PATTERN_LENGTH = 80;

/** Why `pattern` is not a certificate pattern, or null. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `at most ${MAX_PATTERN_LENGTH} characters (the longest Unique Name)`;
  if (!/^[A-Za-z0-9_*?]+$/.test(pattern)) return `"${pattern}" may contain only letters, digits, underscores and the wildcards * and ?`;
  if (!/[*?]/.test(pattern)) return `"${pattern}" has no wildcard; for one certificate use certificate: "${pattern}"`;
  return null;
}

/** Whether `name` matches `pattern`, and how many steps that took (for tests of the bound). */
export function matchPattern(pattern: string, name: string): { matches: boolean; steps: number } {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  let pi = 0;
  let ni = 0;
  let star = -1; // position in p just after the last '*' passed
  let resume = 0; // position in n the last '*' would absorb up to
  let steps = 0;
  while (ni < n.length) {
    steps += 1;
    if (pi < p.length && (p[pi] === '?' || p[pi] === n[ni])) {
      pi += 1;
      ni += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = ++pi;
      resume = ni;
    } else if (star !== -1) {
      pi = star;
      ni = ++resume;
    } else {
      return { matches: false, steps };
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return { matches: pi === p.length, steps };
}

export function patternMatches(pattern: string, name: string): boolean {
  return matchPattern(pattern, name).matches;
}

/** Characters a pattern pins down: the more, the more specific. */
export function literalLength(pattern: string): number {
  return pattern.replace(/[*?]/g, '').length;
}

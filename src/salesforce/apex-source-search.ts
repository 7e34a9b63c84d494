/**
 * Where Apex source names a certificate: a string literal whose text is the Unique Name or
 * the label (`setClientCertificateName('Contoso_SF')`, `clientCertName_x = 'Contoso_SF'`),
 * or an identifier spelt as the Unique Name (`Label.Contoso_SF`, a constant of that name).
 * Apex names compare case-insensitively, so these do too. Whole tokens only: `Contoso_SF_2`
 * or `'Contoso_SF (old)'` do not name `Contoso_SF`; comments do not count.
 *
 * A small Apex tokenizer (comments, single-quoted strings with backslash escapes,
 * identifiers), pure: the adapter reads the bodies, this reads the code.
 */

export interface ApexMention {
  /** 1-based line of the mention. */
  readonly line: number;
  /** That line, trimmed, at most 200 characters. */
  readonly text: string;
}

const MAX_LINE_TEXT = 200;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

interface Token {
  readonly kind: 'string' | 'identifier';
  readonly text: string;
  readonly line: number;
}

function* tokens(source: string): Generator<Token> {
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === '\n') {
      line += 1;
      i += 1;
    } else if (ch === '/' && source.charAt(i + 1) === '/') {
      while (i < source.length && source.charAt(i) !== '\n') i += 1;
    } else if (ch === '/' && source.charAt(i + 1) === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      for (let j = i; j < stop; j += 1) if (source.charAt(j) === '\n') line += 1;
      i = stop;
    } else if (ch === "'") {
      const start = line;
      let text = '';
      i += 1;
      // an Apex string literal ends at its closing quote, or (unterminated) at the line's end
      while (i < source.length && source.charAt(i) !== "'" && source.charAt(i) !== '\n') {
        if (source.charAt(i) === '\\' && i + 1 < source.length) {
          const next = source.charAt(i + 1);
          text += ESCAPES[next] ?? next;
          i += 2;
        } else {
          text += source.charAt(i);
          i += 1;
        }
      }
      if (source.charAt(i) === "'") i += 1;
      yield { kind: 'string', text, line: start };
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256)) ?? [ch];
      yield { kind: 'identifier', text: match[0], line };
      i += match[0].length;
    } else if (/[0-9]/.test(ch)) {
      // a number (or a number-prefixed run) is never a name: skip it whole
      while (i < source.length && /[A-Za-z0-9_.]/.test(source.charAt(i))) i += 1;
    } else {
      i += 1;
    }
  }
}

/** The lines of `source` naming the certificate, one entry per line, in order. */
export function apexMentions(source: string, uniqueName: string, label: string | null): ApexMention[] {
  const name = uniqueName.toLowerCase();
  const labelText = label?.trim().toLowerCase() || null;
  const lines = new Set<number>();
  for (const token of tokens(source)) {
    const text = token.kind === 'string' ? token.text.trim().toLowerCase() : token.text.toLowerCase();
    if (text === name || (token.kind === 'string' && labelText !== null && text === labelText)) lines.add(token.line);
  }
  const sourceLines = source.split('\n');
  return [...lines].map((line) => ({ line, text: (sourceLines[line - 1] ?? '').trim().slice(0, MAX_LINE_TEXT) }));
}

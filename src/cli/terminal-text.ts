/**
 * Text from outside — approver names, reasons, vendor and Salesforce errors, notes, manual
 * steps, reference values — printed on an operator's terminal. Such text must not be able to
 * drive the terminal: an ESC sequence can clear the screen, retitle the window or hide what
 * follows, a newline can forge a line ("\nAPPROVED by security"), and a bidi override can
 * make `evil` read as `live`. So every character that is not plain printable text becomes a
 * visible escape, and a long value is cut, saying how long it was:
 *
 *   printable('ok\u001b[2J')          // prints  ok\x1b[2J   (a backslash and "x1b", no ESC)
 *   printable('a\nAPPROVED by x')     // prints  a\nAPPROVED by x   (one line)
 *   printable('x'.repeat(5000), 20)   // prints  xxxxxxxxxxxxxxxxxxxx… (5000 characters in all)
 *
 * A backslash is doubled, so an escape in the output always means a character in the value.
 * `printableJson` does the same for `--json` output (JSON.stringify escapes C0 controls but
 * not C1 controls or bidi overrides), keeping it valid JSON.
 */

/** Longest value printed in full, in characters of the original text. */
export const DEFAULT_MAX_LENGTH = 500;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/**
 * C0 controls, DEL, C1 controls, the bidi embeddings/overrides (U+202A–U+202E), isolates
 * (U+2066–U+2069) and marks (U+061C, U+200E, U+200F), the Unicode line/paragraph separators,
 * and lone surrogates.
 */
function needsEscape(codePoint: number): boolean {
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069) ||
    codePoint === 0x061c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff)
  );
}

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const codePoint = character.codePointAt(0) ?? 0;
  if (!needsEscape(codePoint)) return character;
  const hex = codePoint.toString(16).padStart(2, '0');
  return codePoint <= 0xff ? `\\x${hex}` : `\\u${hex.padStart(4, '0')}`;
}

function textOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      try {
        return JSON.stringify(value) ?? typeof value;
      } catch {
        return Object.prototype.toString.call(value);
      }
  }
}

/**
 * `value` as one safe line: controls and bidi characters shown as escapes, cut after
 * `maxLength` characters with "… (N characters in all)". null/undefined print as "-".
 */
export function printable(value: unknown, maxLength: number = DEFAULT_MAX_LENGTH): string {
  if (value === null || value === undefined) return '-';
  const text = value instanceof Error ? value.message : textOf(value);
  const characters = [...text];
  const shown = characters.length > maxLength ? characters.slice(0, maxLength) : characters;
  const escaped = shown.map(escapeCharacter).join('');
  return shown.length < characters.length ? `${escaped}… (${characters.length} characters in all)` : escaped;
}

/** JSON for a terminal: valid JSON in which no string can carry a C1 control or a bidi override. */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c\u200e\u200f\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

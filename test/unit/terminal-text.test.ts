import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_LENGTH, printable, printableJson } from '../../src/cli/terminal-text';

/** Anything a terminal could act on: C0, DEL, C1, bidi overrides/isolates/marks, line separators. */
/** Whether the text holds anything a terminal could act on: C0, DEL, C1, bidi overrides/isolates/marks, line separators. */
function dangerous(text: string): boolean {
  return [...text].some((c) => {
    const n = c.codePointAt(0) ?? 0;
    return (
      n <= 0x1f ||
      (n >= 0x7f && n <= 0x9f) ||
      (n >= 0x202a && n <= 0x202e) ||
      (n >= 0x2066 && n <= 0x2069) ||
      [0x061c, 0x200e, 0x200f, 0x2028, 0x2029].includes(n)
    );
  });
}

describe('printable', () => {
  const cases: { name: string; value: string; expected: string }[] = [
    { name: 'plain text stays as it is', value: 'alice@acme.example', expected: 'alice@acme.example' },
    { name: 'non-ASCII letters and emoji stay', value: 'José 名前 ✓ 🔑', expected: 'José 名前 ✓ 🔑' },
    { name: 'screen clear (ESC [2J)', value: 'ok\x1b[2J', expected: 'ok\\x1b[2J' },
    { name: 'cursor home and erase line', value: '\x1b[H\x1b[2Kdone', expected: '\\x1b[H\\x1b[2Kdone' },
    { name: 'window title change (OSC 0 ... BEL)', value: '\x1b]0;pwned\x07', expected: '\\x1b]0;pwned\\x07' },
    { name: 'OSC 8 hyperlink', value: '\x1b]8;;https://evil.example\x1b\\click', expected: '\\x1b]8;;https://evil.example\\x1b\\\\click' },
    { name: 'a fake line after a newline', value: 'bob\nAPPROVED by security@acme.example', expected: 'bob\\nAPPROVED by security@acme.example' },
    { name: 'a carriage return that would overwrite the line', value: 'refused\rAPPROVED', expected: 'refused\\rAPPROVED' },
    { name: 'tab', value: 'a\tb', expected: 'a\\tb' },
    { name: 'NUL and backspace', value: 'a\x00b\x08', expected: 'a\\x00b\\x08' },
    { name: 'DEL', value: 'a\x7f', expected: 'a\\x7f' },
    { name: 'C1 CSI (U+009B) screen clear', value: '\u009b2J', expected: '\\x9b2J' },
    { name: 'C1 NEL (U+0085) and OSC (U+009D)', value: 'a\u0085b\u009d0;t\u009c', expected: 'a\\x85b\\x9d0;t\\x9c' },
    { name: 'right-to-left override', value: 'invoice_\u202egnp.exe', expected: 'invoice_\\u202egnp.exe' },
    { name: 'bidi embeddings and pop', value: '\u202a\u202b\u202c\u202d', expected: '\\u202a\\u202b\\u202c\\u202d' },
    { name: 'bidi isolates', value: '\u2066a\u2067b\u2068c\u2069', expected: '\\u2066a\\u2067b\\u2068c\\u2069' },
    { name: 'bidi marks', value: '\u200e\u200f\u061c', expected: '\\u200e\\u200f\\u061c' },
    { name: 'Unicode line and paragraph separators', value: 'a\u2028b\u2029c', expected: 'a\\u2028b\\u2029c' },
    { name: 'a lone surrogate', value: 'a\ud800b', expected: 'a\\ud800b' },
    { name: 'a backslash is doubled, so escapes are unambiguous', value: 'a\\nb', expected: 'a\\\\nb' },
  ];
  for (const { name, value, expected } of cases) {
    it(name, () => {
      const shown = printable(value);
      assert.equal(shown, expected);
      assert.ok(!dangerous(shown));
    });
  }

  it('leaves no character a terminal acts on, over the whole BMP', () => {
    let all = '';
    for (let c = 0; c <= 0xffff; c++) all += String.fromCharCode(c);
    const shown = printable(all, Infinity);
    assert.ok(!dangerous(shown));
    assert.equal(shown.split('\n').length, 1);
  });

  it('cuts a long value with an ellipsis and says how long it was', () => {
    assert.equal(printable('x'.repeat(5000), 20), `${'x'.repeat(20)}… (5000 characters in all)`);
    assert.equal(printable('y'.repeat(DEFAULT_MAX_LENGTH + 1)), `${'y'.repeat(DEFAULT_MAX_LENGTH)}… (${DEFAULT_MAX_LENGTH + 1} characters in all)`);
    assert.equal(printable('z'.repeat(DEFAULT_MAX_LENGTH)), 'z'.repeat(DEFAULT_MAX_LENGTH), 'exactly the limit is not cut');
  });

  it('counts characters, not UTF-16 units, and never cuts an escape in half', () => {
    assert.equal(printable('🔑🔑🔑', 2), '🔑🔑… (3 characters in all)');
    assert.equal(printable('ab\x1b[2J', 3), 'ab\\x1b… (6 characters in all)');
  });

  it('prints values that are not strings', () => {
    assert.equal(printable(null), '-');
    assert.equal(printable(undefined), '-');
    assert.equal(printable(42), '42');
    assert.equal(printable(new Error('boom\x1b[2J')), 'boom\\x1b[2J');
    assert.equal(printable({ a: '\n' }), '{"a":"\\\\n"}');
  });
});

describe('printableJson', () => {
  it('stays valid JSON with the same value, and carries no C1 control or bidi override', () => {
    const value = { approver: 'a\u009b2J\u202eb', note: 'x\x1b]0;t\x07\ny', steps: ['\u2066c\u2069', 'd\u2028e'] };
    const json = printableJson(value);
    assert.ok(!dangerous(json.replace(/\n {0,}/g, '')));
    assert.deepEqual(JSON.parse(json), value);
  });
});

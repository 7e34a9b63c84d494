import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownText, visibleControls } from '../../src/domain/display-text';

describe('visibleControls', () => {
  const cases: { name: string; text: string; expected: string }[] = [
    { name: 'plain text', text: 'key not installed', expected: 'key not installed' },
    { name: 'a newline and a carriage return', text: 'a\r\nb', expected: 'a\\u000d\\u000ab' },
    { name: 'NUL, BEL and ESC', text: '\u0000\u0007\u001b[31m', expected: '\\u0000\\u0007\\u001b[31m' },
    { name: 'DEL and C1 controls', text: '\u007f\u0085\u009b', expected: '\\u007f\\u0085\\u009b' },
    { name: 'a right-to-left override', text: 'invoice\u202etxt.exe', expected: 'invoice\\u202etxt.exe' },
    { name: 'every bidi embedding and isolate', text: '\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069', expected: '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069' },
    { name: 'non-ASCII letters and emoji are left alone', text: 'Zoë 😀 日本', expected: 'Zoë 😀 日本' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(visibleControls(c.text), c.expected));
  }
});

describe('markdownText', () => {
  const cases: { name: string; text: string; max?: number; expected: string }[] = [
    { name: 'plain words', text: 'key not installed', expected: 'key not installed' },
    { name: 'a link', text: '[click](https://evil.example)', expected: '\\[click\\]\\(https://evil\\.example\\)' },
    { name: 'an image', text: '![x](https://evil.example/t.png)', expected: '\\!\\[x\\]\\(https://evil\\.example/t\\.png\\)' },
    { name: 'a fake heading on a new line', text: 'ok\n# Approved', expected: 'ok\\\\u000a\\# Approved' },
    { name: 'HTML', text: '<img src=x onerror=alert(1)>', expected: '\\<img src=x onerror=alert\\(1\\)\\>' },
    { name: 'emphasis, code and tables', text: '*a* _b_ `c` |d| ~e~', expected: '\\*a\\* \\_b\\_ \\`c\\` \\|d\\| \\~e\\~' },
    { name: 'a backslash', text: 'C:\\temp', expected: 'C:\\\\temp' },
    { name: 'a list marker and numbering', text: '- 1. + x', expected: '\\- 1\\. \\+ x' },
    { name: 'a bidi override', text: 'a\u202eb', expected: 'a\\\\u202eb' },
    { name: 'text at the limit', text: 'a'.repeat(300), expected: 'a'.repeat(300) },
    { name: 'long text is cut', text: 'a'.repeat(301), expected: `${'a'.repeat(300)}…` },
    { name: 'a custom limit', text: 'abcdef', max: 3, expected: 'abc…' },
    { name: 'cut before escaping, so escapes do not count', text: '[[[[[', max: 3, expected: '\\[\\[\\[…' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(markdownText(c.text, c.max), c.expected));
  }

  it('a 700 KB reason comes out short', () => {
    assert.ok(markdownText('x'.repeat(700_000)).length <= 301);
  });

  it('leaves no raw control character or unescaped bracket in any output', () => {
    const nasty = '\u0000\u202e[a](b)\n![c](d)<e>' + '\u2066'.repeat(10);
    const out = markdownText(nasty);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    assert.doesNotMatch(out, /(^|[^\\])[[\]()<>!]/);
  });
});

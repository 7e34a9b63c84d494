import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { KNOWN_ENVIRONMENT, KNOWN_VARIABLE_NAMES, knownVariable } from '../../src/workers/known-environment';

const root = join(__dirname, '..', '..');
const listFile = join(root, 'src', 'workers', 'known-environment.ts');

/** Text of every .ts file under src/, except the list itself. */
function sources(dir = join(root, 'src'), out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (path.endsWith('.ts') && path !== listFile) out.set(relative(root, path), readFileSync(path, 'utf8'));
  }
  return out;
}

/** CERTROT_* words in src/ that are markers in text, not environment variables. */
const NOT_ENVIRONMENT = new Set(['CERTROT_RESULT']);

describe('known environment variables', () => {
  const files = sources();

  it('lists only variables the source still mentions', () => {
    for (const { name } of KNOWN_ENVIRONMENT) {
      const pattern = new RegExp(`\\b${name}\\b`);
      const where = [...files].filter(([, text]) => pattern.test(text)).map(([file]) => file);
      assert.ok(where.length > 0, `${name} is listed in src/workers/known-environment.ts but no file under src/ mentions it`);
    }
  });

  it('lists every CERTROT_* variable the source mentions', () => {
    const mentioned = new Set<string>();
    for (const text of files.values()) for (const [name] of text.matchAll(/\bCERTROT_[A-Z0-9_]+\b/g)) mentioned.add(name);
    const unlisted = [...mentioned].filter((name) => !KNOWN_VARIABLE_NAMES.has(name) && !NOT_ENVIRONMENT.has(name));
    assert.deepEqual(unlisted, []);
    assert.ok(mentioned.has('CERTROT_CODEC_KEYS') && mentioned.has('CERTROT_CONFIG'), 'the scan found the variables it should');
  });

  it('names each variable once and marks the credentials secret', () => {
    assert.equal(KNOWN_VARIABLE_NAMES.size, KNOWN_ENVIRONMENT.length);
    assert.deepEqual(
      KNOWN_ENVIRONMENT.filter((variable) => variable.secret).map((variable) => variable.name),
      ['CERTROT_CODEC_KEYS', 'CERTROT_APPROVAL_LINK_KEY', 'CERTROT_CODEC_TOKEN', 'CERTROT_SANDBOX_VENDOR_TOKEN'],
    );
    assert.equal(knownVariable('CERTROT_CODEC_KEY'), undefined);
    assert.deepEqual(knownVariable('CERTROT_CODEC_TOKEN')?.readBy, ['codec-server']);
  });
});

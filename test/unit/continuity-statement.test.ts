/** The key continuity statement's canonical text (src/domain/continuity-statement.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTINUITY_PURPOSE, continuityStatementText, parseContinuityStatement, type ContinuityStatement } from '../../src/domain/continuity-statement';

const statement: ContinuityStatement = {
  version: 1,
  purpose: CONTINUITY_PURPOSE,
  vendorOrgId: '00D000000000001EAA',
  oldSpkiFingerprint: 'AA:'.repeat(31) + 'AA',
  newSpkiFingerprint: 'BB:'.repeat(31) + 'BB',
  rotationId: 'rotate/acme/vendor_cert',
  issuedAt: '2026-12-02T10:00:00.000Z',
  proposedWindow: { start: '2026-12-05T02:00:00.000Z', end: '2026-12-05T04:00:00.000Z' },
};

test('the canonical text parses back to the statement', () => {
  const text = continuityStatementText(statement);
  assert.deepEqual(parseContinuityStatement(text), { ok: true, value: statement });
  assert.equal(text.includes(' '), false);
});

test('the same fields in another order or with whitespace are not the signed text', () => {
  const { rotationId, ...rest } = statement;
  const reordered = JSON.stringify({ rotationId, ...rest });
  const parsed = parseContinuityStatement(reordered);
  assert.equal(parsed.ok, false);
  assert.equal(parseContinuityStatement(JSON.stringify(statement, null, 1)).ok, false);
});

test('wrong purpose, lower-case fingerprints, extra fields and oversized text are refused naming the field', () => {
  const text = (change: Record<string, unknown>): string => JSON.stringify({ ...statement, ...change });
  const problem = (t: string): string => {
    const parsed = parseContinuityStatement(t);
    assert.equal(parsed.ok, false, t.slice(0, 60));
    return parsed.ok ? '' : parsed.problem;
  };
  assert.match(problem(text({ purpose: 'something-else' })), /^statement\.purpose/);
  assert.match(problem(text({ oldSpkiFingerprint: statement.oldSpkiFingerprint.toLowerCase() })), /^statement\.oldSpkiFingerprint/);
  assert.match(problem(text({ extra: true })), /^statement/);
  assert.match(problem('x'.repeat(5000)), /1-2048 characters/);
  assert.match(problem('not json'), /not JSON/);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RotationError, isRotationError } from '../../src/domain';

describe('RotationError', () => {
  it('carries a stable code and a message that names the problem', () => {
    const error = new RotationError('CERT_NOT_FOUND', 'No certificate named "Old_Cert" in org "prod".');
    assert.equal(error.code, 'CERT_NOT_FOUND');
    assert.equal(error.retryable, false);
    assert.equal(String(error), 'CERT_NOT_FOUND: No certificate named "Old_Cert" in org "prod".');
    assert.ok(isRotationError(error, 'CERT_NOT_FOUND'));
    assert.ok(!isRotationError(error, 'CONFLICT'));
  });

  it('marks transient failures retryable unless told otherwise', () => {
    assert.equal(new RotationError('API_LIMIT', 'limit').retryable, true);
    assert.equal(new RotationError('API_LIMIT', 'limit', { retryable: false }).retryable, false);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryOverridesSchema } from '../src/index.js';

describe('retryOverridesSchema', () => {
  test('accepts per-step retry options with duration strings', () => {
    const overrides = { summarize: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 3 } };
    assert.deepEqual(retryOverridesSchema.parse(overrides), overrides);
  });

  test('refuses unknown steps, unknown options and malformed durations', () => {
    assert.equal(retryOverridesSchema.safeParse({ publish: {} }).success, false);
    assert.equal(retryOverridesSchema.safeParse({ summarize: { nonRetryableErrorTypes: [] } }).success, false);
    assert.equal(retryOverridesSchema.safeParse({ fetchSource: { initialInterval: 'soon' } }).success, false);
    assert.equal(retryOverridesSchema.safeParse({ fetchSource: { maximumAttempts: 0 } }).success, false);
  });
});

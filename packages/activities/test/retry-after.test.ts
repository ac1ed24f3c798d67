import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RETRY_AFTER_MS, parseRetryAfterMs } from '../src/retry-after.js';

const now = Date.parse('2025-01-01T00:00:00Z');
const parse = (headers: Record<string, string>): number | undefined => parseRetryAfterMs(new Headers(headers), now);

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds', () => {
    assert.equal(parse({ 'retry-after': '7' }), 7_000);
    assert.equal(parse({ 'retry-after': '0.5' }), 500);
  });

  it('reads an HTTP date relative to now', () => {
    assert.equal(parse({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), 30_000);
  });

  it('treats a date in the past as no wait', () => {
    assert.equal(parse({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), 0);
  });

  it('prefers retry-after-ms', () => {
    assert.equal(parse({ 'retry-after-ms': '1500', 'retry-after': '9' }), 1_500);
  });

  it('falls back to retry-after when retry-after-ms is malformed', () => {
    assert.equal(parse({ 'retry-after-ms': 'soon', 'retry-after': '2' }), 2_000);
  });

  it('clamps very long waits', () => {
    assert.equal(parse({ 'retry-after': '86400' }), MAX_RETRY_AFTER_MS);
  });

  it('returns undefined when absent or unparseable', () => {
    assert.equal(parse({}), undefined);
    assert.equal(parse({ 'retry-after': 'later' }), undefined);
    assert.equal(parse({ 'retry-after': '-5' }), undefined);
    assert.equal(parseRetryAfterMs(undefined), undefined);
  });
});

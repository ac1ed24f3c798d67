import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decisionRequestSchema, parseDurationMs, researchRequestSchema } from '../src/index.js';

describe('researchRequestSchema', () => {
  it('accepts a topic and an http(s) source URL', () => {
    const parsed = researchRequestSchema.parse({ topic: '  Durable execution ', sourceUrl: 'https://example.com/a' });
    assert.deepEqual(parsed, { topic: 'Durable execution', sourceUrl: 'https://example.com/a' });
  });

  it('rejects non-http schemes, empty topics and unknown fields', () => {
    assert.equal(researchRequestSchema.safeParse({ topic: 'x', sourceUrl: 'file:///etc/passwd' }).success, false);
    assert.equal(researchRequestSchema.safeParse({ topic: '   ', sourceUrl: 'https://example.com' }).success, false);
    assert.equal(
      researchRequestSchema.safeParse({ topic: 'x'.repeat(201), sourceUrl: 'https://example.com' }).success,
      false,
    );
    assert.equal(
      researchRequestSchema.safeParse({ topic: 'x', sourceUrl: 'https://example.com', extra: 1 }).success,
      false,
    );
  });

  it('accepts approval timeouts between 1s and 30d only', () => {
    const base = { topic: 'x', sourceUrl: 'https://example.com' };
    assert.equal(researchRequestSchema.safeParse({ ...base, approvalTimeout: '90s' }).success, true);
    assert.equal(researchRequestSchema.safeParse({ ...base, approvalTimeout: '500ms' }).success, false);
    assert.equal(researchRequestSchema.safeParse({ ...base, approvalTimeout: '31d' }).success, false);
    assert.equal(researchRequestSchema.safeParse({ ...base, approvalTimeout: 'soon' }).success, false);
  });
});

describe('parseDurationMs', () => {
  it('converts each unit to milliseconds', () => {
    assert.equal(parseDurationMs('250ms'), 250);
    assert.equal(parseDurationMs('2s'), 2_000);
    assert.equal(parseDurationMs('3m'), 180_000);
    assert.equal(parseDurationMs('24h'), 86_400_000);
    assert.equal(parseDurationMs('7d'), 604_800_000);
    assert.equal(parseDurationMs('1.5h'), undefined);
  });
});

describe('decisionRequestSchema', () => {
  it('requires a boolean decision', () => {
    assert.equal(decisionRequestSchema.safeParse({ approved: 'yes' }).success, false);
    assert.equal(decisionRequestSchema.safeParse({ approved: false, reviewer: 'ana' }).success, true);
  });
});

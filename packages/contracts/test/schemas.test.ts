import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decisionRequestSchema,
  draftSchema,
  parseDurationMs,
  requestedSources,
  researchRequestSchema,
  researchResultSchema,
} from '../src/index.js';

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

  it('accepts 1 to 5 distinct sources instead of sourceUrl, in the order given', () => {
    const sources = ['https://a.example/', 'https://b.example/x', 'http://c.example/'];
    const parsed = researchRequestSchema.parse({ topic: 'x', sources });
    assert.deepEqual(requestedSources(parsed), sources);
    assert.deepEqual(requestedSources(researchRequestSchema.parse({ topic: 'x', sourceUrl: sources[0] })), [
      sources[0],
    ]);
  });

  it('requires exactly one of sourceUrl and sources, and refuses empty, long, repeated or non-http lists', () => {
    const issues = (body: unknown) => {
      const parsed = researchRequestSchema.safeParse(body);
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`);
    };
    assert.deepEqual(issues({ topic: 'x' }), ['sources: is required (or send sourceUrl)']);
    assert.deepEqual(issues({ topic: 'x', sourceUrl: 'https://a.example/', sources: ['https://b.example/'] }), [
      'sources: cannot be sent together with sourceUrl',
    ]);
    assert.deepEqual(issues({ topic: 'x', sources: [] }), ['sources: must list at least one URL']);
    const six = Array.from({ length: 6 }, (_, i) => `https://s${i}.example/`);
    assert.deepEqual(issues({ topic: 'x', sources: six }), ['sources: must list at most 5 URLs']);
    assert.deepEqual(issues({ topic: 'x', sources: ['https://a.example/', 'https://a.example/'] }), [
      'sources: must not list a URL twice',
    ]);
    assert.deepEqual(issues({ topic: 'x', sources: ['ftp://a.example/'] }), [
      'sources/0: must be an absolute http(s) URL',
    ]);
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

describe('decisionRequestSchema: revise and edit', () => {
  const issues = (body: unknown) => {
    const parsed = decisionRequestSchema.safeParse(body);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`);
  };

  it('accepts a revision with a comment and an approval with an edited summary', () => {
    assert.deepEqual(issues({ approved: false, revise: true, comment: 'Shorter.' }), []);
    assert.deepEqual(issues({ approved: true, editedSummary: ' Edited. ' }), []);
    assert.equal(decisionRequestSchema.parse({ approved: true, editedSummary: ' Edited. ' }).editedSummary, 'Edited.');
  });

  it('refuses a revision that approves or has no comment, and an edit that rejects', () => {
    assert.deepEqual(issues({ approved: true, revise: true, comment: 'x' }), ['revise: needs approved false']);
    assert.deepEqual(issues({ approved: false, revise: true, comment: '  ' }), [
      'comment: is required with revise: it is what the LLM gets',
    ]);
    assert.deepEqual(issues({ approved: false, editedSummary: 'x' }), ['editedSummary: needs approved true']);
    assert.deepEqual(issues({ approved: true, editedSummary: '' }), ['editedSummary: must not be empty']);
  });
});

describe('drafts and results', () => {
  const usage = { promptTokens: 1, completionTokens: 1, totalTokens: 2 };

  it('reads drafts and results of older runs, which have no points, citations or sources', () => {
    assert.equal(draftSchema.safeParse({ summary: 's', model: 'm', usage }).success, true);
    const result = {
      outcome: 'approved',
      summary: 's',
      topic: 't',
      sourceUrl: 'https://a.example/',
      reviewer: null,
      comment: null,
      decidedAt: '2025-01-01T00:00:00.000Z',
      usage,
    };
    assert.equal(researchResultSchema.safeParse(result).success, true);
  });

  it('checks a structured draft: 1-based source indexes, quotes of at most 300 characters', () => {
    const draft = (quote: string, source: number) => ({
      summary: 's',
      model: 'm',
      usage,
      points: [{ text: 'p', citations: [{ source, quote, verified: true }] }],
      grounding: { verified: 1, unverified: 0, regenerated: false, warning: null },
    });
    assert.equal(draftSchema.safeParse(draft('a quote', 1)).success, true);
    assert.equal(draftSchema.safeParse(draft('a quote', 0)).success, false);
    assert.equal(draftSchema.safeParse(draft('x'.repeat(301), 1)).success, false);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResearchResult } from '@research/contracts';
import { createActivities } from '../src/create-activities.js';
import type { ResultStore } from '../src/result-store.js';
import { createTestDatabase, fetchConfig, llmConfig, mockEnvironment, type TestDatabase } from './helpers.js';

const result: ResearchResult = {
  outcome: 'approved',
  summary: 'A summary.',
  topic: 'durable execution',
  sourceUrl: 'https://example.com/article',
  reviewer: 'ada',
  comment: 'Looks right.',
  decidedAt: '2025-01-02T03:04:05.000Z',
  usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
};

describe(`result store (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: TestDatabase;
  let store: ResultStore;
  before(async () => {
    database = await createTestDatabase();
    store = await database.open();
  });
  after(async () => {
    await store.close();
    await database.destroy();
  });

  it('uses PostgreSQL when a URL is given and PGlite otherwise', () => {
    assert.equal(store.kind, database.kind);
  });

  it('saveResult run twice leaves exactly one row holding the latest result', async () => {
    const { saveResult } = createActivities({
      config: { fetch: fetchConfig(), llm: llmConfig('http://127.0.0.1:1/v1') },
      store,
    });
    const environment = mockEnvironment();
    const before = await store.count();
    await environment.run(saveResult, { workflowId: 'wf-twice', result });
    const first = await store.get('wf-twice');
    await environment.run(saveResult, { workflowId: 'wf-twice', result: { ...result, comment: 'Second thoughts.' } });
    assert.equal(await store.count(), before + 1);
    const second = await store.get('wf-twice');
    assert.ok(first && second);
    assert.equal(second.comment, 'Second thoughts.');
    assert.equal(second.createdAt, first.createdAt);
    assert.ok(second.updatedAt >= first.updatedAt);
  });

  it('reads back every field as written', async () => {
    await store.upsert('wf-fields', { ...result, outcome: 'expired', reviewer: null, comment: null });
    const row = await store.get('wf-fields');
    assert.ok(row);
    const { workflowId, createdAt, updatedAt, ...stored } = row;
    assert.equal(workflowId, 'wf-fields');
    assert.ok(!Number.isNaN(Date.parse(createdAt)) && !Number.isNaN(Date.parse(updatedAt)));
    assert.deepEqual(stored, { ...result, outcome: 'expired', reviewer: null, comment: null });
  });

  it('returns null for an unknown workflow', async () => {
    assert.equal(await store.get('wf-unknown'), null);
  });

  it('rejects an outcome the schema does not know', async () => {
    await assert.rejects(store.upsert('wf-bad', { ...result, outcome: 'maybe' as ResearchResult['outcome'] }));
  });

  it('keeps rows across closing and reopening', async () => {
    await store.upsert('wf-persist', result);
    await store.close();
    store = await database.open();
    assert.equal((await store.get('wf-persist'))?.summary, result.summary);
  });
});

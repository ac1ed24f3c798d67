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

  it('saveResult repeated for the same run leaves exactly one row, with the first decision', async () => {
    const { saveResult } = createActivities({
      config: { fetch: fetchConfig(), llm: llmConfig('http://127.0.0.1:1/v1') },
      store,
    });
    const environment = mockEnvironment();
    const before = await store.count();
    await environment.run(saveResult, { workflowId: 'wf-twice', runId: 'run-1', result });
    const first = await store.get('wf-twice', 'run-1');
    const retried = { ...result, comment: 'Not what the run decided.' };
    assert.equal(await store.save({ workflowId: 'wf-twice', runId: 'run-1', result: retried }), false);
    assert.equal(await store.count(), before + 1);
    const second = await store.get('wf-twice', 'run-1');
    assert.ok(first && second);
    const { updatedAt: firstUpdate, ...firstDecision } = first;
    const { updatedAt: secondUpdate, ...secondDecision } = second;
    assert.deepEqual(secondDecision, firstDecision, 'the decision columns are never written twice');
    assert.ok(secondUpdate >= firstUpdate, 'the repeated write is recorded in updatedAt');
  });

  it('a different run with the same workflow id never overwrites the earlier decision: each run keeps its row', async () => {
    const { saveResult } = createActivities({
      config: { fetch: fetchConfig(), llm: llmConfig('http://127.0.0.1:1/v1') },
      store,
    });
    const environment = mockEnvironment();
    const before = await store.count();
    await environment.run(saveResult, { workflowId: 'wf-reused', runId: 'run-a', result });
    const later = { ...result, outcome: 'rejected' as const, decidedAt: '2025-02-01T00:00:00.000Z' };
    await environment.run(saveResult, { workflowId: 'wf-reused', runId: 'run-b', result: later });
    assert.equal(await store.count(), before + 2);
    assert.equal((await store.get('wf-reused', 'run-a'))?.outcome, 'approved');
    assert.equal((await store.get('wf-reused', 'run-b'))?.outcome, 'rejected');
    assert.equal((await store.get('wf-reused'))?.runId, 'run-b', 'without a run id, get answers the latest decision');
  });

  it('saveResult without a run id in its input (scheduled by older workflow code) uses the run of its activity info', async () => {
    const { saveResult } = createActivities({
      config: { fetch: fetchConfig(), llm: llmConfig('http://127.0.0.1:1/v1') },
      store,
    });
    const environment = mockEnvironment();
    await environment.run(saveResult, { workflowId: 'wf-old-input', result });
    const row = await store.get('wf-old-input');
    assert.ok(row);
    assert.notEqual(row.runId, '');
  });

  it('reads back every field as written', async () => {
    await store.save({
      workflowId: 'wf-fields',
      runId: 'run-fields',
      result: { ...result, outcome: 'expired', reviewer: null, comment: null },
    });
    const row = await store.get('wf-fields');
    assert.ok(row);
    const { workflowId, runId, createdAt, updatedAt, ...stored } = row;
    assert.equal(workflowId, 'wf-fields');
    assert.equal(runId, 'run-fields');
    assert.ok(!Number.isNaN(Date.parse(createdAt)) && !Number.isNaN(Date.parse(updatedAt)));
    assert.deepEqual(stored, { ...result, outcome: 'expired', reviewer: null, comment: null });
  });

  it('returns null for an unknown workflow', async () => {
    assert.equal(await store.get('wf-unknown'), null);
  });

  it('rejects an outcome the schema does not know', async () => {
    await assert.rejects(
      store.save({
        workflowId: 'wf-bad',
        runId: 'run-bad',
        result: { ...result, outcome: 'maybe' as ResearchResult['outcome'] },
      }),
    );
  });

  it('keeps rows across closing and reopening', async () => {
    await store.save({ workflowId: 'wf-persist', runId: 'run-persist', result });
    await store.close();
    store = await database.open();
    assert.equal((await store.get('wf-persist'))?.summary, result.summary);
  });
});

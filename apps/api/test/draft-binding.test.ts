import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { DRAFT_CHANGED, RECEIPTS_MEMO_KEY, STATUS_MEMO_KEY } from '@research/contracts';
import type { ApprovalRequest, DecisionReceipt, Draft } from '@research/contracts';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { draftPrecondition } from '../src/routes/draft-precondition.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS, VALID_REQUEST, bearer, problemOf, testApiKey, testApp, testConfig } from './support.js';

const ana = testApiKey('ana', ['research:submit', 'research:read', 'research:approve']);
const ben = testApiKey('ben', ['research:read', 'research:approve']);
const SHA = 'd'.repeat(64);
const OTHER = 'e'.repeat(64);
const DRAFT: Draft = {
  summary: 'A summary.',
  model: 'stub',
  usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
  version: 1,
  sha256: SHA,
};

/**
 * The real gateway over the fake Temporal; the fake's update validates `draftSha256` against `draft` the way the
 * workflow's validator does (refusing with DraftChanged), and records what it received.
 */
async function setup(t: TestContext, draft: Draft = DRAFT) {
  const config = testConfig({ API_KEYS: JSON.stringify([ana.entry, ben.entry]) });
  const temporal = new FakeTemporal();
  const gateway = createTemporalGateway(temporal, {
    ...GATEWAY_TEST_TIMEOUTS,
  });
  const app = testApp(t, gateway, { config });
  const started = await app.inject({
    method: 'POST',
    url: '/research',
    headers: bearer(ana.key),
    payload: VALID_REQUEST,
  });
  const { workflowId } = started.json<{ workflowId: string }>();
  const execution = temporal.executions.get(workflowId)!;
  execution.memo[STATUS_MEMO_KEY] = { stage: 'awaiting_approval', draft };
  const received: ApprovalRequest[] = [];
  execution.update = async (request) => {
    if (request.draftSha256 !== undefined && request.draftSha256 !== draft.sha256) {
      const cause = ApplicationFailure.nonRetryable(
        'The decision names a draft other than the current one.',
        DRAFT_CHANGED,
      );
      throw new WorkflowUpdateFailedError('Workflow Update failed', cause);
    }
    received.push(request);
    return { approved: request.approved, comment: null, reviewer: 'ben', decidedAt: '2025-01-01T00:03:00.000Z' };
  };
  const approve = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: `/workflows/${workflowId}/approve`,
      headers: { ...bearer(ben.key), ...headers },
      payload,
    });
  return { app, temporal, workflowId, execution, received, approve };
}

describe('decisions bound to the draft', () => {
  test('GET /workflows/:id answers the draft sha256 as a strong ETag, and none for a draft without a hash', async (t) => {
    const { app, workflowId, execution } = await setup(t);
    const read = () => app.inject({ method: 'GET', url: `/workflows/${workflowId}`, headers: bearer(ben.key) });
    const hashed = await read();
    assert.equal(hashed.statusCode, 200);
    assert.equal(hashed.headers.etag, `"${SHA}"`);
    const { sha256: _none, ...unhashed } = DRAFT;
    execution.memo[STATUS_MEMO_KEY] = { stage: 'awaiting_approval', draft: unhashed };
    assert.equal((await read()).headers.etag, undefined);
  });

  test('passes If-Match to the workflow as draftSha256 and answers 200 when it names the current draft', async (t) => {
    const { approve, received } = await setup(t);
    const response = await approve({ approved: true }, { 'if-match': `"${SHA}"` });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(received[0]?.draftSha256, SHA);
  });

  test('answers 412 DRAFT_CHANGED when If-Match or draftSha256 names another draft', async (t) => {
    const { approve, received } = await setup(t);
    for (const [payload, headers] of [
      [{ approved: true }, { 'if-match': `"${OTHER}"` }],
      [{ approved: true, draftSha256: OTHER }, {}],
      [{ approved: true }, { 'if-match': `W/"${SHA}"` }],
    ] as const) {
      const response = await approve(payload, headers);
      assert.equal(response.statusCode, 412, response.body);
      assert.equal(problemOf(response).code, 'DRAFT_CHANGED');
    }
    assert.deepEqual(received, []);
  });

  test('answers 400 when If-Match and draftSha256 name different drafts, or If-Match lists several', async (t) => {
    const { approve, received } = await setup(t);
    const both = await approve({ approved: true, draftSha256: OTHER }, { 'if-match': `"${SHA}"` });
    assert.equal(both.statusCode, 400, both.body);
    assert.deepEqual(
      problemOf(both).errors?.map((e) => e.pointer),
      ['/draftSha256'],
    );
    const listed = await approve({ approved: true }, { 'if-match': `"${SHA}", "${OTHER}"` });
    assert.equal(listed.statusCode, 400, listed.body);
    assert.deepEqual(received, []);
  });

  test('accepts a decision without If-Match as before, and If-Match: * names no draft', async (t) => {
    const { approve, received } = await setup(t);
    assert.equal((await approve({ approved: true })).statusCode, 200);
    assert.equal((await approve({ approved: false }, { 'if-match': '*' })).statusCode, 200);
    assert.deepEqual(
      received.map((r) => r.draftSha256),
      [undefined, undefined],
    );
  });

  test('draftPrecondition: a strong tag, the body hash, a weak tag, a list, a disagreement', () => {
    assert.deepEqual(draftPrecondition(`"${SHA}"`, undefined), { kind: 'draft', sha256: SHA });
    assert.deepEqual(draftPrecondition(undefined, SHA), { kind: 'draft', sha256: SHA });
    assert.deepEqual(draftPrecondition(`"${SHA}"`, SHA), { kind: 'draft', sha256: SHA });
    assert.deepEqual(draftPrecondition(undefined, undefined), { kind: 'any' });
    assert.deepEqual(draftPrecondition(`W/"${SHA}"`, undefined), { kind: 'stale' });
    assert.equal(draftPrecondition(`"${SHA}", "${OTHER}"`, undefined).kind, 'invalid');
    assert.equal(draftPrecondition(`"${SHA}"`, OTHER).kind, 'invalid');
  });
});

describe('GET /workflows/:id/audit', () => {
  const receipt: DecisionReceipt = {
    decisionId: '00000000-0000-4000-8000-000000000001',
    workflowId: 'wf',
    runId: 'run-1',
    decidedBy: { id: 'ben', name: 'Caller ben', method: 'api-key' },
    reviewer: 'ben',
    decidedAt: '2025-01-01T00:03:00.000Z',
    approved: true,
    comment: null,
    draftSha256: SHA,
    sourceSha256: 'a'.repeat(64),
    requestId: 'req-1',
  };

  test('answers the receipts the workflow published in its memo, and none before a decision', async (t) => {
    const { app, workflowId, execution } = await setup(t);
    const read = () => app.inject({ method: 'GET', url: `/workflows/${workflowId}/audit`, headers: bearer(ben.key) });
    const before = await read();
    assert.equal(before.statusCode, 200, before.body);
    assert.deepEqual(before.json(), { workflowId, receipts: [] });
    execution.memo[RECEIPTS_MEMO_KEY] = [{ ...receipt, workflowId }];
    execution.status = 'COMPLETED';
    assert.deepEqual((await read()).json(), { workflowId, receipts: [{ ...receipt, workflowId }] });
  });

  test('answers 404 for an unknown workflow and 401 without credentials', async (t) => {
    const { app, workflowId } = await setup(t);
    const unknown = await app.inject({ method: 'GET', url: '/workflows/nope/audit', headers: bearer(ben.key) });
    assert.equal(unknown.statusCode, 404);
    const anonymous = await app.inject({ method: 'GET', url: `/workflows/${workflowId}/audit` });
    assert.equal(anonymous.statusCode, 401);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { REQUEST_MEMO_KEY, SELF_APPROVAL_FORBIDDEN } from '@research/contracts';
import type { ApprovalRequest, ResearchInput } from '@research/contracts';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { workflowIdForKey } from '../src/temporal/idempotency.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS, VALID_REQUEST, bearer, problemOf, testApiKey, testApp, testConfig } from './support.js';

const ana = testApiKey('ana', ['research:submit', 'research:read', 'research:approve']);
const ben = testApiKey('ben', ['research:submit', 'research:read', 'research:approve']);

/** The real gateway over an in-memory Temporal, behind the app with API keys for ana and ben. */
function setup(t: TestContext, env: Record<string, string> = {}) {
  const config = testConfig({ API_KEYS: JSON.stringify([ana.entry, ben.entry]), ...env });
  const temporal = new FakeTemporal();
  const gateway = createTemporalGateway(temporal, {
    ...GATEWAY_TEST_TIMEOUTS,
    requireDistinctApprover: config.REQUIRE_DISTINCT_APPROVER,
  });
  const app = testApp(t, gateway, { config });
  const submit = (key: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/research', headers: { ...bearer(key), ...headers }, payload: VALID_REQUEST });
  const approve = (key: string, id: string, payload: Record<string, unknown> = { approved: true }) =>
    app.inject({ method: 'POST', url: `/workflows/${id}/approve`, headers: bearer(key), payload });
  /** Makes the fake workflow accept decisions, recording the update arguments. */
  const acceptDecisions = (id: string): ApprovalRequest[] => {
    const received: ApprovalRequest[] = [];
    temporal.executions.get(id)!.update = async (request) => {
      received.push(request);
      const reviewer = request.decidedBy?.id ?? request.reviewer ?? null;
      return { approved: request.approved, comment: null, reviewer, decidedAt: '2025-01-01T00:03:00.000Z' };
    };
    return received;
  };
  return { app, temporal, submit, approve, acceptDecisions };
}

describe('accountable decisions', () => {
  test('records the submitter in the workflow input and memo and shows it in GET /workflows/:id', async (t) => {
    const { app, temporal, submit } = setup(t);
    const started = await submit(ana.key);
    assert.equal(started.statusCode, 202);
    const { workflowId } = started.json<{ workflowId: string }>();
    const execution = temporal.executions.get(workflowId)!;
    const input = execution.args?.[0] as ResearchInput;
    assert.deepEqual(input.submittedBy, { id: 'ana', name: 'Caller ana' });
    assert.equal(input.requireDistinctApprover, true);
    assert.deepEqual((execution.memo[REQUEST_MEMO_KEY] as { submittedBy: unknown }).submittedBy, input.submittedBy);

    const view = await app.inject({ method: 'GET', url: `/workflows/${workflowId}`, headers: bearer(ben.key) });
    assert.equal(view.statusCode, 200);
    assert.deepEqual(view.json().submittedBy, { id: 'ana', name: 'Caller ana' });
  });

  test('shows submittedBy null for a pipeline started before submitters were recorded', async (t) => {
    const { app, temporal, submit } = setup(t);
    const { workflowId } = (await submit(ana.key)).json<{ workflowId: string }>();
    const memo = temporal.executions.get(workflowId)!.memo[REQUEST_MEMO_KEY] as Record<string, unknown>;
    delete memo.submittedBy;
    const view = await app.inject({ method: 'GET', url: `/workflows/${workflowId}`, headers: bearer(ana.key) });
    assert.equal(view.json().submittedBy, null);
  });

  test('refuses a reviewer field in the body with 400, saying the reviewer comes from the credentials', async (t) => {
    const { submit, approve } = setup(t);
    const { workflowId } = (await submit(ana.key)).json<{ workflowId: string }>();
    const response = await approve(ben.key, workflowId, { approved: true, reviewer: 'someone else' });
    assert.equal(response.statusCode, 400);
    const problem = problemOf(response);
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.match(problem.detail, /reviewer comes from the credentials/);
    assert.deepEqual(
      problem.errors?.map((e) => e.pointer),
      ['/reviewer'],
    );
  });

  test('takes the reviewer from the credentials and passes it to the workflow as decidedBy', async (t) => {
    const { submit, approve, acceptDecisions } = setup(t);
    const { workflowId } = (await submit(ana.key)).json<{ workflowId: string }>();
    const received = acceptDecisions(workflowId);
    const response = await approve(ben.key, workflowId, { approved: true, comment: 'ok' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().reviewer, 'ben');
    assert.deepEqual(received, [
      {
        approved: true,
        comment: 'ok',
        decidedBy: { id: 'ben', name: 'Caller ben' },
        via: { method: 'api-key', requestId: response.headers['x-request-id'] },
      },
    ]);
  });

  test('four-eyes: the submitter gets 403 SELF_APPROVAL_FORBIDDEN and the workflow never sees the decision', async (t) => {
    const { submit, approve, acceptDecisions } = setup(t);
    const { workflowId } = (await submit(ana.key)).json<{ workflowId: string }>();
    const received = acceptDecisions(workflowId);
    const response = await approve(ana.key, workflowId);
    assert.equal(response.statusCode, 403);
    assert.equal(problemOf(response).code, 'SELF_APPROVAL_FORBIDDEN');
    assert.deepEqual(received, []);
  });

  test('four-eyes: a rejection by the workflow validator (another API replica) is 403 SELF_APPROVAL_FORBIDDEN', async (t) => {
    const { temporal, submit, approve } = setup(t);
    const { workflowId } = (await submit(ana.key)).json<{ workflowId: string }>();
    temporal.executions.get(workflowId)!.update = () =>
      Promise.reject(
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.nonRetryable('The submitter cannot decide it.', SELF_APPROVAL_FORBIDDEN),
        ),
      );
    const response = await approve(ben.key, workflowId);
    assert.equal(response.statusCode, 403);
    assert.equal(problemOf(response).code, 'SELF_APPROVAL_FORBIDDEN');
  });

  test('REQUIRE_DISTINCT_APPROVER=false lets the submitter decide', async (t) => {
    const { temporal, submit, approve, acceptDecisions } = setup(t, { REQUIRE_DISTINCT_APPROVER: 'false' });
    const { workflowId } = (await submit(ana.key)).json<{ workflowId: string }>();
    assert.equal((temporal.executions.get(workflowId)!.args?.[0] as ResearchInput).requireDistinctApprover, false);
    acceptDecisions(workflowId);
    const response = await approve(ana.key, workflowId);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().reviewer, 'ana');
  });
});

describe('caller-scoped idempotency keys', () => {
  test('two callers sending the same key start two pipelines; each caller retrying gets its own', async (t) => {
    const { temporal, submit } = setup(t);
    const headers = { 'idempotency-key': 'order-42' };
    const first = await submit(ana.key, headers);
    const other = await submit(ben.key, headers);
    const retry = await submit(ana.key, headers);
    assert.deepEqual([first.statusCode, other.statusCode, retry.statusCode], [202, 202, 200]);
    assert.notEqual(first.json().workflowId, other.json().workflowId);
    assert.equal(retry.json().workflowId, first.json().workflowId);
    assert.equal(temporal.starts.length, 2);
  });

  test('open mode keeps the workflow ids earlier versions derived from a key', async (t) => {
    const temporal = new FakeTemporal();
    const gateway = createTemporalGateway(temporal, {
      rpcTimeoutMs: 1000,
      queryTimeoutMs: 200,
      updateTimeoutMs: 1000,
      readyTimeoutMs: 300,
    });
    const app = testApp(t, gateway);
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      headers: { 'idempotency-key': 'order-42' },
      payload: VALID_REQUEST,
    });
    // sha256("order-42"), the id earlier versions derived before keys were scoped to callers.
    const expected = 'research-key-3bf8b157c4238eefe5ae4a66eca81c6b887d4dcedb58dd674271859f4dc2edfd';
    assert.equal(response.json().workflowId, expected);
    assert.equal(workflowIdForKey('order-42'), expected);
    assert.notEqual(workflowIdForKey('order-42', 'ana'), expected);
  });
});

describe('workflows of other types', () => {
  test('answers 404 to reads, decisions, receipts, events, cancel and links for a workflow id of another type', async (t) => {
    const { app, temporal, approve } = setup(t, {
      APPROVAL_LINK_SECRET: 'accountable-decisions-link-secret-of-32-bytes',
    });
    await temporal.workflow.start('billing', { taskQueue: 'other', workflowId: 'billing-1', args: [] });
    const read = await app.inject({ method: 'GET', url: '/workflows/billing-1', headers: bearer(ana.key) });
    assert.equal(read.statusCode, 404);
    assert.equal(problemOf(read).code, 'WORKFLOW_NOT_FOUND');
    const decide = await approve(ana.key, 'billing-1');
    assert.equal(decide.statusCode, 404);
    assert.equal(problemOf(decide).code, 'WORKFLOW_NOT_FOUND');
    const others = [
      { method: 'GET', url: '/workflows/billing-1/audit' },
      { method: 'GET', url: '/workflows/billing-1/events' },
      { method: 'POST', url: '/workflows/billing-1/cancel' },
      { method: 'POST', url: '/workflows/billing-1/approval-links', payload: { reviewer: { id: 'ben' } } },
    ] as const;
    for (const route of others) {
      const response = await app.inject({ ...route, headers: bearer(ana.key) });
      assert.equal(response.statusCode, 404, `${route.method} ${route.url}: ${response.body}`);
      assert.equal(problemOf(response).code, 'WORKFLOW_NOT_FOUND');
    }
    assert.equal(temporal.executions.get('billing-1')?.cancelRequested, undefined, 'nothing was cancelled');
  });
});

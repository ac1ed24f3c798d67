import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FailureType,
  NOT_AWAITING_APPROVAL,
  RESEARCH_TASK_QUEUE,
  RESEARCH_WORKFLOW_TYPE,
  REQUEST_MEMO_KEY,
  STATUS_MEMO_KEY,
} from '@research/contracts';
import type { ResearchState } from '@research/contracts';
import {
  ActivityFailure,
  ApplicationFailure,
  TerminatedFailure,
  WorkflowFailedError,
  WorkflowNotFoundError as TemporalWorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import {
  IdempotencyKeyReusedError,
  NotAwaitingApprovalError,
  TemporalUnavailableError,
  WorkflowNotFoundError,
  WorkflowTimeoutError,
} from '../src/temporal/errors.js';
import { workflowIdForKey } from '../src/temporal/idempotency.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import type { TemporalGatewayOptions } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal, grpcError } from './fake-temporal.js';
import { VALID_REQUEST } from './support.js';

// The SDK's RetryState value; @temporalio/common is not a direct dependency of the API.
const NON_RETRYABLE = 'NON_RETRYABLE_FAILURE';

const OPTIONS: TemporalGatewayOptions = {
  rpcTimeoutMs: 1000,
  queryTimeoutMs: 200,
  updateTimeoutMs: 2000,
  readyTimeoutMs: 300,
};

function setup(options: Partial<TemporalGatewayOptions> = {}) {
  const temporal = new FakeTemporal();
  let ids = 0;
  const gateway = createTemporalGateway(temporal, { ...OPTIONS, newWorkflowId: () => `research-${++ids}`, ...options });
  return { temporal, gateway };
}

const draft = { summary: 'S', model: 'm', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } };
const result = {
  outcome: 'approved' as const,
  summary: 'S',
  topic: VALID_REQUEST.topic,
  sourceUrl: VALID_REQUEST.sourceUrl,
  reviewer: 'ada',
  comment: null,
  decidedAt: '2025-01-01T00:05:00.000Z',
  usage: draft.usage,
};

describe('startResearch', () => {
  test('starts the research workflow on the task queue with the queued memo and strict id policies', async () => {
    const { temporal, gateway } = setup({ approvalTimeoutDefault: '15m' });
    const started = await gateway.startResearch(VALID_REQUEST);
    assert.deepEqual(started, {
      created: true,
      workflowId: 'research-1',
      runId: 'run-1',
      status: 'RUNNING',
      stage: 'queued',
    });
    const [start] = temporal.starts;
    assert.equal(start?.workflowType, RESEARCH_WORKFLOW_TYPE);
    assert.equal(start?.options.taskQueue, RESEARCH_TASK_QUEUE);
    assert.equal(start?.options.workflowIdConflictPolicy, 'FAIL');
    assert.equal(start?.options.workflowIdReusePolicy, 'REJECT_DUPLICATE');
    assert.deepEqual(start?.options.args, [{ ...VALID_REQUEST, approvalTimeout: '15m' }]);
    assert.deepEqual(start?.options.memo?.[STATUS_MEMO_KEY], {
      stage: 'queued',
      draft: null,
      decision: null,
      result: null,
      awaitingSince: null,
      approvalDeadline: null,
    });
    assert.ok(temporal.deadlines.length > 0, 'calls run under a deadline');
  });

  test('records every source in the request memo, and the first as sourceUrl for readers that know only it', async () => {
    const { temporal, gateway } = setup();
    const sources = ['https://a.example/1', 'https://b.example/2'];
    const { workflowId } = await gateway.startResearch({ topic: 'T', sources });
    assert.deepEqual(temporal.starts[0]?.options.args, [{ topic: 'T', sources }]);
    const request = temporal.starts[0]?.options.memo?.[REQUEST_MEMO_KEY] as Record<string, unknown>;
    assert.equal(request.sourceUrl, sources[0]);
    assert.deepEqual(request.sources, sources);
    temporal.executions.get(workflowId)!.memo[STATUS_MEMO_KEY] = { stage: 'fetching', draft: null, decision: null };
    const view = await gateway.getWorkflow(workflowId);
    assert.deepEqual(view.sources, sources);
    assert.equal(view.sourceUrl, sources[0]);
  });

  test('passes MAX_COST_USD_DEFAULT as the budget of requests without maxCostUsd, and leaves it out when unset', async () => {
    const { temporal, gateway } = setup({ maxCostUsdDefault: 0.5 });
    await gateway.startResearch(VALID_REQUEST);
    await gateway.startResearch({ ...VALID_REQUEST, maxCostUsd: 2 });
    assert.deepEqual(
      temporal.starts.map((s) => (s.options.args?.[0] as { maxCostUsd?: number }).maxCostUsd),
      [0.5, 2],
    );
    const open = setup();
    await open.gateway.startResearch(VALID_REQUEST);
    assert.equal('maxCostUsd' in (open.temporal.starts[0]?.options.args?.[0] as object), false);
  });

  test('passes LLM_CONTEXT_CHARS in every workflow input, and leaves it out when unset', async () => {
    const { temporal, gateway } = setup({ llmContextChars: 4_000 });
    await gateway.startResearch(VALID_REQUEST);
    assert.equal((temporal.starts[0]?.options.args?.[0] as { llmContextChars?: number }).llmContextChars, 4_000);
    const open = setup();
    await open.gateway.startResearch(VALID_REQUEST);
    assert.equal('llmContextChars' in (open.temporal.starts[0]?.options.args?.[0] as object), false);
  });

  test('starts on the configured task queue when one is set', async () => {
    const { temporal, gateway } = setup({ taskQueue: 'research-blue' });
    await gateway.startResearch(VALID_REQUEST);
    assert.equal(temporal.starts[0]?.options.taskQueue, 'research-blue');
  });

  test('the same key and body start one workflow: 202 then 200 with the same workflow, even after it closed', async () => {
    const { temporal, gateway } = setup();
    const first = await gateway.startResearch(VALID_REQUEST, { idempotencyKey: 'key-1' });
    assert.equal(first.created, true);
    assert.equal(first.workflowId, workflowIdForKey('key-1'));
    const second = await gateway.startResearch({ ...VALID_REQUEST }, { idempotencyKey: 'key-1' });
    assert.deepEqual(second, { ...first, created: false });

    const execution = temporal.executions.get(first.workflowId)!;
    execution.status = 'COMPLETED';
    const third = await gateway.startResearch(VALID_REQUEST, { idempotencyKey: 'key-1' });
    assert.deepEqual(third, { ...first, created: false, status: 'COMPLETED', stage: 'completed' });
    assert.equal(temporal.starts.length, 1);
  });

  test('concurrent requests with the same key start exactly one workflow', async () => {
    const { temporal, gateway } = setup();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => gateway.startResearch(VALID_REQUEST, { idempotencyKey: 'race' })),
    );
    assert.equal(temporal.starts.length, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(new Set(results.map((r) => r.workflowId)).size, 1);
  });

  test('the same key with a different body is refused', async () => {
    const { gateway } = setup();
    await gateway.startResearch(VALID_REQUEST, { idempotencyKey: 'key-2' });
    await assert.rejects(
      gateway.startResearch({ ...VALID_REQUEST, topic: 'Something else' }, { idempotencyKey: 'key-2' }),
      IdempotencyKeyReusedError,
    );
  });

  test('throws TemporalUnavailableError when Temporal cannot be reached', async () => {
    const { temporal, gateway } = setup();
    temporal.failure = grpcError(14);
    await assert.rejects(gateway.startResearch(VALID_REQUEST), TemporalUnavailableError);
  });
});

describe('getWorkflow', () => {
  test('reads live state from the state query while the memo comes from workflow code before the patch', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    // Published by older workflow code: no decision in it, so only the query knows.
    temporal.executions.get(workflowId)!.memo[STATUS_MEMO_KEY] = { stage: 'queued', draft: null };
    const state: ResearchState = {
      stage: 'awaiting_approval',
      topic: VALID_REQUEST.topic,
      sourceUrl: VALID_REQUEST.sourceUrl,
      draft,
      decision: null,
      result: null,
    };
    temporal.executions.get(workflowId)!.state = state;
    const view = await gateway.getWorkflow(workflowId);
    assert.equal(view.status, 'RUNNING');
    assert.equal(view.stage, 'awaiting_approval');
    assert.deepEqual(view.draft, draft);
    assert.deepEqual(view.usage, draft.usage);
    assert.equal(view.result, null);
    assert.equal(view.closedAt, null);
  });

  test('falls back to the memo when no worker answers the query', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    const execution = temporal.executions.get(workflowId)!;
    execution.memo[STATUS_MEMO_KEY] = { stage: 'summarizing', draft: null };
    const view = await gateway.getWorkflow(workflowId);
    assert.equal(view.stage, 'summarizing');
    assert.equal(view.topic, VALID_REQUEST.topic);
    assert.equal(view.sourceUrl, VALID_REQUEST.sourceUrl);
  });

  test('reports the step being retried from the pending activities', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    temporal.executions.get(workflowId)!.pendingActivities = [
      {
        activityType: { name: 'fetchSource' },
        attempt: 3,
        maximumAttempts: 0,
        lastFailure: {
          message: 'The source answered 503 Service Unavailable',
          applicationFailureInfo: { type: FailureType.SourceUnavailable },
        },
        nextAttemptScheduleTime: { seconds: 1_735_689_600, nanos: 500_000_000 },
      },
    ];
    const view = await gateway.getWorkflow(workflowId);
    assert.deepEqual(view.retry, {
      activity: 'fetchSource',
      attempt: 3,
      maximumAttempts: null,
      lastFailure: { code: FailureType.SourceUnavailable, message: 'The source answered 503 Service Unavailable' },
      nextAttemptAt: '2025-01-01T00:00:00.500Z',
    });
  });

  test('returns the result of a completed workflow', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    Object.assign(temporal.executions.get(workflowId)!, {
      status: 'COMPLETED',
      result,
      closeTime: new Date('2025-01-01T00:06:00Z'),
    });
    const view = await gateway.getWorkflow(workflowId);
    assert.equal(view.stage, 'completed');
    assert.deepEqual(view.result, result);
    assert.deepEqual(view.decision, { approved: true, reviewer: 'ada', comment: null, decidedAt: result.decidedAt });
    assert.equal(view.closedAt, '2025-01-01T00:06:00.000Z');
    assert.equal(view.error, null);
  });

  test('explains a failed workflow from its failure cause chain', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    const activityCause = ApplicationFailure.nonRetryable(
      'The source answered 404 Not Found',
      FailureType.SourceHttpClientError,
    );
    const activityFailure = new ActivityFailure(
      'Activity task failed',
      'fetchSource',
      '1',
      NON_RETRYABLE,
      'w',
      activityCause,
    );
    const workflowFailure = ApplicationFailure.create({
      message: 'Could not fetch the source: The source answered 404 Not Found',
      type: FailureType.SourceHttpClientError,
      nonRetryable: true,
      cause: activityFailure,
    });
    Object.assign(temporal.executions.get(workflowId)!, {
      status: 'FAILED',
      result: new WorkflowFailedError('Workflow execution failed', workflowFailure, NON_RETRYABLE),
    });
    const view = await gateway.getWorkflow(workflowId);
    assert.equal(view.status, 'FAILED');
    assert.equal(view.stage, 'failed');
    assert.deepEqual(view.error, {
      code: FailureType.SourceHttpClientError,
      message: 'Could not fetch the source: The source answered 404 Not Found',
    });
  });

  test('explains a terminated workflow', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    Object.assign(temporal.executions.get(workflowId)!, {
      status: 'TERMINATED',
      result: new WorkflowFailedError('terminated', new TerminatedFailure('operator cleanup'), NON_RETRYABLE),
    });
    const view = await gateway.getWorkflow(workflowId);
    assert.deepEqual(view.error, {
      code: 'WorkflowTerminated',
      message: 'The workflow was terminated: operator cleanup.',
    });
  });

  test('throws WorkflowNotFoundError for an unknown id', async () => {
    const { gateway } = setup();
    await assert.rejects(gateway.getWorkflow('nope'), WorkflowNotFoundError);
  });

  test('throws TemporalUnavailableError on a deadline', async () => {
    const { temporal, gateway } = setup();
    temporal.failure = grpcError(4, 'Deadline exceeded');
    await assert.rejects(gateway.getWorkflow('any'), TemporalUnavailableError);
  });
});

describe('approve', () => {
  const request = { approved: true, reviewer: 'ada' };
  const decision = { approved: true, reviewer: 'ada', comment: null, decidedAt: '2025-01-01T00:05:00.000Z' };

  test('returns the decision the update accepted', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    temporal.executions.get(workflowId)!.update = async () => decision;
    assert.deepEqual(await gateway.approve(workflowId, request), decision);
  });

  test('maps the validator rejection to NotAwaitingApprovalError', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    temporal.executions.get(workflowId)!.update = () =>
      Promise.reject(
        new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.nonRetryable('Not awaiting approval (stage fetching).', NOT_AWAITING_APPROVAL),
        ),
      );
    await assert.rejects(gateway.approve(workflowId, request), (error: unknown) => {
      assert.ok(error instanceof NotAwaitingApprovalError);
      assert.match(error.message, /stage fetching/);
      return true;
    });
  });

  test('refuses a decision for a closed workflow, also when it closes mid-update', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    const execution = temporal.executions.get(workflowId)!;
    execution.update = () =>
      Promise.reject(new TemporalWorkflowNotFoundError('workflow execution already completed', workflowId, undefined));
    await assert.rejects(gateway.approve(workflowId, request), NotAwaitingApprovalError);
    execution.status = 'COMPLETED';
    await assert.rejects(gateway.approve(workflowId, request), NotAwaitingApprovalError);
  });

  test('maps an update that times out to WorkflowTimeoutError', async () => {
    const { temporal, gateway } = setup();
    const { workflowId } = await gateway.startResearch(VALID_REQUEST);
    temporal.executions.get(workflowId)!.update = () =>
      Promise.reject(new WorkflowUpdateRPCTimeoutOrCancelledError('timed out'));
    await assert.rejects(gateway.approve(workflowId, request), WorkflowTimeoutError);
  });

  test('throws WorkflowNotFoundError for an unknown id', async () => {
    const { gateway } = setup();
    await assert.rejects(gateway.approve('nope', request), WorkflowNotFoundError);
  });
});

describe('ready', () => {
  test('resolves when Temporal answers and throws TemporalUnavailableError otherwise', async () => {
    const { temporal, gateway } = setup();
    await gateway.ready();
    temporal.failure = grpcError(14);
    await assert.rejects(gateway.ready(), TemporalUnavailableError);
  });
});

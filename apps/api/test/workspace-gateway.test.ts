import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REQUEST_MEMO_KEY, RESEARCH_WORKFLOW_TYPE, STATUS_MEMO_KEY } from '@research/contracts';
import { defaultPayloadConverter } from '@temporalio/client';
import protos from '@temporalio/proto';
import { CancelForbiddenError, InvalidCursorError, WorkflowClosedError } from '../src/temporal/errors.js';
import type { WorkflowEvent } from '../src/temporal/history-events.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import { FakeTemporal, grpcError } from './fake-temporal.js';
import type { FakeExecution } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS } from './support.js';

const { EventType } = protos.temporal.api.enums.v1;
const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const draft = { summary: 'A summary.', model: 'm', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } };
const decision = { approved: true, comment: null, reviewer: 'ada', decidedAt: '2025-01-01T00:05:00.000Z' };
const sam = { id: 'sam', name: 'Sam' };

function setup() {
  const fake = new FakeTemporal();
  const gateway = createTemporalGateway(fake, {
    ...GATEWAY_TEST_TIMEOUTS,
    eventsLongPollMs: 1000,
    eventsRetryCheckMs: 10,
  });
  return { fake, gateway };
}

function execution(overrides: Partial<FakeExecution> = {}): FakeExecution {
  return {
    workflowId: 'research-1',
    runId: 'run-1',
    type: RESEARCH_WORKFLOW_TYPE,
    status: 'RUNNING',
    memo: {
      [STATUS_MEMO_KEY]: { stage: 'awaiting_approval', draft, decision: null, result: null },
      [REQUEST_MEMO_KEY]: { topic: 'T', sourceUrl: 'https://example.com/', requestSha256: 'x', submittedBy: sam },
    },
    startTime: new Date('2025-01-01T00:00:00.000Z'),
    ...overrides,
  };
}

describe('listing pipelines', () => {
  test('sends the filters as one visibility query and maps search attributes and memo into items', async () => {
    const { fake, gateway } = setup();
    fake.count = 7;
    fake.listPages = [
      {
        executions: [
          {
            execution: { workflowId: 'research-9', runId: 'run-9' },
            status: protos.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
            startTime: { seconds: int64(1_735_689_600), nanos: 0 },
            memo: {
              fields: {
                [STATUS_MEMO_KEY]: payload({
                  stage: 'awaiting_approval',
                  draft: { ...draft, summary: 'x'.repeat(400) },
                }),
                [REQUEST_MEMO_KEY]: payload({
                  topic: 'T',
                  sourceUrl: 'https://e/',
                  requestSha256: 'h',
                  submittedBy: sam,
                }),
              },
            },
            searchAttributes: {
              indexedFields: {
                ResearchStage: payload('awaiting_approval'),
                ResearchAwaitingSince: payload('2025-01-01T00:01:00Z'),
                ResearchApprovalDeadline: payload('2025-01-02T00:01:00Z'),
              },
            },
          },
        ],
        nextPageToken: new Uint8Array([1, 2, 3]),
      },
    ];
    const page = await gateway.listWorkflows({ stage: 'awaiting_approval', submittedBy: "o'brien", limit: 5 });
    assert.equal(
      fake.lists[0]?.query,
      "WorkflowType = 'research' AND ResearchStage = 'awaiting_approval' AND ExecutionStatus = 'Running' AND " +
        "ResearchSubmitter = 'o\\'brien'",
    );
    assert.equal(fake.lists[0]?.pageSize, 5);
    assert.equal(page.total, 7);
    assert.deepEqual(page.items[0], {
      workflowId: 'research-9',
      runId: 'run-9',
      topic: 'T',
      stage: 'awaiting_approval',
      status: 'RUNNING',
      submittedBy: sam,
      startedAt: '2025-01-01T00:00:00.000Z',
      awaitingSince: '2025-01-01T00:01:00.000Z',
      approvalDeadline: '2025-01-02T00:01:00.000Z',
      draftExcerpt: 'x'.repeat(280),
    });
    assert.ok(page.nextCursor);

    await gateway.listWorkflows({
      stage: 'awaiting_approval',
      submittedBy: "o'brien",
      limit: 5,
      cursor: page.nextCursor,
    });
    assert.deepEqual([...(fake.lists[1]?.nextPageToken ?? [])], [1, 2, 3]);
    // The same cursor with other filters, or one this API never made, is refused before Temporal is asked.
    await assert.rejects(gateway.listWorkflows({ limit: 5, cursor: page.nextCursor }), InvalidCursorError);
    await assert.rejects(gateway.listWorkflows({ limit: 5, cursor: 'bm90LWEtY3Vyc29y' }), InvalidCursorError);
    assert.equal(fake.lists.length, 2);
  });

  test('maps closed stages to statuses and leaves total out for other stages', async () => {
    const { fake, gateway } = setup();
    const page = await gateway.listWorkflows({ stage: 'failed', limit: 20, startedAfter: '2025-01-01T00:00:00Z' });
    assert.equal(
      fake.lists[0]?.query,
      "WorkflowType = 'research' AND ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut') AND " +
        "StartTime > '2025-01-01T00:00:00Z'",
    );
    assert.equal(page.total, undefined);
    assert.equal(page.nextCursor, null);
    await gateway.listWorkflows({ status: 'CANCELLED', limit: 20 });
    assert.equal(fake.lists[1]?.query, "WorkflowType = 'research' AND ExecutionStatus = 'Canceled'");
  });
});

describe('reading a pipeline', () => {
  test('answers from the memo without asking a worker when the workflow publishes its full status', async () => {
    const { fake, gateway } = setup();
    // A query would answer another stage: the view must come from the memo.
    fake.executions.set('research-1', execution({ state: new Error('no query expected') }));
    const memo = fake.executions.get('research-1')!.memo;
    memo[STATUS_MEMO_KEY] = { stage: 'saving', draft, decision, result: null };
    const view = await gateway.getWorkflow('research-1');
    assert.equal(view.stage, 'saving');
    assert.deepEqual(view.decision, decision);
  });
});

describe('cancelling a pipeline', () => {
  test('lets the submitter, an admin and open mode cancel, and refuses anyone else', async () => {
    const { fake, gateway } = setup();
    fake.executions.set('research-1', execution());
    await assert.rejects(
      gateway.cancel('research-1', { cancelledBy: { id: 'eve', name: 'Eve' } }),
      CancelForbiddenError,
    );
    assert.equal(fake.executions.get('research-1')?.cancelRequested, undefined);
    const accepted = await gateway.cancel('research-1', { cancelledBy: sam });
    assert.deepEqual(accepted, {
      workflowId: 'research-1',
      runId: 'run-1',
      status: 'RUNNING',
      stage: 'awaiting_approval',
    });
    assert.equal(fake.executions.get('research-1')?.cancelRequested, true);
    await gateway.cancel('research-1', { cancelledBy: { id: 'root', name: 'Root' }, admin: true });
    await gateway.cancel('research-1', {});
  });

  test('refuses a closed workflow with WorkflowClosedError', async () => {
    const { fake, gateway } = setup();
    fake.executions.set('research-1', execution({ status: 'COMPLETED' }));
    await assert.rejects(gateway.cancel('research-1', { cancelledBy: sam }), WorkflowClosedError);
    assert.equal(fake.executions.get('research-1')?.cancelRequested, undefined);
  });
});

// int64 fields are Long in the generated types; the mapping reads them with Number(), as plain numbers decode too.
const int64 = (value: number) => value as never;
const event = (eventId: number, eventType: number, attributes: Record<string, unknown> = {}) => ({
  eventId: int64(eventId),
  eventType,
  eventTime: { seconds: int64(1_735_689_600 + eventId), nanos: 0 },
  ...attributes,
});
const memoUpsert = (eventId: number, status: unknown) =>
  event(eventId, EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {
    workflowPropertiesModifiedEventAttributes: { upsertedMemo: { fields: { [STATUS_MEMO_KEY]: payload(status) } } },
  });

const HISTORY = [
  event(1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
    workflowExecutionStartedEventAttributes: {
      memo: { fields: { [STATUS_MEMO_KEY]: payload({ stage: 'queued', draft: null }) } },
    },
  }),
  memoUpsert(5, { stage: 'fetching', draft: null }),
  event(6, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
  event(8, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
  memoUpsert(12, { stage: 'awaiting_approval', draft }),
  event(20, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, {
    workflowExecutionUpdateCompletedEventAttributes: { outcome: { success: { payloads: [payload(decision)] } } },
  }),
  memoUpsert(21, { stage: 'saving', draft, decision }),
  event(30, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, {
    workflowExecutionCompletedEventAttributes: {
      result: {
        payloads: [
          payload({
            outcome: 'expired',
            summary: 'S',
            topic: 'T',
            sourceUrl: 'u',
            reviewer: null,
            comment: null,
            decidedAt: '2025-01-01T00:00:00.000Z',
            usage: draft.usage,
          }),
        ],
      },
    },
  }),
];

async function collect(events: AsyncIterable<WorkflowEvent>): Promise<string[]> {
  const seen: string[] = [];
  for await (const e of events)
    seen.push(`${e.position.eventId}${e.position.sub ? `.${e.position.sub}` : ''}:${e.type}`);
  return seen;
}

describe('following a pipeline', () => {
  test('maps history to stage, retry, draft, decision and final events, with retries from describe', async () => {
    const { fake, gateway } = setup();
    fake.executions.set('research-1', execution());
    const token = new Uint8Array([9]);
    fake.historyPages = [
      { history: { events: HISTORY.slice(0, 3) }, nextPageToken: token },
      // An empty long-poll page (the server's timeout), then our own deadline passing.
      { history: { events: [] }, nextPageToken: token },
      grpcError(4, 'deadline exceeded'),
      { history: { events: HISTORY.slice(3) }, nextPageToken: new Uint8Array() },
    ];
    let describes = 0;
    fake.executions.get('research-1')!.pendingActivities = [];
    const original = fake.workflow.getHandle;
    fake.workflow.getHandle = (id: string) => {
      const handle = original(id);
      return {
        ...handle,
        describe: async () => {
          const description = await handle.describe();
          describes += 1;
          const attempt = describes === 2 ? 2 : 3;
          return {
            ...description,
            raw: {
              pendingActivities: [
                { activityType: { name: 'fetchSource' }, attempt, lastFailure: { message: 'The source answered 503' } },
              ],
            },
          };
        },
      };
    };
    const signal = new AbortController().signal;
    const events = await collect(await gateway.openEvents('research-1', { signal }));
    assert.deepEqual(events, [
      '1:stage',
      '5:stage',
      '6.2:retry',
      '6.3:retry',
      '12:stage',
      '12.1:draft',
      '20:decision',
      '21:stage',
      '30:expired',
    ]);
    // Every poll after the first continues from the server's token.
    assert.deepEqual(
      fake.historyPolls.map((p) => p.nextPageToken?.[0]),
      [undefined, 9, 9, 9],
    );
  });

  test('resumes after Last-Event-ID with exactly the events after it', async () => {
    const { fake, gateway } = setup();
    fake.executions.set('research-1', execution());
    fake.historyPages = [{ history: { events: HISTORY }, nextPageToken: new Uint8Array() }];
    const signal = new AbortController().signal;
    const events = await collect(await gateway.openEvents('research-1', { signal, after: { eventId: 12, sub: 0 } }));
    assert.deepEqual(events, ['12.1:draft', '20:decision', '21:stage', '30:expired']);
  });

  test('stops waiting when the client goes away', async () => {
    const { fake, gateway } = setup();
    fake.executions.set('research-1', execution());
    const controller = new AbortController();
    const events = collect(await gateway.openEvents('research-1', { signal: controller.signal }));
    controller.abort();
    assert.deepEqual(await events, []);
  });
});

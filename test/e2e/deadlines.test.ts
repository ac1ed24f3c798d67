// The API's Temporal deadlines against the real SDK and server when no worker answers: reads answer from what
// the server holds (the status memo) and never wait for a worker, and a decision, which only a worker can validate,
// answers 504 once TEMPORAL_UPDATE_TIMEOUT_MS passes. A stopped worker and a frozen one (SIGSTOP: its polls are
// open, so a state query would be handed to it and wait) are both covered.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowView } from '@research/api';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { request, waitForWorkflow, type Stack } from '../support/stack.js';
import { assertProblem } from './assertions.js';

const QUERY_TIMEOUT_MS = 2_500;
/** Like Temporal, the server ends a waiting call a second before the caller's deadline, so that is when it gives up. */
const SERVER_MARGIN_MS = 1_000;
const UPDATE_TIMEOUT_MS = 1_500;
/** Headroom for the describe round trip and a busy machine; far below the 10 s default update deadline. */
const SLACK_MS = 3_000;

describe('Temporal deadlines when no worker answers', () => {
  let fixture: StackWithFakes | undefined;
  let stack: Stack;
  let workflowId: string;
  let frozenWorkflowId: string;
  before(
    async () => {
      fixture = await startStackWithFakes({
        env: {
          api: {
            TEMPORAL_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
            TEMPORAL_UPDATE_TIMEOUT_MS: String(UPDATE_TIMEOUT_MS),
          },
        },
      });
      stack = fixture.stack;
      const start = async (topic: string): Promise<string> => {
        const started = await request(stack.apiUrl, 'POST', '/research', {
          body: { topic, sourceUrl: `${fixture!.site.url}/article` },
        });
        assert.equal(started.status, 202, JSON.stringify(started.body));
        const id = started.body.workflowId as string;
        await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval');
        return id;
      };
      workflowId = await start('Nobody home');
      frozenWorkflowId = await start('Nobody answers');
      // From here on nothing can answer a query or validate an update.
      const exit = await stack.worker!.stop(30_000);
      assert.deepEqual(exit, { code: 0, signal: null });
    },
    { timeout: 180_000 },
  );
  after(() => fixture?.close());

  test('with the worker stopped, GET /workflows/:id answers 200 with the stage and draft from the memo within the query deadline', async () => {
    const startedAt = Date.now();
    const response = await request<WorkflowView>(stack.apiUrl, 'GET', `/workflows/${workflowId}`);
    const elapsed = Date.now() - startedAt;
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.status, 'RUNNING');
    assert.equal(response.body.stage, 'awaiting_approval');
    assert.ok(response.body.draft?.summary, 'the draft comes from the memo');
    assert.ok(elapsed < QUERY_TIMEOUT_MS + SLACK_MS, `answered after ${elapsed} ms`);
  });

  test('with the worker stopped, a decision answers 504 WORKFLOW_TIMEOUT once TEMPORAL_UPDATE_TIMEOUT_MS passes', async () => {
    const path = `/workflows/${workflowId}/approve`;
    const startedAt = Date.now();
    const response = await request(stack.apiUrl, 'POST', path, { body: { approved: true } });
    const elapsed = Date.now() - startedAt;
    assertProblem(response, 504, 'WORKFLOW_TIMEOUT', path);
    assert.ok(elapsed >= UPDATE_TIMEOUT_MS - 100, `answered after ${elapsed} ms, before the update deadline`);
    assert.ok(elapsed < UPDATE_TIMEOUT_MS + SLACK_MS, `answered after ${elapsed} ms`);
  });

  test('with the worker frozen, GET answers 200 from the memo without waiting for the worker', async (t) => {
    // The restarted worker may first take the decision the previous test left pending; this workflow has none.
    const worker = await stack.startWorker();
    process.kill(worker.pid!, 'SIGSTOP');
    t.after(() => worker.kill('SIGKILL'));
    const startedAt = Date.now();
    const response = await request<WorkflowView>(stack.apiUrl, 'GET', `/workflows/${frozenWorkflowId}`);
    const elapsed = Date.now() - startedAt;
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.stage, 'awaiting_approval');
    assert.ok(response.body.draft?.summary, 'the draft comes from the memo');
    // A state query would be handed to the frozen worker and wait until the server gave up on it; the memo holds
    // everything GET shows, so no query is sent and the answer comes before that could happen.
    assert.ok(elapsed < QUERY_TIMEOUT_MS - SERVER_MARGIN_MS, `answered after ${elapsed} ms: it waited for the worker`);
  });
});

// Fault suite: failing LLM and sources, concurrent requests and approvals, approval timeouts, load.
// The API passes fast retry policies to every workflow (ACTIVITY_RETRY_OVERRIDES) so exhausting them takes
// seconds instead of minutes; Retry-After still overrides the backoff.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findFreePort } from '@research/testkit';
import { ISO_INSTANT } from '../e2e/assertions.js';
import {
  approve,
  articleAt,
  awaitingApproval,
  ensureWorker,
  postResearch,
  readResults,
  startPipeline,
  waitFor,
  waitForClose,
  waitForWorkflow,
} from './support.js';
import { startStackWithFakes } from '../support/stack-with-fakes.js';
import type { StackWithFakes } from '../support/stack-with-fakes.js';

const SUMMARIZE_ATTEMPTS = 5;
const FETCH_ATTEMPTS = 3;
const RETRY_OVERRIDES = {
  fetchSource: { initialInterval: '1s', backoffCoefficient: 1, maximumAttempts: FETCH_ATTEMPTS },
  summarize: { initialInterval: '200ms', backoffCoefficient: 1, maximumAttempts: SUMMARIZE_ATTEMPTS },
};

describe('LLM and source failures, concurrency', () => {
  let f: StackWithFakes;
  before(async () => {
    f = await startStackWithFakes({ env: { api: { ACTIVITY_RETRY_OVERRIDES: JSON.stringify(RETRY_OVERRIDES) } } });
  });
  after(async () => {
    await f?.close();
  });

  describe('LLM failures', () => {
    test('three 429s with Retry-After are waited out and the fourth call succeeds', async () => {
      const { stack, llm, site } = f;
      await ensureWorker(stack);
      llm.reset();
      llm.scriptTimes(3, { kind: 'rate-limit', retryAfter: '1' });
      const workflowId = await startPipeline(stack, {
        topic: 'rate limited',
        sourceUrl: articleAt(site, '/rate-limited'),
      });
      const view = await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval, { timeoutMs: 30_000 });
      assert.ok(view.draft?.summary, 'the draft is there');
      assert.equal(llm.callCount, 4);
      for (let i = 1; i < 4; i++) {
        const gap = llm.calls[i]!.receivedAt - llm.calls[i - 1]!.receivedAt;
        assert.ok(gap >= 1_000, `call ${i + 1} came ${gap} ms after call ${i}, before Retry-After (1 s) passed`);
      }
    });

    test('a 401 fails the workflow after exactly one call, naming authentication', async () => {
      const { stack, llm, site } = f;
      llm.reset();
      llm.script({ kind: 'error', status: 401 });
      const workflowId = await startPipeline(stack, { topic: 'bad key', sourceUrl: articleAt(site, '/bad-key') });
      const view = await waitForClose(stack, workflowId);
      assert.equal(view.status, 'FAILED');
      assert.equal(view.stage, 'failed');
      assert.equal(view.error.code, 'LlmAuthentication');
      assert.match(view.error.message, /authentication/i);
      assert.equal(llm.callCount, 1);
    });

    test('500s until the retry policy is exhausted fail the workflow with a clear error', async () => {
      const { stack, llm, site } = f;
      llm.reset();
      llm.setBehaviour({ kind: 'error', status: 500 });
      try {
        const workflowId = await startPipeline(stack, { topic: 'llm down', sourceUrl: articleAt(site, '/llm-down') });
        const view = await waitForClose(stack, workflowId);
        assert.equal(view.status, 'FAILED');
        assert.equal(view.error.code, 'LlmUnavailable');
        assert.match(view.error.message, /^Could not summarize the source: The LLM failed with 500/);
        assert.equal(llm.callCount, SUMMARIZE_ATTEMPTS);
      } finally {
        llm.reset();
      }
    });
    test('an LLM that does not answer within OPENAI_TIMEOUT_MS is retried until the policy is exhausted, then fails', async () => {
      const { stack, llm, site } = f;
      if (stack.worker?.running) await stack.worker.stop(30_000);
      const worker = await stack.startWorker({ OPENAI_TIMEOUT_MS: '500' });
      llm.reset();
      llm.setBehaviour({ kind: 'hang' });
      try {
        const workflowId = await startPipeline(stack, { topic: 'llm hangs', sourceUrl: articleAt(site, '/llm-hangs') });
        const view = await waitForClose(stack, workflowId);
        assert.equal(view.status, 'FAILED');
        assert.equal(view.error.code, 'LlmUnavailable');
        assert.match(view.error.message, /^Could not summarize the source: The LLM did not answer in time/);
        assert.equal(llm.callCount, SUMMARIZE_ATTEMPTS);
        await waitFor(() => llm.calls.every((call) => call.aborted), {
          timeoutMs: 5_000,
          description: 'every timed-out LLM call to be aborted by the worker',
        });
      } finally {
        llm.reset();
        // The next tests expect a worker with the default LLM deadline.
        await worker.stop(30_000);
        await stack.startWorker();
      }
    });
  });

  describe('source failures', () => {
    test('a 404 source fails the workflow at once, without calling the LLM', async () => {
      const { stack, llm, site } = f;
      llm.reset();
      const workflowId = await startPipeline(stack, { topic: 'missing', sourceUrl: `${site.url}/not-found` });
      const view = await waitForClose(stack, workflowId);
      assert.equal(view.status, 'FAILED');
      assert.equal(view.error.code, 'SourceHttpClientError');
      assert.match(view.error.message, /^Could not fetch the source: Source answered 404/);
      assert.equal(site.hitCount('/not-found'), 1, 'a 4xx is not retried');
      assert.equal(llm.callCount, 0);
    });

    test('a source answering 503 is retried with the attempt, last failure and next attempt time shown, then fails', async () => {
      const { stack, llm, site } = f;
      llm.reset();
      site.route('/source-down', { status: 503, body: 'down for maintenance' });
      const workflowId = await startPipeline(stack, { topic: 'source down', sourceUrl: `${site.url}/source-down` });
      const retrying = await waitForWorkflow(
        stack.apiUrl,
        workflowId,
        (w) => w.status !== 'RUNNING' || w.retry !== null,
      );
      const seenAt = Date.now();
      assert.equal(retrying.status, 'RUNNING', 'the retry is visible while the step waits for its next attempt');
      assert.equal(retrying.retry.activity, 'fetchSource');
      assert.ok(
        retrying.retry.attempt >= 2 && retrying.retry.attempt <= FETCH_ATTEMPTS,
        `attempt ${retrying.retry.attempt}`,
      );
      assert.equal(retrying.retry.maximumAttempts, FETCH_ATTEMPTS);
      assert.deepEqual(retrying.retry.lastFailure, {
        code: 'SourceUnavailable',
        message: `Source answered 503 Service Unavailable for ${site.url}/source-down`,
      });
      assert.match(retrying.retry.nextAttemptAt, ISO_INSTANT);
      // The override's interval is 1 s: the next attempt is due within it, not in the past by more than a poll.
      const dueIn = Date.parse(retrying.retry.nextAttemptAt) - seenAt;
      assert.ok(dueIn > -1_000 && dueIn <= 1_500, `next attempt due in ${dueIn} ms`);

      const view = await waitForClose(stack, workflowId);
      assert.equal(view.status, 'FAILED');
      assert.equal(view.error.code, 'SourceUnavailable');
      assert.equal(view.retry, null);
      assert.equal(site.hitCount('/source-down'), FETCH_ATTEMPTS, 'every attempt of the policy reached the source');
      assert.equal(llm.callCount, 0);
    });

    test('an unreachable source is retried, then fails the workflow', async () => {
      const { stack, llm } = f;
      llm.reset();
      const closedPort = await findFreePort();
      const workflowId = await startPipeline(stack, {
        topic: 'unreachable',
        sourceUrl: `http://127.0.0.1:${closedPort}/article`,
      });
      // Seen while it runs: GET reports the step being retried.
      const retrying = await waitForWorkflow(
        stack.apiUrl,
        workflowId,
        (w) => w.status !== 'RUNNING' || w.retry !== null,
      );
      assert.equal(retrying.retry?.activity, 'fetchSource');
      assert.equal(retrying.retry?.lastFailure?.code, 'SourceUnavailable');
      // A fixed sentence: no socket error (ECONNREFUSED) or address:port for callers to scan the network with.
      assert.equal(retrying.retry?.lastFailure?.message, 'The source could not be reached');
      const view = await waitForClose(stack, workflowId);
      assert.equal(view.status, 'FAILED');
      assert.equal(view.error.code, 'SourceUnavailable');
      assert.equal(view.error.message, 'Could not fetch the source: The source could not be reached');
      assert.equal(llm.callCount, 0);
    });
  });

  describe('concurrent requests', () => {
    test('the same Idempotency-Key posted twice, then concurrently, starts one workflow', async () => {
      const { stack, site } = f;
      const body = { topic: 'idempotent', sourceUrl: articleAt(site, '/idempotent') };
      const first = await postResearch(stack, body, 'fault-key-sequential');
      const second = await postResearch(stack, body, 'fault-key-sequential');
      assert.equal(first.status, 202);
      assert.equal(second.status, 200);
      assert.equal(second.body.workflowId, first.body.workflowId);
      assert.equal(second.body.runId, first.body.runId);

      const concurrentBody = { topic: 'idempotent', sourceUrl: articleAt(site, '/idempotent-concurrent') };
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => postResearch(stack, concurrentBody, 'fault-key-concurrent')),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 202]);
      assert.equal(new Set(answers.map((a) => a.body.workflowId)).size, 1);
      assert.equal(new Set(answers.map((a) => a.body.runId)).size, 1);

      // One workflow, so one fetch per key.
      await waitForWorkflow(stack.apiUrl, first.body.workflowId, awaitingApproval);
      await waitForWorkflow(stack.apiUrl, answers[0]!.body.workflowId, awaitingApproval);
      assert.equal(site.hitCount('/idempotent'), 1);
      assert.equal(site.hitCount('/idempotent-concurrent'), 1);
    });

    test('of two concurrent approvals exactly one is accepted, the other gets 409, and the result names the winner', async () => {
      const { stack, site } = f;
      const workflowId = await startPipeline(stack, {
        topic: 'two reviewers',
        sourceUrl: articleAt(site, '/two-reviewers'),
      });
      await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval);
      const [yes, no] = await Promise.all([
        approve(stack, workflowId, { approved: true, comment: 'alice' }),
        approve(stack, workflowId, { approved: false, comment: 'bob' }),
      ]);
      assert.deepEqual([yes.status, no.status].sort(), [200, 409]);
      const winner = yes.status === 200 ? yes : no;
      const loser = yes.status === 200 ? no : yes;
      assert.equal(loser.body.status, 409);

      const view = await waitForClose(stack, workflowId);
      assert.equal(view.status, 'COMPLETED');
      assert.equal(view.result.comment, winner.body.comment);
      assert.equal(view.result.outcome, winner.body.approved ? 'approved' : 'rejected');
      assert.deepEqual(view.decision, winner.body);
    });
  });

  test('a short approval timeout set per request ends in outcome expired, and the result is saved', async () => {
    const { stack, site } = f;
    await ensureWorker(stack);
    const workflowId = await startPipeline(stack, {
      topic: 'nobody answers',
      sourceUrl: articleAt(site, '/expires'),
      approvalTimeout: '1s',
    });
    const view = await waitForClose(stack, workflowId);
    assert.equal(view.status, 'COMPLETED');
    assert.equal(view.result.outcome, 'expired');
    assert.equal(view.decision, null);
    const { rows } = await readResults(stack, [workflowId]);
    assert.equal(rows.get(workflowId)?.outcome, 'expired');
  });

  test('fifty concurrent pipelines, all approved, give fifty completed workflows and fifty rows', async (t) => {
    const { stack, llm, site } = f;
    await ensureWorker(stack);
    llm.reset();
    const sourceUrl = articleAt(site, '/fifty');
    const started = Date.now();
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, i) => startPipeline(stack, { topic: `load ${i}`, sourceUrl })),
    );
    assert.equal(new Set(ids).size, 50);
    for (const id of ids) await waitForWorkflow(stack.apiUrl, id, awaitingApproval, { timeoutMs: 90_000 });
    const decisions = await Promise.all(ids.map((id) => approve(stack, id, { approved: true })));
    assert.deepEqual(
      decisions.filter((d) => d.status !== 200).map((d) => d.body),
      [],
    );
    for (const id of ids) assert.equal((await waitForClose(stack, id, 90_000)).status, 'COMPLETED', id);
    t.diagnostic(`50 pipelines approved and completed in ${Date.now() - started} ms`);

    assert.equal(site.hitCount('/fifty'), 50);
    assert.equal(llm.callCount, 50);
    const { rows } = await readResults(stack, ids);
    assert.equal(rows.size, 50);
    for (const row of rows.values()) assert.equal(row.outcome, 'approved');
  });
});

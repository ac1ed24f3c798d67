// Fault suite: the worker dies (SIGKILL) or is stopped (SIGTERM) while it runs an activity.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  approve,
  articleAt,
  awaitingApproval,
  ensureWorker,
  readResults,
  startPipeline,
  waitFor,
  waitForClose,
  waitForWorkflow,
} from './support.js';
import { startStackWithFakes } from '../support/stack-with-fakes.js';
import type { StackWithFakes } from '../support/stack-with-fakes.js';

/** The summarize activity's heartbeat timeout (packages/workflows/src/activities.ts). */
const SUMMARIZE_HEARTBEAT_TIMEOUT_MS = 15_000;
/** Slack on top: the 2 s first retry interval of summarize plus scheduling and polling latency. */
const RECOVERY_SLACK_MS = 5_000;

describe('worker faults', () => {
  let f: StackWithFakes;
  before(async () => {
    f = await startStackWithFakes();
  });
  after(async () => {
    await f?.close();
  });

  test('a worker killed during the LLM call recovers within the heartbeat timeout, without fetching the source again', async (t) => {
    const { stack, llm, site } = f;
    await ensureWorker(stack);
    llm.reset();
    llm.script({ kind: 'hang' });
    const sourceUrl = articleAt(site, '/killed-during-llm');
    const workflowId = await startPipeline(stack, { topic: 'worker crash', sourceUrl });
    await llm.waitForCalls(1, 30_000);

    const killedAt = Date.now();
    await stack.worker!.kill('SIGKILL');
    const restartAt = Date.now();
    await stack.startWorker();
    const startupMs = Date.now() - restartAt;
    await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval, { timeoutMs: 60_000 });
    const totalMs = Date.now() - killedAt;
    const recoveryMs = totalMs - startupMs;
    t.diagnostic(`kill → awaiting_approval ${totalMs} ms, worker start-up ${startupMs} ms, recovery ${recoveryMs} ms`);

    assert.ok(
      recoveryMs <= SUMMARIZE_HEARTBEAT_TIMEOUT_MS + RECOVERY_SLACK_MS,
      `recovery took ${recoveryMs} ms (bound ${SUMMARIZE_HEARTBEAT_TIMEOUT_MS + RECOVERY_SLACK_MS} ms)`,
    );
    assert.equal(site.hitCount('/killed-during-llm'), 1, 'the source is fetched exactly once');
    assert.equal(llm.callCount, 2, 'the LLM is called again after the crash');
    assert.equal(llm.calls[0]!.aborted, true, 'the first LLM call died with the worker');

    assert.equal((await approve(stack, workflowId, { approved: true })).status, 200);
    assert.equal((await waitForClose(stack, workflowId)).status, 'COMPLETED');
  });

  test('a worker killed after saveResult wrote but before it completed leaves exactly one row', async (t) => {
    const { stack, llm, site } = f;
    llm.reset();
    // A worker whose saveResult pauses after its write, long enough to be killed in between.
    if (stack.worker?.running) await stack.worker.stop(30_000);
    const { total: rowsBefore } = await readResults(stack, []);
    const hooked = await stack.startWorker({ TEST_ONLY_SAVE_RESULT_DELAY_AFTER_WRITE_MS: '120000' });
    const workflowId = await startPipeline(stack, { topic: 'save twice', sourceUrl: articleAt(site, '/save-twice') });
    await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval);
    assert.equal((await approve(stack, workflowId, { approved: true, comment: 'first' })).status, 200);
    await hooked.waitForOutput(/saveResult wrote the row/, 30_000);
    if (stack.databaseSchema) {
      // PostgreSQL can be read while the worker runs: the row is there before the activity completed.
      const { rows } = await readResults(stack, [workflowId]);
      assert.ok(rows.has(workflowId), 'the row exists before the crash');
    }
    await hooked.kill('SIGKILL');

    // Without the hook; saveResult is retried once its 30 s start-to-close timeout expires.
    const started = Date.now();
    await stack.startWorker();
    const view = await waitForClose(stack, workflowId, 90_000);
    t.diagnostic(`restart → COMPLETED ${Date.now() - started} ms`);
    assert.equal(view.status, 'COMPLETED');
    assert.equal(view.result.outcome, 'approved');

    // SELECT count(*) over the whole table: a retry that inserted instead of upserting would add a second row.
    const { rows, total } = await readResults(stack, [workflowId]);
    assert.equal(total, rowsBefore + 1, 'the write and its retry left exactly one new row');
    const row = rows.get(workflowId);
    assert.ok(row, 'the result is stored');
    assert.equal(row.outcome, 'approved');
    assert.equal(row.comment, 'first');
    assert.ok(row.updatedAt > row.createdAt, 'the row was written twice (created, then touched by the retry)');
  });

  test('SIGTERM during an activity longer than the grace time hands it back, and a new worker completes it', async (t) => {
    const { stack, llm, site } = f;
    if (stack.worker?.running) await stack.worker.stop(30_000);
    // Runs before the graceful-stop test: the default worker it restarts is the one that test stops.
    const worker = await stack.startWorker({ WORKER_SHUTDOWN_GRACE_TIME: '1s' });
    llm.reset();
    llm.script({ kind: 'hang' });
    const workflowId = await startPipeline(stack, { topic: 'hand back', sourceUrl: articleAt(site, '/hand-back') });
    await llm.waitForCalls(1, 30_000);

    const stoppedAt = Date.now();
    const exit = await worker.stop(30_000);
    assert.deepEqual(exit, { code: 0, signal: null }, worker.tail());
    await waitFor(() => llm.calls[0]!.aborted, { timeoutMs: 5_000, description: 'the LLM call to be aborted' });

    await stack.startWorker();
    await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval, { timeoutMs: 60_000 });
    t.diagnostic(`SIGTERM → awaiting_approval on the new worker ${Date.now() - stoppedAt} ms`);
    assert.equal(llm.callCount, 2, 'the handed-back attempt runs again');
    assert.equal(site.hitCount('/hand-back'), 1);
    assert.equal((await approve(stack, workflowId, { approved: false })).status, 200);
    assert.equal((await waitForClose(stack, workflowId)).status, 'COMPLETED');
  });
  test('SIGTERM during an activity lets it finish, exits 0, and the pipeline completes on a new worker', async () => {
    const { stack, llm, site } = f;
    await ensureWorker(stack);
    llm.reset();
    llm.script({ kind: 'delay', ms: 3_000 });
    const workflowId = await startPipeline(stack, { topic: 'graceful stop', sourceUrl: articleAt(site, '/graceful') });
    await llm.waitForCalls(1, 30_000);

    const worker = stack.worker!;
    const exit = await worker.stop(30_000);
    assert.deepEqual(exit, { code: 0, signal: null }, worker.tail());
    assert.match(worker.output, /Worker stopped/);
    assert.equal(llm.calls[0]!.aborted, false, 'the LLM call in flight was allowed to finish');

    await stack.startWorker();
    await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval);
    assert.equal(llm.callCount, 1, 'the finished summary is not computed again');
    assert.equal((await approve(stack, workflowId, { approved: true })).status, 200);
    assert.equal((await waitForClose(stack, workflowId)).status, 'COMPLETED');
  });
});

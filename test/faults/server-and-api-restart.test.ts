// Fault suite: the embedded Temporal server and the API go away and come back; the worker starts first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  approve,
  articleAt,
  awaitingApproval,
  postResearch,
  readResults,
  request,
  startPipeline,
  waitFor,
  waitForClose,
  waitForWorkflow,
} from './support.js';
import { startStackWithFakes } from '../support/stack-with-fakes.js';
import type { StackWithFakes } from '../support/stack-with-fakes.js';
import type { Stack } from '../support/stack.js';

/**
 * Approves once the path through the restarted server and the reconnected worker works again. A try that timed
 * out (504) may still have been accepted, so a later 409 counts when the recorded decision is this one.
 */
async function approveWhenReachable(
  stack: Stack,
  workflowId: string,
  decision: { approved: boolean; comment: string },
) {
  return waitFor(
    async () => {
      const response = await approve(stack, workflowId, decision);
      if (response.status === 200) return response.body;
      if (response.status !== 409) return undefined;
      const view = await request(stack.apiUrl, 'GET', `/workflows/${encodeURIComponent(workflowId)}`);
      if (view.body?.decision?.comment === decision.comment) return view.body.decision;
      throw new Error(`approval refused: ${JSON.stringify(response.body)}`);
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `approval of ${workflowId}` },
  );
}

describe('server and API faults', () => {
  let f: StackWithFakes;
  before(async () => {
    f = await startStackWithFakes({ start: false });
  });
  after(async () => {
    await f?.close();
  });

  test('a worker started before the server keeps retrying and starts polling once the server is up', async () => {
    const { stack, site } = f;
    const workerReady = stack.startWorker();
    workerReady.catch(() => {}); // awaited below; keeps an early failure from being unhandled meanwhile
    await stack.worker!.waitForOutput(/Temporal server not reachable yet/, 60_000);
    await stack.startTemporal();
    await Promise.all([workerReady, stack.startApi()]);

    const workflowId = await startPipeline(stack, { topic: 'late server', sourceUrl: articleAt(site, '/late-server') });
    await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval);
    assert.equal((await approve(stack, workflowId, { approved: true })).status, 200);
    assert.equal((await waitForClose(stack, workflowId)).status, 'COMPLETED');
  });

  test('killing and restarting the API mid-pipeline changes nothing for the workflows', async () => {
    const { stack, llm, site } = f;
    llm.reset();
    llm.script({ kind: 'delay', ms: 3_000 });
    const body = { topic: 'api restart', sourceUrl: articleAt(site, '/api-restart') };
    const accepted = await postResearch(stack, body, 'api-restart-key');
    assert.equal(accepted.status, 202);
    const { workflowId, runId } = accepted.body;
    await waitForWorkflow(stack.apiUrl, workflowId, (w) => w.stage === 'summarizing');

    await stack.api!.kill('SIGKILL');
    await stack.startApi();

    // Same workflow, same run, same key → same workflow: nothing lived in the API.
    const again = await postResearch(stack, body, 'api-restart-key');
    assert.equal(again.status, 200);
    assert.equal(again.body.workflowId, workflowId);
    assert.equal(again.body.runId, runId);
    const view = await waitForWorkflow(stack.apiUrl, workflowId, awaitingApproval);
    assert.equal(view.runId, runId);

    await stack.api!.stop();
    await stack.startApi();
    assert.equal((await approve(stack, workflowId, { approved: true, comment: 'after-restart' })).status, 200);
    const done = await waitForClose(stack, workflowId);
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.result.comment, 'after-restart');
    assert.equal(llm.callCount, 1, 'the workflow did not notice the API restarts');
    assert.equal(site.hitCount('/api-restart'), 1);
  });

  test('a server killed while workflows await approval and a timer runs loses nothing, and worker and API reconnect on their own', async (t) => {
    const { stack, site } = f;
    const sourceUrl = articleAt(site, '/server-crash');
    const [approved, rejected, untouched] = await Promise.all([
      startPipeline(stack, { topic: 'approve after crash', sourceUrl }),
      startPipeline(stack, { topic: 'reject after crash', sourceUrl }),
      startPipeline(stack, { topic: 'approve later', sourceUrl }),
    ]);
    for (const id of [approved, rejected, untouched]) await waitForWorkflow(stack.apiUrl, id, awaitingApproval);
    // Started last, so its 8 s approval timer is still pending when the server dies just after.
    const expiring = await startPipeline(stack, { topic: 'expire across crash', sourceUrl, approvalTimeout: '8s' });
    await waitForWorkflow(stack.apiUrl, expiring, awaitingApproval);
    const { worker, api } = stack;
    const [workerPid, apiPid] = [worker!.pid, api!.pid];

    await stack.temporal!.kill('SIGKILL');
    // While the server is down the API answers 503 instead of hanging or crashing.
    const duringOutage = await request(stack.apiUrl, 'GET', `/workflows/${approved}`);
    assert.equal(duringOutage.status, 503);
    const restartedAt = Date.now();
    await stack.startTemporal();

    const yes = await approveWhenReachable(stack, approved, { approved: true, comment: 'ana' });
    t.diagnostic(`server restart → first approval accepted ${Date.now() - restartedAt} ms`);
    assert.equal(yes.approved, true);
    const no = await approveWhenReachable(stack, rejected, { approved: false, comment: 'ben' });
    assert.equal(no.approved, false);

    const expired = await waitForClose(stack, expiring);
    assert.equal(expired.status, 'COMPLETED');
    assert.equal(expired.result.outcome, 'expired');
    assert.ok(Date.parse(expired.closedAt) >= restartedAt - 1_000, 'the approval timer fired after the restart');
    assert.equal((await waitForClose(stack, approved)).result.outcome, 'approved');
    assert.equal((await waitForClose(stack, rejected)).result.outcome, 'rejected');
    const waiting = await waitForWorkflow(stack.apiUrl, untouched, awaitingApproval);
    assert.equal(waiting.status, 'RUNNING', 'an undecided workflow still waits after the restart');

    // A pipeline started after the restart runs through the same, never restarted, worker and API.
    const fresh = await startPipeline(stack, { topic: 'after server restart', sourceUrl });
    await waitForWorkflow(stack.apiUrl, fresh, awaitingApproval);
    assert.equal((await approve(stack, fresh, { approved: true })).status, 200);
    assert.equal((await waitForClose(stack, fresh)).status, 'COMPLETED');
    assert.equal((await approve(stack, untouched, { approved: true })).status, 200);
    assert.equal((await waitForClose(stack, untouched)).status, 'COMPLETED');
    assert.equal(stack.worker, worker);
    assert.deepEqual(
      [stack.worker!.pid, stack.api!.pid, stack.worker!.running, stack.api!.running],
      [workerPid, apiPid, true, true],
    );

    const { rows } = await readResults(stack, [approved, rejected, expiring, untouched, fresh]);
    assert.deepEqual(
      [approved, rejected, expiring, untouched, fresh].map((id) => rows.get(id)?.outcome),
      ['approved', 'rejected', 'expired', 'approved', 'approved'],
    );
  });
});

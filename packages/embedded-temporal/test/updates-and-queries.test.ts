import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import {
  AsyncCompletionClient,
  Connection,
  WithStartWorkflowOperation,
  WorkflowClient,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { eventually, runWorker, startTestEnv, uniqueId, type TestEnv } from './helpers.js';

let env: TestEnv;
let updateCalls = 0;
let countingClient: WorkflowClient;
let countingConnection: Connection;

const countUpdates: Interceptor = (options, nextCall) => {
  if (options.method_definition.path.endsWith('/UpdateWorkflowExecution')) updateCalls++;
  return new InterceptingCall(nextCall(options));
};

before(async () => {
  // A short long-poll cap makes the server answer ADMITTED while no worker runs.
  env = await startTestEnv({ longPollTimeoutMs: 1000 });
  countingConnection = await Connection.connect({ address: env.server.address, interceptors: [countUpdates] });
  countingClient = new WorkflowClient({ connection: countingConnection });
});
after(async () => {
  await countingConnection?.close();
  await env?.close();
});

describe('updates, queries, update-with-start, async completion and start delay', () => {
  it('keeps an update admitted across long-poll expiry and completes it once a worker runs', async () => {
    const taskQueue = uniqueId('late-worker');
    const handle = await countingClient.start('updatable', { taskQueue, workflowId: uniqueId('admitted') });
    const before = updateCalls;
    const pending = handle.executeUpdate('setValue', { args: ['x'], updateId: 'u-admitted' });
    await eventually(async () => {
      const res = await env.client.workflowService.pollWorkflowExecutionUpdate({
        namespace: 'default',
        updateRef: { workflowExecution: { workflowId: handle.workflowId }, updateId: 'u-admitted' },
        waitPolicy: { lifecycleStage: 1 },
      });
      return res.stage === 1;
    });
    // The client re-sends while the stage is below ACCEPTED: proof the server answered ADMITTED on expiry.
    await eventually(() => updateCalls - before >= 2, 5000);
    const { stop } = await runWorker(env, { taskQueue });
    try {
      assert.equal(await pending, 'start');
      await handle.executeUpdate('setValue', { args: ['finish'] });
      assert.equal(await handle.result(), 'finish');
    } finally {
      await stop();
    }
  });

  it('answers a query sent before the first workflow task once a worker picks the task up', async () => {
    // Created up front (slow) but not yet polling, so the query certainly waits for the first task.
    const { worker, taskQueue } = await env.worker();
    const handle = await env.client.start('waitForSignal', { taskQueue, workflowId: uniqueId('early-query') });
    const answer = handle.query('getValue');
    const running = worker.run();
    try {
      assert.equal(await answer, 'initial');
      await handle.signal('unblock', 'bye');
      await handle.result();
    } finally {
      worker.shutdown();
      await running;
    }
  });

  it('completes an activity asynchronously by workflow and activity id', async () => {
    const { taskQueue, stop } = await runWorker(env, {});
    try {
      const handle = await env.client.start('asyncCompleted', { taskQueue, workflowId: uniqueId('async') });
      await eventually(async () => (await handle.describe()).raw.pendingActivities?.[0]?.state === 2);
      const completion = new AsyncCompletionClient({ connection: env.connection });
      await completion.heartbeat({ workflowId: handle.workflowId, activityId: '1' }, 'still going');
      await completion.complete({ workflowId: handle.workflowId, activityId: '1' }, 'done async');
      assert.equal(await handle.result(), 'done async');
    } finally {
      await stop();
    }
  });

  it('runs update-with-start: starts the workflow, then reuses it, and reports a start conflict', async () => {
    const { taskQueue, stop } = await runWorker(env, {});
    try {
      const workflowId = uniqueId('uws');
      const op = () =>
        new WithStartWorkflowOperation('updatable', {
          taskQueue,
          workflowId,
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
      const first = op();
      assert.equal(
        await env.client.executeUpdateWithStart('setValue', { args: ['one'], startWorkflowOperation: first }),
        'start',
      );
      const handle = await first.workflowHandle();
      const second = op();
      assert.equal(
        await env.client.executeUpdateWithStart('setValue', { args: ['two'], startWorkflowOperation: second }),
        'one',
      );
      assert.equal((await (await second.workflowHandle()).describe()).runId, (await handle.describe()).runId);
      const conflicting = new WithStartWorkflowOperation('updatable', {
        taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'FAIL',
      });
      await assert.rejects(
        env.client.executeUpdateWithStart('setValue', { args: ['three'], startWorkflowOperation: conflicting }),
        WorkflowExecutionAlreadyStartedError,
      );
      await handle.executeUpdate('setValue', { args: ['finish'] });
      assert.equal(await handle.result(), 'finish');
    } finally {
      await stop();
    }
  });

  it('delays the first workflow task by the start delay', async () => {
    const { taskQueue, stop } = await runWorker(env, {});
    try {
      const started = Date.now();
      const handle = await env.client.start('hello', {
        taskQueue,
        workflowId: uniqueId('delayed'),
        args: ['later'],
        startDelay: '700ms',
      });
      assert.equal(await handle.result(), 'hello later');
      assert.ok(Date.now() - started >= 700);
      const history = await handle.fetchHistory();
      assert.equal(
        Number(history.events?.[0]?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff?.nanos),
        700_000_000,
      );
    } finally {
      await stop();
    }
  });

  it('re-admits an update on the new run when the run continues as new before accepting it', async () => {
    const { worker, taskQueue } = await env.worker();
    const handle = await env.client.start('continuesBeforeUpdate', {
      taskQueue,
      workflowId: uniqueId('can-update'),
      args: [1],
    });
    const update = handle.executeUpdate('setValue', { args: ['finish'], updateId: 'u-can' });
    await eventually(async () => {
      const res = await env.client.workflowService.pollWorkflowExecutionUpdate({
        namespace: 'default',
        updateRef: { workflowExecution: { workflowId: handle.workflowId }, updateId: 'u-can' },
        waitPolicy: { lifecycleStage: 1 },
      });
      return res.stage === 1;
    });
    await handle.signal('unblock', 'go');
    const running = worker.run();
    try {
      assert.equal(await update, 'start');
      assert.equal(await handle.result(), 'finish');
    } finally {
      worker.shutdown();
      await running;
    }
  });
});

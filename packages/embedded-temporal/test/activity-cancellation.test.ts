import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { defaultPayloadConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time.js';
import { Worker } from '@temporalio/worker';
import { int64 } from '../src/proto/time.js';
import { eventTypes, eventually, runWorker, serverForFile, uniqueId, type TestEnv } from './helpers.js';

let env: TestEnv;
serverForFile((started) => (env = started));

const CANCELLATION_TYPES = ['TRY_CANCEL', 'WAIT_CANCELLATION_COMPLETED'] as const;
const SCHEDULE_ACTIVITY_TASK = 1;
const REQUEST_CANCEL_ACTIVITY_TASK = 2;
const BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES = 3;

/** Event types after the last `name` event, e.g. what the latest workflow task completion wrote and flushed. */
const afterLast = (types: string[], name: string): string[] => types.slice(types.lastIndexOf(name) + 1);

describe('cancelling a running activity', () => {
  for (const cancellationType of CANCELLATION_TYPES) {
    it(`${cancellationType}: records the cancel request, and the run ends without a failed workflow task`, async () => {
      const { taskQueue, stop } = await runWorker(env, {});
      try {
        const id = uniqueId(`cancel-${cancellationType}`);
        const handle = await env.client.start('cancelRunningActivity', {
          taskQueue,
          workflowId: id,
          args: [cancellationType],
        });
        await eventually(async () => (await handle.describe()).raw.pendingActivities?.[0]?.state === 2);
        await handle.cancel();
        assert.equal(await handle.result(), 'hi cancelled');
        const types = await eventTypes(env.client, id);
        assert.ok(types.includes('ActivityTaskCancelRequested'), types.join());
        assert.ok(!types.includes('WorkflowTaskFailed'), types.join());
        if (cancellationType === 'WAIT_CANCELLATION_COMPLETED') {
          // The workflow waited for the worker's answer to the heartbeat that carried the cancel.
          assert.deepEqual(types.filter((t) => t.startsWith('ActivityTask')).slice(0, 4), [
            'ActivityTaskScheduled',
            'ActivityTaskCancelRequested',
            'ActivityTaskStarted',
            'ActivityTaskCanceled',
          ]);
        }
        await Worker.runReplayHistory({ workflowBundle: env.bundle }, await handle.fetchHistory(), id);
      } finally {
        await stop();
      }
    });
  }
});

/**
 * The race: the activity's completion arrives while the workflow task that asks to cancel it is running, so the
 * completion is buffered behind that task and the activity is no longer pending when the cancel command is
 * applied. The test drives the first two workflow tasks and the activity itself over raw gRPC (to hold the
 * race open deterministically), sending the commands the SDK sends for `cancelRunningActivity`; then a real
 * SDK worker takes over the run from its full history, which it must replay without a nondeterminism error.
 */
describe('an activity that completes while the task cancelling it runs', () => {
  for (const cancellationType of CANCELLATION_TYPES) {
    it(`${cancellationType}: writes ActivityTaskCancelRequested before the buffered outcome, as Temporal does`, async () => {
      const svc = env.client.workflowService;
      const taskQueue = uniqueId('race');
      const id = uniqueId(`race-${cancellationType}`);
      const handle = await env.client.start('cancelRunningActivity', {
        taskQueue,
        workflowId: id,
        args: [cancellationType],
      });
      const pollWft = () =>
        svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue, kind: 1 }, identity: 'raw' });

      const first = await pollWft();
      await svc.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: first.taskToken,
        commands: [
          {
            commandType: SCHEDULE_ACTIVITY_TASK,
            scheduleActivityTaskCommandAttributes: {
              activityId: '1',
              activityType: { name: 'waitForCancel' },
              taskQueue: { name: taskQueue },
              startToCloseTimeout: msToTs('10s'),
              heartbeatTimeout: msToTs('5s'),
              retryPolicy: { maximumAttempts: 1 },
            },
          },
        ],
      });
      const activity = await svc.pollActivityTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue },
        identity: 'raw',
      });
      assert.equal(activity.activityId, '1');

      await handle.cancel();
      const second = await pollWft();
      await svc.respondActivityTaskCompleted({
        namespace: 'default',
        taskToken: activity.taskToken,
        result: { payloads: [defaultPayloadConverter.toPayload('finished anyway')] },
        identity: 'raw',
      });
      const scheduledEventId = 5;
      assert.equal((await eventTypes(env.client, id))[scheduledEventId - 1], 'ActivityTaskScheduled');
      const cancel = {
        commandType: REQUEST_CANCEL_ACTIVITY_TASK,
        requestCancelActivityTaskCommandAttributes: { scheduledEventId: int64(scheduledEventId) },
      };
      // TRY_CANCEL resolves the activity as cancelled at once, so the workflow goes on to its non-cancellable
      // activity in the same task; WAIT_CANCELLATION_COMPLETED waits for the activity's outcome.
      const saveCancelled = {
        commandType: SCHEDULE_ACTIVITY_TASK,
        scheduleActivityTaskCommandAttributes: {
          activityId: '2',
          activityType: { name: 'greet' },
          taskQueue: { name: taskQueue },
          input: { payloads: [defaultPayloadConverter.toPayload('cancelled')] },
          startToCloseTimeout: msToTs('10s'),
          retryPolicy: { initialInterval: msToTs('50ms'), maximumAttempts: 5 },
        },
      };
      await svc.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: second.taskToken,
        commands: cancellationType === 'TRY_CANCEL' ? [cancel, saveCancelled] : [cancel],
      });
      assert.deepEqual(afterLast(await eventTypes(env.client, id), 'WorkflowTaskCompleted'), [
        'ActivityTaskCancelRequested',
        ...(cancellationType === 'TRY_CANCEL' ? ['ActivityTaskScheduled'] : []),
        'ActivityTaskStarted',
        'ActivityTaskCompleted',
        'WorkflowTaskScheduled',
      ]);

      const { stop } = await runWorker(env, { taskQueue, maxCachedWorkflows: 0 });
      try {
        const expected = cancellationType === 'TRY_CANCEL' ? 'hi cancelled' : 'finished anyway';
        // A worker that cannot replay the history fails the task over and over; the run then never closes.
        await eventually(async () => (await handle.describe()).status.name !== 'RUNNING', 15_000);
        assert.equal(await handle.result(), expected);
      } finally {
        await stop();
      }
      const types = await eventTypes(env.client, id);
      assert.ok(!types.includes('WorkflowTaskFailed'), types.join());
      await Worker.runReplayHistory({ workflowBundle: env.bundle }, await handle.fetchHistory(), id);
    });
  }

  it('rejects a cancel request for an activity that is neither pending nor finishing (BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES)', async () => {
    const svc = env.client.workflowService;
    const taskQueue = uniqueId('raw-unknown-cancel');
    const id = uniqueId('unknown-cancel');
    await svc.startWorkflowExecution({
      namespace: 'default',
      workflowId: id,
      workflowType: { name: 'anything' },
      taskQueue: { name: taskQueue },
      requestId: id,
    });
    const task = await svc.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue, kind: 1 },
      identity: 'raw',
    });
    await assert.rejects(
      svc.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: task.taskToken,
        commands: [
          {
            commandType: REQUEST_CANCEL_ACTIVITY_TASK,
            requestCancelActivityTaskCommandAttributes: { scheduledEventId: int64(99) },
          },
        ],
      }),
      (err: { code?: number }) => err.code === status.INVALID_ARGUMENT,
    );
    const history = await env.client.getHandle(id).fetchHistory();
    const failed = history.events?.at(-2)?.workflowTaskFailedEventAttributes;
    assert.equal(failed?.cause, BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES);
    await env.client.getHandle(id).terminate('done');
  });
});

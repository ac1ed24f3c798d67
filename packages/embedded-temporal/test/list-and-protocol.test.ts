import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { eventTypes, eventually, runWorker, serverForFile, startTestEnv, uniqueId, type TestEnv } from './helpers.js';

let env: TestEnv;
serverForFile((started) => (env = started));

describe('visibility list and count', () => {
  it('filters by system and custom search attributes and counts matches', async () => {
    const { taskQueue, stop } = await runWorker(env, {});
    try {
      const type = `hello`;
      const ids = [`list-a-${process.pid}`, `list-b-${process.pid}`];
      for (const [i, id] of ids.entries()) {
        await env.client.execute(type, {
          taskQueue,
          workflowId: id,
          args: [String(i)],
          searchAttributes: { CustomKeywordField: [`tag-${i}`] },
        });
      }
      const open = await env.client.start('waitForSignal', { taskQueue, workflowId: `list-open-${process.pid}` });
      const listed = async (query: string): Promise<string[]> => {
        const out: string[] = [];
        for await (const wf of env.client.list({ query })) out.push(wf.workflowId);
        return out.sort();
      };
      assert.deepEqual(await listed(`WorkflowId IN ('${ids[0]}', '${ids[1]}')`), ids);
      assert.deepEqual(await listed(`CustomKeywordField = 'tag-1'`), [ids[1]]);
      assert.deepEqual(await listed(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`), [open.workflowId]);
      assert.equal((await env.client.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`)).count, 2);
      await assert.rejects(
        listed('NoSuchAttribute = 1'),
        (err: { cause?: { code?: number } }) => err.cause?.code === status.INVALID_ARGUMENT,
      );
      await open.terminate();
    } finally {
      await stop();
    }
  });
});

describe('workflow task protocol (raw gRPC, no SDK worker)', () => {
  it('times out a started workflow task, reschedules it as attempt 2, and rejects the stale token', async () => {
    const svc = env.client.workflowService;
    const taskQueue = `raw-${process.pid}`;
    const workflowId = `raw-timeout-${process.pid}`;
    await svc.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'anything' },
      taskQueue: { name: taskQueue },
      workflowTaskTimeout: msToTs('1s'),
      requestId: 'raw-1',
    });
    const poll = () =>
      svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue, kind: 1 }, identity: 'raw' });
    const first = await poll();
    assert.equal(Number(first.startedEventId), 3);
    assert.equal(Number(first.previousStartedEventId), 0);
    assert.equal(first.attempt, 1);
    const second = await poll(); // arrives once the first attempt timed out
    assert.equal(second.attempt, 2);
    assert.equal(Number(second.startedEventId), 6);
    await assert.rejects(
      svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: first.taskToken, commands: [] }),
      (err: { code?: number }) => err.code === status.NOT_FOUND,
    );
    await svc.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: second.taskToken,
      commands: [{ commandType: 4 /* COMPLETE_WORKFLOW_EXECUTION */, completeWorkflowExecutionCommandAttributes: {} }],
    });
    assert.deepEqual(await eventTypes(env.client, workflowId), [
      'WorkflowExecutionStarted',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskTimedOut',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
      'WorkflowTaskCompleted',
      'WorkflowExecutionCompleted',
    ]);
  });

  it('buffers a signal that arrives during a started task and flushes it after the completion', async () => {
    const svc = env.client.workflowService;
    const taskQueue = `raw-buffer-${process.pid}`;
    const workflowId = `raw-buffer-${process.pid}`;
    await svc.startWorkflowExecution({
      namespace: 'default',
      workflowId,
      workflowType: { name: 'x' },
      taskQueue: { name: taskQueue },
      requestId: 'raw-2',
    });
    const poll = () =>
      svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue, kind: 1 }, identity: 'raw' });
    const task = await poll();
    await svc.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId }, signalName: 'late' });
    const visible = await eventTypes(env.client, workflowId);
    assert.equal(visible.at(-1), 'WorkflowTaskStarted', 'buffered events are not visible while the task runs');
    await svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: task.taskToken, commands: [] });
    const next = await poll();
    assert.equal(Number(next.previousStartedEventId), 3);
    assert.deepEqual((await eventTypes(env.client, workflowId)).slice(3), [
      'WorkflowTaskCompleted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
    ]);
    await eventually(
      async () => (await env.client.getHandle(workflowId).describe()).raw.pendingWorkflowTask?.state === 2,
    );
    await env.client.getHandle(workflowId).terminate('done');
    const types = await eventTypes(env.client, workflowId);
    assert.deepEqual(types.slice(-2), ['WorkflowTaskFailed', 'WorkflowExecutionTerminated']);
  });

  it('starts an activity at once and returns it in the completion when eager execution is on and asked for', async () => {
    const eagerServer = await startTestEnv({ eagerActivities: true });
    try {
      const { completion, workflowId, taskQueue, svc } = await completeWithThreeActivities(eagerServer);
      // Only the same-queue activity that asked for it comes back; the others go through their queues.
      assert.deepEqual(
        completion.activityTasks?.map((t) => [t.activityId, t.attempt]),
        [['eager', 1]],
      );
      const described = await eagerServer.client.getHandle(workflowId).describe();
      const states = Object.fromEntries((described.raw.pendingActivities ?? []).map((a) => [a.activityId, a.state]));
      assert.deepEqual(states, { eager: 2 /* STARTED */, polled: 1 /* SCHEDULED */, elsewhere: 1 /* SCHEDULED */ });
      const polled = await svc.pollActivityTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: 1 },
        identity: 'raw',
      });
      assert.equal(polled.activityId, 'polled', 'the eagerly started activity is not handed out again');
      await svc.respondActivityTaskCompleted({
        namespace: 'default',
        taskToken: completion.activityTasks[0]!.taskToken,
        identity: 'raw-worker',
      });
      const types = await eventTypes(eagerServer.client, workflowId);
      assert.deepEqual(types.slice(-3), ['ActivityTaskStarted', 'ActivityTaskCompleted', 'WorkflowTaskScheduled']);
      await eagerServer.client.getHandle(workflowId).terminate('done');
    } finally {
      await eagerServer.close();
    }
  });

  it('returns the next workflow task inline when the completion schedules one on the sticky queue and the worker asks', async () => {
    const svc = env.client.workflowService;
    const taskQueue = uniqueId('raw-inline');
    const stickyQueue = `${taskQueue}-sticky`;
    const pollSticky = () =>
      env.connection.withDeadline(Date.now() + 1500, () =>
        svc.pollWorkflowTaskQueue({
          namespace: 'default',
          taskQueue: { name: stickyQueue, kind: 2, normalName: taskQueue },
          identity: 'raw',
        }),
      );
    const stickyAttributes = {
      workerTaskQueue: { name: stickyQueue, kind: 2, normalName: taskQueue },
      scheduleToStartTimeout: msToTs('10s'),
    };
    const runOnce = async (returnNewWorkflowTask: boolean) => {
      const workflowId = uniqueId('raw-inline');
      await svc.startWorkflowExecution({
        namespace: 'default',
        workflowId,
        workflowType: { name: 'x' },
        taskQueue: { name: taskQueue },
        requestId: workflowId,
      });
      const first = await svc.pollWorkflowTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: 1 },
        identity: 'raw',
      });
      await svc.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'during-task',
      });
      const stickyPoll = pollSticky(); // the worker's sticky poller, waiting while the completion is sent
      const completion = await svc.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: first.taskToken,
        identity: 'raw-worker',
        stickyAttributes,
        returnNewWorkflowTask,
        commands: [],
      });
      return { workflowId, completion, polled: await stickyPoll };
    };

    const inline = await runOnce(true);
    const task = inline.completion.workflowTask;
    assert.ok(task?.taskToken?.length, 'the new task comes back in the completion');
    assert.equal(Number(task.previousStartedEventId), 3);
    assert.deepEqual(
      task.history?.events?.map((e) => e.eventType),
      [
        7 /* WorkflowTaskCompleted */, 26 /* WorkflowExecutionSignaled */, 5 /* WorkflowTaskScheduled */,
        6 /* WorkflowTaskStarted */,
      ],
    );
    assert.equal(inline.polled.taskToken?.length ?? 0, 0, 'and is not handed to the sticky poller as well');
    await svc.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      commands: [{ commandType: 4, completeWorkflowExecutionCommandAttributes: {} }],
    });
    assert.equal((await eventTypes(env.client, inline.workflowId)).at(-1), 'WorkflowExecutionCompleted');

    const polled = await runOnce(false);
    assert.equal(polled.completion.workflowTask, null);
    assert.ok(polled.polled.taskToken?.length, 'without the flag the sticky poller gets the task');
    await env.client.getHandle(polled.workflowId).terminate('done');
  });

  it('ignores eager execution requests by default, as Temporal does', async () => {
    const { completion, workflowId } = await completeWithThreeActivities(env);
    assert.deepEqual(completion.activityTasks ?? [], []);
    const described = await env.client.getHandle(workflowId).describe();
    assert.ok((described.raw.pendingActivities ?? []).every((a) => a.state === 1 /* SCHEDULED */));
    await env.client.getHandle(workflowId).terminate('done');
  });
});

/**
 * Starts a workflow and completes its first task with three activities: `eager` (asks for eager execution on the
 * workflow's queue), `polled` (does not ask) and `elsewhere` (asks, on another queue).
 */
async function completeWithThreeActivities(target: TestEnv) {
  const svc = target.client.workflowService;
  const workflowId = uniqueId('raw-eager');
  const taskQueue = uniqueId('raw-eager-queue');
  await svc.startWorkflowExecution({
    namespace: 'default',
    workflowId,
    workflowType: { name: 'x' },
    taskQueue: { name: taskQueue },
    requestId: workflowId,
  });
  const task = await svc.pollWorkflowTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue, kind: 1 },
    identity: 'raw',
  });
  const schedule = (activityId: string, queue: string, requestEagerExecution: boolean) => ({
    commandType: 1 /* SCHEDULE_ACTIVITY_TASK */,
    scheduleActivityTaskCommandAttributes: {
      activityId,
      activityType: { name: 'step' },
      taskQueue: { name: queue },
      startToCloseTimeout: msToTs('30s'),
      requestEagerExecution,
    },
  });
  const completion = await svc.respondWorkflowTaskCompleted({
    namespace: 'default',
    taskToken: task.taskToken,
    identity: 'raw-worker',
    commands: [
      schedule('eager', taskQueue, true),
      schedule('polled', taskQueue, false),
      schedule('elsewhere', `${taskQueue}-other`, true),
    ],
  });
  return { completion, workflowId, taskQueue, svc };
}

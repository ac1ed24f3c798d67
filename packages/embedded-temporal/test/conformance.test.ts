import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  WorkflowFailedError,
  WorkflowExecutionAlreadyStartedError,
  QueryNotRegisteredError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { eventTypes, eventually, runWorker, serverForFile, workerModes, uniqueId, type TestEnv } from './helpers.js';

let env: TestEnv;
serverForFile((started) => (env = started));

for (const mode of workerModes) {
  describe(`workflow conformance with ${mode.name}`, () => {
    // One worker per mode: creating a worker costs about a second, which would dominate the suite.
    let taskQueue = '';
    let stop: () => Promise<void> = async () => undefined;
    before(async () => {
      ({ taskQueue, stop } = await runWorker(env, mode.options));
    });
    after(() => stop());

    it('runs a workflow to completion with the exact canonical history', async () => {
      const id = uniqueId('hello');
      assert.equal(await env.client.execute('hello', { taskQueue, workflowId: id, args: ['x'] }), 'hello x');
      assert.deepEqual(await eventTypes(env.client, id), [
        'WorkflowExecutionStarted',
        'WorkflowTaskScheduled',
        'WorkflowTaskStarted',
        'WorkflowTaskCompleted',
        'WorkflowExecutionCompleted',
      ]);
    });

    it('records an activity as Scheduled, Started, Completed and resumes the workflow', async () => {
      const id = uniqueId('activity');
      assert.equal(await env.client.execute('withActivity', { taskQueue, workflowId: id, args: ['bob'] }), 'hi bob');
      assert.deepEqual((await eventTypes(env.client, id)).slice(3), [
        'WorkflowTaskCompleted',
        'ActivityTaskScheduled',
        'ActivityTaskStarted',
        'ActivityTaskCompleted',
        'WorkflowTaskScheduled',
        'WorkflowTaskStarted',
        'WorkflowTaskCompleted',
        'WorkflowExecutionCompleted',
      ]);
    });

    it('fires timers no earlier than requested', async () => {
      const elapsed = await env.client.execute('withTimer', { taskQueue, workflowId: uniqueId('timer'), args: [300] });
      assert.ok(elapsed >= 300, `workflow clock advanced ${elapsed} ms`);
    });

    it('delivers signals and answers queries on open and closed workflows', async () => {
      const handle = await env.client.start('waitForSignal', { taskQueue, workflowId: uniqueId('signal') });
      assert.equal(await handle.query('getValue'), 'initial');
      await handle.signal('unblock', 'go');
      assert.equal(await handle.result(), 'go');
      assert.equal(await handle.query('getValue'), 'go');
      await assert.rejects(handle.query('nope'), (err: unknown) => {
        assert.ok(err instanceof QueryNotRegisteredError);
        assert.match((err as Error).message, /did not register a handler for nope/);
        return true;
      });
    });

    it('runs updates: accepted and completed, validator rejection, closed-workflow error', async () => {
      const handle = await env.client.start('updatable', { taskQueue, workflowId: uniqueId('update') });
      assert.equal(await handle.executeUpdate('setValue', { args: ['a'] }), 'start');
      await assert.rejects(handle.executeUpdate('setValue', { args: ['bad'] }), WorkflowUpdateFailedError);
      const started = await handle.startUpdate('setValue', { args: ['finish'], waitForStage: 'ACCEPTED' });
      assert.equal(await started.result(), 'a');
      assert.equal(await handle.result(), 'finish');
      await assert.rejects(
        handle.executeUpdate('setValue', { args: ['late'] }),
        /workflow execution already completed/,
      );
    });

    it('surfaces workflow failures as WorkflowFailedError with the cause', async () => {
      await assert.rejects(
        env.client.execute('failing', { taskQueue, workflowId: uniqueId('fail') }),
        (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          assert.equal((err.cause as Error).message, 'boom');
          return true;
        },
      );
    });

    it('retries activities server-side until they succeed', async () => {
      assert.equal(await env.client.execute('flakyActivity', { taskQueue, workflowId: uniqueId('flaky') }), 3);
    });

    it('runs child workflows and continue-as-new chains', async () => {
      assert.equal(
        await env.client.execute('parent', { taskQueue, workflowId: uniqueId('parent'), args: [7] }),
        'parent got hello child7',
      );
      assert.equal(await env.client.execute('counter', { taskQueue, workflowId: uniqueId('can'), args: [0] }), 3);
    });

    it('records local-activity and patch markers that replay deterministically', async () => {
      const id = uniqueId('markers');
      assert.equal(await env.client.execute('localAndPatch', { taskQueue, workflowId: id }), 'hi local/patched');
      const history = await env.client.getHandle(id).fetchHistory();
      assert.equal((await eventTypes(env.client, id)).filter((t) => t === 'MarkerRecorded').length, 2);
      await Worker.runReplayHistory({ workflowBundle: env.bundle }, history, id);
    });

    it('cancels a workflow and its heartbeating activity', async () => {
      const id = uniqueId('cancel');
      const handle = await env.client.start('cancellable', { taskQueue, workflowId: id });
      await eventually(async () => (await handle.describe()).raw.pendingActivities?.[0]?.state === 2);
      await handle.cancel();
      assert.equal(await handle.result(), 'cancelled');
      const types = await eventTypes(env.client, id);
      assert.ok(types.includes('WorkflowExecutionCancelRequested'));
      assert.ok(types.includes('ActivityTaskCancelRequested'));
    });

    it('upserts search attributes and reports them with memo in describe', async () => {
      const id = uniqueId('sa');
      const result = await env.client.execute('searchAttrs', {
        taskQueue,
        workflowId: id,
        searchAttributes: { CustomKeywordField: ['init'] },
        memo: { owner: 'tests' },
        workflowRunTimeout: '1 minute',
      });
      assert.equal(result, 'updated');
      const d = await env.client.getHandle(id).describe();
      assert.equal(d.status.name, 'COMPLETED');
      assert.deepEqual(d.searchAttributes.CustomKeywordField, ['updated']);
      assert.deepEqual(d.memo, { owner: 'tests' });
      assert.equal(d.taskQueue, taskQueue);
      assert.equal(Number(d.raw.executionConfig?.workflowRunTimeout?.seconds), 60);
    });

    it('retries a failed workflow task and keeps the failure in history', async () => {
      const id = uniqueId('wft-fail');
      assert.equal(await env.client.execute('failsFirstTask', { taskQueue, workflowId: id }), 'recovered');
      const history = await env.client.getHandle(id).fetchHistory();
      const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
      assert.match(failed?.workflowTaskFailedEventAttributes?.failure?.message ?? '', /transient task failure/);
      await Worker.runReplayHistory({ workflowBundle: env.bundle }, history, id);
    });

    it('rejects completion with UnhandledCommand when a signal arrived during the task, then delivers it', async () => {
      const id = uniqueId('unhandled');
      const handle = await env.client.start('signalDuringTask', { taskQueue, workflowId: id });
      await eventually(async () => (await handle.describe()).raw.pendingWorkflowTask?.state === 2);
      await handle.signal('bump');
      assert.equal(await handle.result(), 1);
      const history = await env.client.getHandle(id).fetchHistory();
      const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
      assert.equal(failed?.workflowTaskFailedEventAttributes?.cause, 1 /* UNHANDLED_COMMAND */);
    });

    it('keeps a workflow task alive across a long local activity with forced new tasks', async () => {
      const id = uniqueId('la-heartbeat');
      assert.equal(
        await env.client.execute('longLocalActivity', { taskQueue, workflowId: id, workflowTaskTimeout: '1s' }),
        'local done',
      );
      const types = await eventTypes(env.client, id);
      assert.ok(!types.includes('WorkflowTaskTimedOut'), types.join(','));
      assert.ok(types.filter((t) => t === 'WorkflowTaskCompleted').length >= 2, types.join(','));
      await Worker.runReplayHistory({ workflowBundle: env.bundle }, await env.client.getHandle(id).fetchHistory(), id);
    });

    it('propagates a child workflow failure to the parent', async () => {
      assert.equal(
        await env.client.execute('parentOfFailingChild', { taskQueue, workflowId: uniqueId('child-fail') }),
        'ChildWorkflowFailure: boom',
      );
    });

    it('uses sticky queues only when the worker caches workflows', async () => {
      const id = uniqueId('sticky');
      await env.client.execute('withActivity', { taskQueue, workflowId: id, args: ['s'] });
      const history = await env.client.getHandle(id).fetchHistory();
      const kinds = (history.events ?? [])
        .filter((e) => e.workflowTaskScheduledEventAttributes)
        .map((e) => e.workflowTaskScheduledEventAttributes?.taskQueue?.kind);
      assert.deepEqual(kinds, mode.options.maxCachedWorkflows === 0 ? [1, 1] : [1, 2]);
    });
  });
}

describe('client-facing workflow semantics', () => {
  let taskQueue = '';
  let stop: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ taskQueue, stop } = await runWorker(env, {}));
  });
  after(() => stop());

  it('enforces workflow id conflict and reuse policies', async () => {
    const id = uniqueId('policy');
    const first = await env.client.start('waitForSignal', { taskQueue, workflowId: id });
    await assert.rejects(
      env.client.start('waitForSignal', { taskQueue, workflowId: id }),
      WorkflowExecutionAlreadyStartedError,
    );
    const existing = await env.client.start('waitForSignal', {
      taskQueue,
      workflowId: id,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    assert.equal(existing.firstExecutionRunId, first.firstExecutionRunId);
    await first.signal('unblock', 'done');
    await first.result();
    await assert.rejects(
      env.client.start('hello', { taskQueue, workflowId: id, args: ['x'], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
      WorkflowExecutionAlreadyStartedError,
    );
    await assert.rejects(
      env.client.start('hello', {
        taskQueue,
        workflowId: id,
        args: ['x'],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      }),
      WorkflowExecutionAlreadyStartedError,
    );
    assert.equal(await env.client.execute('hello', { taskQueue, workflowId: id, args: ['again'] }), 'hello again');
  });

  it('is idempotent on StartWorkflowExecution request ids', async () => {
    const request = {
      namespace: 'default',
      workflowId: uniqueId('idem'),
      workflowType: { name: 'hello' },
      taskQueue: { name: 'nobody-polls' },
      requestId: 'same-request',
    };
    const a = await env.client.workflowService.startWorkflowExecution(request);
    const b = await env.client.workflowService.startWorkflowExecution(request);
    assert.equal(a.runId, b.runId);
    await env.client.getHandle(request.workflowId).terminate('cleanup');
  });

  it('terminates a running workflow and reports TerminatedFailure', async () => {
    const handle = await env.client.start('waitForSignal', { taskQueue, workflowId: uniqueId('terminate') });
    await handle.terminate('enough');
    await assert.rejects(
      handle.result(),
      (err: unknown) => err instanceof WorkflowFailedError && /enough/.test((err.cause as Error).message),
    );
    await assert.rejects(handle.terminate('again'), /workflow execution already completed/);
    await handle.cancel(); // cancelling a closed run is a silent success
  });

  it('starts with signalWithStart and signals an already running workflow', async () => {
    const id = uniqueId('sws');
    const handle = await env.client.signalWithStart('waitForSignal', {
      taskQueue,
      workflowId: id,
      signal: 'unblock',
      signalArgs: ['first'],
    });
    assert.equal(await handle.result(), 'first');
    assert.deepEqual((await eventTypes(env.client, id)).slice(0, 3), [
      'WorkflowExecutionStarted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
    ]);
  });

  it('retries a workflow by its retry policy with a new run in the chain', async () => {
    const result = await env.client.execute('retriedWorkflow', {
      taskQueue,
      workflowId: uniqueId('wf-retry'),
      retry: { initialInterval: '50ms', maximumAttempts: 3 },
    });
    assert.equal(result, 2);
  });

  it('times out a workflow by its run timeout', async () => {
    await assert.rejects(
      env.client.execute('sleeper', {
        taskQueue,
        workflowId: uniqueId('run-timeout'),
        args: [60_000],
        workflowRunTimeout: '500ms',
      }),
      (err: unknown) => err instanceof WorkflowFailedError && (err.cause as Error).name === 'TimeoutFailure',
    );
  });

  it('signals an external workflow and terminates children by parent-close policy', async () => {
    const target = await env.client.start('waitForSignal', { taskQueue, workflowId: uniqueId('target') });
    await env.client.execute('signalOther', {
      taskQueue,
      workflowId: uniqueId('signaller'),
      args: [target.workflowId],
    });
    assert.equal(await target.result(), 'from another workflow');

    const childId = uniqueId('child');
    assert.equal(
      await env.client.execute('parentOfLongChild', { taskQueue, workflowId: uniqueId('parent'), args: [childId] }),
      'parent done',
    );
    const child = env.client.getHandle(childId);
    await eventually(async () => (await child.describe()).status.name === 'TERMINATED');
  });

  it('moves a workflow off the sticky queue of a worker that shut down, to a new worker with full history', async () => {
    const first = await runWorker(env, {});
    const handle = await env.client.start('waitForSignal', {
      taskQueue: first.taskQueue,
      workflowId: uniqueId('handover'),
    });
    assert.equal(await handle.query('getValue'), 'initial');
    await first.stop();
    await handle.signal('unblock', 'second worker');
    const second = await runWorker(env, { taskQueue: first.taskQueue });
    try {
      assert.equal(await handle.result(), 'second worker');
    } finally {
      await second.stop();
    }
    const history = await handle.fetchHistory();
    const kinds = (history.events ?? [])
      .filter((e) => e.workflowTaskScheduledEventAttributes)
      .map((e) => e.workflowTaskScheduledEventAttributes?.taskQueue?.kind);
    assert.equal(kinds.at(-1), 1, 'the task after the shutdown is on the normal queue');
  });
});

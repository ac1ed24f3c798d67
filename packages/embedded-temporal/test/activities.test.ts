import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventTypes, eventually, runWorker, serverForFile, workerModes, uniqueId, type TestEnv } from './helpers.js';

let env: TestEnv;
// Eager execution on: the SDK asks for it for every same-queue activity, so each first attempt below starts in
// the workflow-task completion (retries still go through the task queue); the conformance suite covers the
// default, polled path.
serverForFile((started) => (env = started), { eagerActivities: true });

for (const mode of workerModes) {
  describe(`activity semantics with ${mode.name}`, () => {
    let taskQueue = '';
    let stop: () => Promise<void> = async () => undefined;
    before(async () => {
      ({ taskQueue, stop } = await runWorker(env, mode.options));
    });
    after(() => stop());

    it('times out a silent attempt by heartbeat timeout and hands its heartbeat details to the retry', async () => {
      const result = await env.client.execute('activityOutcome', {
        taskQueue,
        workflowId: uniqueId('hb'),
        args: ['heartbeatResume'],
      });
      assert.equal(result, 'attempt 2 resumed from progress-1');
    });

    it('retries an attempt that exceeds start-to-close', async () => {
      const result = await env.client.execute('activityOutcome', {
        taskQueue,
        workflowId: uniqueId('st2c'),
        args: ['startToCloseRetry'],
      });
      assert.equal(result, 'attempt 2');
    });

    it('fails the activity with a SCHEDULE_TO_CLOSE timeout without retrying', async () => {
      const id = uniqueId('s2c');
      const result = await env.client.execute('activityOutcome', {
        taskQueue,
        workflowId: id,
        args: ['scheduleToClose'],
      });
      assert.equal(result, 'ActivityFailure: TimeoutFailure: activity ScheduleToClose timeout (SCHEDULE_TO_CLOSE)');
      assert.ok((await eventTypes(env.client, id)).includes('ActivityTaskTimedOut'));
    });

    it('does not retry non-retryable error types', async () => {
      const id = uniqueId('nonretryable');
      const result = await env.client.execute('activityOutcome', { taskQueue, workflowId: id, args: ['nonRetryable'] });
      assert.equal(result, 'ActivityFailure: ApplicationFailure: thrown Fatal');
      const history = await env.client.getHandle(id).fetchHistory();
      const started = history.events?.find((e) => e.activityTaskStartedEventAttributes);
      assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 1);
      const failed = history.events?.find((e) => e.activityTaskFailedEventAttributes);
      assert.equal(failed?.activityTaskFailedEventAttributes?.retryState, 2 /* NON_RETRYABLE_FAILURE */);
    });

    it('honours nextRetryDelay and describes the pending attempt, last failure and next attempt time', async () => {
      const handle = await env.client.start('activityOutcome', {
        taskQueue,
        workflowId: uniqueId('delay'),
        args: ['delayedRetry'],
      });
      const pending = await eventually(async () => {
        const p = (await handle.describe()).raw.pendingActivities?.[0];
        return p?.attempt === 2 && p.nextAttemptScheduleTime ? p : undefined;
      });
      assert.ok(pending);
      assert.equal(pending.lastFailure?.message, 'retry me later');
      const nextMs = Number(pending.nextAttemptScheduleTime?.seconds) * 1000;
      assert.ok(
        nextMs > Date.now() - 200 && nextMs <= Date.now() + 1000,
        `next attempt at ${new Date(nextMs).toISOString()}`,
      );
      assert.equal(await handle.result(), '2');
    });
  });
}

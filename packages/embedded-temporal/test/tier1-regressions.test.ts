import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { WithStartWorkflowOperation, isGrpcServiceError } from '@temporalio/client';
import { eventually, runWorker, serverForFile, uniqueId, type TestEnv } from './helpers.js';

// Behaviours the SDK's own integration tests rely on (updates before the first task, child id reuse,
// typed Datetime search attributes, root execution, update-with-start validation).

let env: TestEnv;
serverForFile((started) => (env = started));

/** PollWorkflowExecutionUpdate without a wait policy: answers the current stage at once. */
async function updateStage(workflowId: string, updateId: string): Promise<number | undefined> {
  try {
    const res = await env.client.workflowService.pollWorkflowExecutionUpdate({
      namespace: 'default',
      updateRef: { workflowExecution: { workflowId }, updateId },
    });
    return res.stage ?? undefined;
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === status.NOT_FOUND) return undefined;
    throw err;
  }
}

describe('tier-1 regressions', () => {
  it('delivers updates sent to a delayed workflow in its first task, ahead of the start delay', async () => {
    const taskQueue = uniqueId('delayed-updates');
    const handle = await env.client.start('returnsEarlyUpdates', {
      taskQueue,
      workflowId: uniqueId('delayed'),
      startDelay: '10 days',
    });
    const first = handle.executeUpdate<string, [string]>('appendUpdate', { args: ['a'], updateId: 'u-a' });
    const began = Date.now();
    assert.equal(await eventually(() => updateStage(handle.workflowId, 'u-a')), 1, 'ADMITTED');
    assert.ok(Date.now() - began < 5000, 'a poll without wait policy does not long-poll');
    const second = handle.executeUpdate<string, [string]>('appendUpdate', { args: ['b'], updateId: 'u-b' });
    await eventually(() => updateStage(handle.workflowId, 'u-b'));
    const described = await handle.describe();
    assert.equal(described.raw.pendingWorkflowTask?.state, 1, 'the first task is scheduled despite the delay');
    const { stop } = await runWorker(env, { taskQueue });
    try {
      assert.deepEqual(await handle.result(), ['a', 'b']);
      assert.deepEqual(await Promise.all([first, second]), ['a', 'b']);
    } finally {
      await stop();
    }
  });

  it('fails a child start under REJECT_DUPLICATE, keeps root absent at the top and the child summary', async () => {
    const { stop, taskQueue } = await runWorker(env, {});
    try {
      const childId = uniqueId('reused-child');
      const handle = await env.client.start('childReuse', {
        taskQueue,
        workflowId: uniqueId('child-reuse'),
        args: [childId],
      });
      assert.deepEqual(await handle.result(), {
        root: null,
        childRoot: handle.workflowId,
        duplicate: 'already started',
      });
      assert.equal(await env.client.execute('rootOf', { taskQueue, workflowId: uniqueId('top') }), null);
      const child = await env.client.getHandle(childId).describe();
      assert.equal(await child.staticSummary(), 'child summary');
      const history = await handle.fetchHistory();
      assert.ok(
        history.events?.some((e) => e.startChildWorkflowExecutionFailedEventAttributes),
        'StartChildWorkflowExecutionFailed',
      );
    } finally {
      await stop();
    }
  });

  it('returns Datetime search attributes with their type (start, workflow, upsert) and the BuildIds attribute', async () => {
    const { stop, taskQueue } = await runWorker(env, {});
    try {
      const at = new Date('2029-05-06T07:08:09.123Z');
      const handle = await env.client.start('datetimeAttribute', {
        taskQueue,
        workflowId: uniqueId('datetime'),
        searchAttributes: { CustomDatetimeField: [at], CustomKeywordField: ['k'] },
      });
      assert.equal(await handle.result(), true, 'the workflow sees a Date');
      const d = await handle.describe();
      assert.deepEqual(d.searchAttributes.CustomDatetimeField, [new Date('2030-01-02T03:04:05.000Z')]);
      assert.deepEqual(d.searchAttributes.CustomKeywordField, ['k']);
      const buildIds = d.searchAttributes.BuildIds as string[];
      assert.equal(buildIds[0], 'unversioned');
      assert.match(buildIds[1] ?? '', /^unversioned:@temporalio\/worker@/);
    } finally {
      await stop();
    }
  });

  it('answers INVALID_ARGUMENT to update-with-start with an over-long workflow id', async () => {
    const startWorkflowOperation = new WithStartWorkflowOperation('updatable', {
      workflowId: 'x'.repeat(1001),
      taskQueue: uniqueId('nowhere'),
      workflowIdConflictPolicy: 'FAIL',
    });
    const err = await env.client
      .startUpdateWithStart('setValue', { args: ['v'], waitForStage: 'ACCEPTED', startWorkflowOperation })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(isGrpcServiceError(err) && err.code === status.INVALID_ARGUMENT, String(err));
    assert.match(err.message, /workflowid.*length/i);
    await assert.rejects(startWorkflowOperation.workflowHandle());
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { eventually, runWorker, serverForFile, uniqueId, type TestEnv } from './helpers.js';

let env: TestEnv;
serverForFile((started) => (env = started));

type Pending = temporal.api.workflow.v1.IPendingActivityInfo;
const PAUSED = 4; // PENDING_ACTIVITY_STATE_PAUSED
const STARTED = 2;

describe('activity pause / unpause / reset', () => {
  let taskQueue = '';
  let stop: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ taskQueue, stop } = await runWorker(env, {}));
  });
  after(() => stop());

  it('holds a paused activity back, re-dispatches it on unpause and restarts its attempts on reset', async () => {
    const workflowId = uniqueId('pause');
    const handle = await env.client.start('pausableActivity', { taskQueue, workflowId });
    const service = env.client.workflowService;
    const execution = { workflowId, runId: handle.firstExecutionRunId };
    const pending = async (): Promise<Pending | undefined> =>
      (await handle.describe()).raw.pendingActivities?.[0] ?? undefined;
    const waitFor = async (ok: (p: Pending) => boolean): Promise<Pending> =>
      (await eventually(async () => {
        const p = await pending();
        return p && ok(p) ? p : undefined;
      })) as Pending;
    const running = await waitFor((p) => p.state === STARTED && !!p.heartbeatDetails);
    const id = running.activityId!;

    // Pause reaches the running attempt through its heartbeat; its failure leaves attempt 2 waiting, not dispatched.
    await service.pauseActivity({ namespace: 'default', execution, id, identity: 'operator', reason: 'maintenance' });
    const paused = await waitFor((p) => p.state === PAUSED && p.attempt === 2);
    assert.equal(paused.paused, true);
    assert.equal(paused.pauseInfo?.manual?.reason, 'maintenance');
    assert.equal(paused.lastFailure?.applicationFailureInfo?.type, 'ActivityPause');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await pending())?.state, PAUSED, 'a paused activity must not be dispatched');
    await assert.rejects(service.pauseActivity({ namespace: 'default', execution, id }), /already paused/);

    // Reset while waiting and kept paused: back to attempt 1, still held.
    await service.resetActivity({ namespace: 'default', execution, id, keepPaused: true });
    const reset = await pending();
    assert.equal(reset?.attempt, 1);
    assert.equal(reset?.state, PAUSED);

    // Unpause dispatches attempt 1 again; a reset of the running attempt cancels it (heartbeat details dropped) and
    // the retry is attempt 2.
    await service.unpauseActivity({ namespace: 'default', execution, id });
    await waitFor((p) => p.state === STARTED && p.attempt === 1 && !p.paused);
    await service.resetActivity({ namespace: 'default', execution, type: 'pausable', resetHeartbeat: true });
    assert.equal(await handle.result(), 'attempt 2; heartbeat none');
    const history = await handle.fetchHistory();
    const failures = history.events?.filter((e) => e.activityTaskFailedEventAttributes) ?? [];
    assert.equal(failures.length, 0, 'pause and reset are retried attempts, not activity failures');
  });
});

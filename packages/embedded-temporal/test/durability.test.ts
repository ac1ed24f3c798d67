import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Connection, WorkflowClient } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './activities.js';
import { eventually, quietRuntime, testBundle, testBundleFile } from './helpers.js';
import { startServerProcess, startWorkerProcess, type Child } from './fixtures/processes.js';

const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

async function clientFor(address: string): Promise<WorkflowClient> {
  const connection = await Connection.connect({ address });
  cleanup.push(() => connection.close());
  return new WorkflowClient({ connection });
}

describe('durability across kill -9', () => {
  it('resumes timers, signals, queued and in-flight activities after the server and worker are killed', async () => {
    quietRuntime();
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-temporal-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const taskQueue = `durable-${process.pid}`;
    const bundle = testBundle();

    const first = await startServerProcess(dataDir);
    const children: Child[] = [first.child];
    cleanup.push(() => Promise.all(children.map((c) => c.kill9())));
    const workerA = await startWorkerProcess(first.address, taskQueue, await testBundleFile());
    children.push(workerA);
    let client = await clientFor(first.address);

    const timer = await client.start('withTimer', { taskQueue, workflowId: 'durable-timer', args: [2500] });
    const signal = await client.start('waitForSignal', { taskQueue, workflowId: 'durable-signal' });
    const inFlight = await client.start('inFlightActivity', { taskQueue, workflowId: 'durable-activity' });
    await eventually(async () => (await inFlight.describe()).raw.pendingActivities?.[0]?.state === 2, 15_000);
    await eventually(async () => (await timer.fetchHistory()).events?.some((e) => e.timerStartedEventAttributes));
    await eventually(async () => (await signal.query('getValue')) === 'initial');
    // Accepted by the server but never seen by a worker before the crash.
    const unseen = await client.start('withActivity', { taskQueue, workflowId: 'durable-unseen', args: ['late'] });

    await workerA.kill9();
    await first.child.kill9();

    const second = await startServerProcess(dataDir);
    children.push(second.child);
    client = await clientFor(second.address);
    const native = await NativeConnection.connect({ address: second.address });
    cleanup.push(() => native.close());
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await bundle, activities });
    await worker.runUntil(async () => {
      await client.getHandle(signal.workflowId).signal('unblock', 'after restart');
      assert.equal(await client.getHandle(signal.workflowId).result(), 'after restart');
      assert.ok((await client.getHandle(timer.workflowId).result()) >= 2500);
      assert.equal(await client.getHandle(inFlight.workflowId).result(), 'attempt 2');
      assert.equal(await client.getHandle(unseen.workflowId).result(), 'hi late');
    });
    const history = await client.getHandle(inFlight.workflowId).fetchHistory();
    const started = history.events?.find((e) => e.activityTaskStartedEventAttributes);
    assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 2);
  });
});

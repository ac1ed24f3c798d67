import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection, WorkflowClient, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../src/index.js';
import * as activities from './activities.js';
import { eventually, quietRuntime, testBundle } from './helpers.js';
import { fsError, instrumentedFs, tempDir } from './persistence/helpers.js';

interface Session {
  client: WorkflowClient;
  worker: Worker;
  close(): Promise<void>;
}

async function session(server: EmbeddedTemporal, taskQueue: string): Promise<Session> {
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await testBundle(), activities });
  const running = worker.run();
  let closed: Promise<void> | undefined;
  return {
    client: new WorkflowClient({ connection }),
    worker,
    close: () =>
      (closed ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
        await native.close();
        await server.stop();
      })()),
  };
}

test('after failed writes and later successful ones, a restart replays gap-free histories and every acknowledged workflow completes', async (t) => {
  quietRuntime();
  const dataDir = await tempDir(t);
  const taskQueue = `write-failure-${process.pid}`;
  let failEvery = 0;
  let logWrites = 0;
  let failures = 0;
  const { fs } = instrumentedFs({
    beforeWrite(path) {
      if (!path.endsWith('.log') || !failEvery) return;
      if (++logWrites % failEvery === 0) {
        failures += 1;
        throw fsError('ENOSPC');
      }
    },
  });
  const first = await session(await startEmbeddedTemporal({ dataDir, storeFs: fs }), taskQueue);
  t.after(() => first.close());

  // Every third write of the log fails with "disk full" while workflows start, signal and run activities.
  failEvery = 3;
  const options = { taskQueue, workflowTaskTimeout: '2s' };
  const started = await Promise.allSettled([
    ...Array.from({ length: 8 }, (_, i) =>
      first.client.start('withActivity', { ...options, workflowId: `acts-${i}`, args: [`w${i}`] }),
    ),
    ...Array.from({ length: 8 }, (_, i) => first.client.start('waitForSignal', { ...options, workflowId: `sig-${i}` })),
  ]);
  const acknowledged = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const signalled = new Map<string, string>();
  await Promise.all(
    acknowledged
      .filter((h) => h.workflowId.startsWith('sig-'))
      .map(async (h) => {
        try {
          await h.signal('unblock', `value of ${h.workflowId}`);
          signalled.set(h.workflowId, `value of ${h.workflowId}`);
        } catch {
          // Not acknowledged: that workflow is only required to survive, not to have seen the signal.
        }
      }),
  );
  await eventually(() => failures >= 6, 20_000);
  failEvery = 0;
  // Later writes succeed: let some of the work finish on the first server.
  await eventually(
    async () => (await first.client.count(`TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`)).count > 0,
    20_000,
  );
  await first.close();
  assert.ok(acknowledged.length > 0, 'some starts were acknowledged');

  const second = await session(await startEmbeddedTemporal({ dataDir }), taskQueue);
  t.after(() => second.close());
  const handle = (h: WorkflowHandle): WorkflowHandle => second.client.getHandle(h.workflowId);
  for (const h of acknowledged.filter((w) => w.workflowId.startsWith('sig-') && !signalled.has(w.workflowId))) {
    await handle(h).signal('unblock', `value of ${h.workflowId}`);
    signalled.set(h.workflowId, `value of ${h.workflowId}`);
  }
  for (const h of acknowledged) {
    const history = await handle(h).fetchHistory();
    const ids = (history.events ?? []).map((e) => Number(e.eventId));
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
      `${h.workflowId}: event ids run 1..n without a gap`,
    );
  }
  const results = await Promise.all(acknowledged.map((h) => handle(h).result() as Promise<string>));
  acknowledged.forEach((h, i) => {
    const expected = h.workflowId.startsWith('sig-') ? signalled.get(h.workflowId) : `hi w${h.workflowId.slice(5)}`;
    assert.equal(results[i], expected, h.workflowId);
  });
});

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { status } from '@grpc/grpc-js';
import { waitFor } from '@research/testkit';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/engine.js';
import { signalRun } from '../../src/engine/lifecycle.js';
import { startWorkflow } from '../../src/engine/start-workflow.js';
import { RpcError } from '../../src/rpc/errors.js';
import { openFileStore, type StoreFs } from '../../src/persistence/index.js';
import { fsError, instrumentedFs, tempDir } from './helpers.js';

const silent = { info: () => undefined, warn: () => undefined };

async function openEngine(
  t: TestContext,
  dir: string,
  fs?: StoreFs,
): Promise<{ engine: Engine; close(): Promise<void> }> {
  const store = await openFileStore(dir, { fs });
  const engine = createEngine(store, {
    longPollTimeoutMs: 1000,
    taskPollTimeoutMs: 1000,
    eagerActivities: false,
    logger: silent,
  });
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= engine.stop().then(() => store.close()));
  t.after(close);
  await engine.load('default');
  return { engine, close };
}

const startRequest = (workflowId: string): Record<string, unknown> => ({
  namespace: 'default',
  workflowId,
  workflowType: { name: 'waitForSignal' },
  taskQueue: { name: 'write-failure' },
  requestId: `${workflowId}-request`,
  identity: 'test',
});

function signal(engine: Engine, runId: string, name: string): Promise<void> {
  return engine.mutate((tx) => {
    const run = engine.runs.get(runId);
    if (!run) throw new Error(`run ${runId} is not loaded`);
    signalRun(engine, tx, run, { signalName: name, identity: 'test' });
  });
}

/** Holds the next write of the write-ahead log until released, then fails it with ENOSPC. */
function failingLogWrite(): { fs: StoreFs; arm(): { written: Promise<void>; release(): void } } {
  let pending: { reached: () => void; held: Promise<void> } | undefined;
  const { fs } = instrumentedFs({
    async beforeWrite(path) {
      if (!pending || !path.endsWith('.log')) return;
      const { reached, held } = pending;
      pending = undefined;
      reached();
      await held;
      throw fsError('ENOSPC');
    },
  });
  return {
    fs,
    arm() {
      let reached!: () => void;
      let release!: () => void;
      const written = new Promise<void>((resolve) => (reached = resolve));
      const held = new Promise<void>((resolve) => (release = resolve));
      pending = { reached, held };
      return { written, release };
    },
  };
}

test('a failed commit does not leave a gap in the history when a later change to the same run is written', async (t) => {
  const dir = await tempDir(t);
  const faults = failingLogWrite();
  const first = await openEngine(t, dir, faults.fs);
  const { engine } = first;
  const { runId } = await engine.mutate((tx) => startWorkflow(engine, tx, startRequest('gap')));

  const write = faults.arm();
  // `lost` is being written when the disk fills up; `queued` changed the same run in memory meanwhile.
  const lost = signal(engine, runId, 'lost');
  await write.written;
  const queued = signal(engine, runId, 'queued');
  write.release();
  await assert.rejects(lost);
  const queuedAcknowledged = await queued.then(
    () => true,
    (err: unknown) => {
      assert.ok(err instanceof RpcError && err.code === status.UNAVAILABLE, `unexpected error ${String(err)}`);
      return false;
    },
  );
  // Refused (UNAVAILABLE) while the engine reloads what is on disk, then accepted again.
  await waitFor(() => signal(engine, runId, 'after').then(() => true), { timeoutMs: 5000, retryOnError: true });
  await first.close();

  const second = await openEngine(t, dir);
  const run = second.engine.runs.get(runId);
  assert.ok(run, 'the acknowledged run survives the restart');
  const events = run.history.decoded();
  assert.deepEqual(
    events.map((e) => Number(e.eventId)),
    events.map((_, i) => i + 1),
    'event ids run 1..n without a gap',
  );
  const signals = events.flatMap((e) => {
    const name = e.workflowExecutionSignaledEventAttributes?.signalName;
    return name ? [name] : [];
  });
  assert.deepEqual(signals, queuedAcknowledged ? ['queued', 'after'] : ['after']);
});

test('after a failed commit the engine serves what the disk holds: the failed change is gone from memory too', async (t) => {
  const dir = await tempDir(t);
  const faults = failingLogWrite();
  const { engine } = await openEngine(t, dir, faults.fs);
  const { runId } = await engine.mutate((tx) => startWorkflow(engine, tx, startRequest('memory')));
  const lengthBefore = engine.runs.get(runId)?.history.length;

  const write = faults.arm();
  const lost = signal(engine, runId, 'lost');
  await write.written;
  write.release();
  await assert.rejects(lost);
  await waitFor(() => engine.runs.get(runId)?.history.length === lengthBefore || undefined, { timeoutMs: 5000 });
  await signal(engine, runId, 'after');
  const run = engine.runs.get(runId);
  const events = run?.history.decoded();
  assert.deepEqual(
    events?.map((e) => Number(e.eventId)),
    events?.map((_, i) => i + 1),
  );
  assert.equal(run?.history.length, (lengthBefore ?? 0) + 1);
});

test('after a failed fsync the engine refuses every change with UNAVAILABLE instead of running ahead of the disk', async (t) => {
  const dir = await tempDir(t);
  let failSync = false;
  const { fs } = instrumentedFs({
    beforeDatasync(path) {
      if (failSync && path.endsWith('.log')) throw fsError('EIO');
    },
  });
  const { engine } = await openEngine(t, dir, fs);
  const { runId } = await engine.mutate((tx) => startWorkflow(engine, tx, startRequest('fatal')));
  failSync = true;
  await assert.rejects(signal(engine, runId, 'unsynced'));
  failSync = false;
  await assert.rejects(
    signal(engine, runId, 'later'),
    (err: unknown) => err instanceof RpcError && err.code === status.UNAVAILABLE && /restart/.test(err.message),
  );
});

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import {
  Connection,
  WorkflowClient,
  WorkflowFailedError,
  TerminatedFailure,
  type WorkflowHandle,
} from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../src/index.js';
import { openFileStore } from '../src/persistence/index.js';
import { eventually } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

async function serve(dataDir?: string): Promise<{ server: EmbeddedTemporal; connection: Connection }> {
  const server = await startEmbeddedTemporal({ port: 0, dataDir });
  const connection = await Connection.connect({ address: server.address });
  cleanup.push(
    () => server.stop(),
    () => connection.close(),
  );
  return { server, connection };
}

/** A namespace with the given retention and a client bound to it. */
async function namespaceWithRetention(
  connection: Connection,
  namespace: string,
  seconds: number,
): Promise<WorkflowClient> {
  await connection.workflowService.registerNamespace({
    namespace,
    workflowExecutionRetentionPeriod: msToTs(`${seconds}s`),
  });
  return new WorkflowClient({ connection, namespace });
}

/** Starts a workflow no worker will ever run (nothing here needs one) and terminates it. */
async function closedRun(client: WorkflowClient, workflowId: string): Promise<WorkflowHandle> {
  const handle = await client.start('neverPolled', { taskQueue: 'no-worker', workflowId });
  await handle.terminate('done with it');
  return handle;
}

const isNotFound = (err: { code?: number }): boolean => err.code === status.NOT_FOUND;

/** Whether describing the handle's run answers NOT_FOUND (and nothing else goes wrong). */
async function isGone(handle: WorkflowHandle): Promise<boolean> {
  try {
    await handle.describe();
    return false;
  } catch (err) {
    if (err instanceof Error && err.name === 'WorkflowNotFoundError') return true;
    throw err;
  }
}

describe('retention and deletion', () => {
  it('deletes a closed run once its namespace retention runs out, leaving running runs alone', async () => {
    const { connection } = await serve();
    const client = await namespaceWithRetention(connection, 'short-lived', 1);
    const closed = await closedRun(client, 'retained-briefly');
    const running = await client.start('neverPolled', { taskQueue: 'no-worker', workflowId: 'still-running' });
    const closedHandle = client.getHandle(closed.workflowId, (await closed.describe()).runId);
    assert.equal((await closedHandle.describe()).status.name, 'TERMINATED');

    await eventually(() => isGone(closedHandle), 5_000);
    await assert.rejects(closedHandle.fetchHistory(), isNotFound);
    const listed = [];
    for await (const w of client.list()) listed.push(w.workflowId);
    assert.deepEqual(listed, ['still-running']);
    assert.equal((await running.describe()).status.name, 'RUNNING');
    // The id is free again, as after retention on a real cluster.
    const again = await client.start('neverPolled', { taskQueue: 'no-worker', workflowId: closed.workflowId });
    assert.equal((await again.describe()).status.name, 'RUNNING');
  });

  it('applies a retention shortened by UpdateNamespace to runs that closed before', async () => {
    const { connection } = await serve();
    const client = await namespaceWithRetention(connection, 'shortened', 3600);
    const closed = await closedRun(client, 'closed-before-update');
    const updated = await connection.workflowService.updateNamespace({
      namespace: 'shortened',
      config: { workflowExecutionRetentionTtl: msToTs('1s') },
      updateInfo: { description: 'short retention' },
    });
    assert.equal(Number(updated.config?.workflowExecutionRetentionTtl?.seconds), 1);
    const described = await connection.workflowService.describeNamespace({ namespace: 'shortened' });
    assert.equal(described.namespaceInfo?.description, 'short retention');
    assert.equal(Number(described.config?.workflowExecutionRetentionTtl?.seconds), 1);
    await eventually(() => isGone(closed), 5_000);
  });

  it('DeleteWorkflowExecution terminates a running workflow, then removes it', async () => {
    const { connection } = await serve();
    const client = new WorkflowClient({ connection });
    const handle = await client.start('neverPolled', { taskQueue: 'no-worker', workflowId: 'delete-me' });
    const result = handle.result();
    result.catch(() => undefined);

    await connection.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: 'delete-me' },
    });

    // A caller already waiting for the result learns that the run was terminated, with the reason Temporal writes.
    await assert.rejects(result, (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof TerminatedFailure);
      assert.equal(err.cause.message, 'Delete workflow execution');
      return true;
    });
    assert.ok(await isGone(handle));
    await assert.rejects(
      connection.workflowService.deleteWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: 'delete-me' },
      }),
      isNotFound,
    );
  });

  it('DeleteWorkflowExecution of a closed run removes only that run', async () => {
    const { connection } = await serve();
    const client = new WorkflowClient({ connection });
    const first = await closedRun(client, 'two-runs');
    const firstRunId = (await first.describe()).runId;
    const second = await client.start('neverPolled', { taskQueue: 'no-worker', workflowId: 'two-runs' });

    await connection.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: 'two-runs', runId: firstRunId },
    });
    assert.ok(await isGone(client.getHandle('two-runs', firstRunId)));
    assert.equal((await second.describe()).status.name, 'RUNNING');
    assert.equal((await client.getHandle('two-runs').describe()).runId, second.firstExecutionRunId);
  });

  it('deletes, at start-up, runs whose retention ran out while the server was down, and the deletion is durable', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-temporal-retention-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await serve(dataDir);
    const client = await namespaceWithRetention(first.connection, 'restarted', 1);
    const closed = await closedRun(client, 'expires-while-down');
    const runId = (await closed.describe()).runId;
    await first.connection.close();
    await first.server.stop();

    await new Promise((r) => setTimeout(r, 1200));
    const second = await serve(dataDir);
    const secondClient = new WorkflowClient({ connection: second.connection, namespace: 'restarted' });
    await eventually(() => isGone(secondClient.getHandle('expires-while-down', runId)), 5_000);
    await second.connection.close();
    await second.server.stop();

    const store = await openFileStore(dataDir);
    try {
      const state = await store.load();
      assert.equal(state.values.has(`run/${runId}`), false);
      assert.equal(state.logs.has(`hist/${runId}`), false);
    } finally {
      await store.close();
    }
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openFileStore, StoreWriteError } from '../../src/persistence/index.js';
import { fsError, instrumentedFs, tempDir } from './helpers.js';

test('a failed write rejects every commit of its batch and later commits still succeed', async (t) => {
  const dir = await tempDir(t);
  let failNext = false;
  let release: (() => void) | undefined;
  let started: (() => void) | undefined;
  const firstSyncStarted = new Promise<void>((resolve) => (started = resolve));
  let holdSync = false;
  const { fs } = instrumentedFs({
    beforeWrite(path) {
      if (failNext && path.endsWith('.log')) {
        failNext = false;
        throw fsError('ENOSPC');
      }
    },
    async beforeDatasync() {
      if (!holdSync) return;
      holdSync = false;
      await new Promise<void>((resolve) => {
        release = resolve;
        started?.();
      });
    },
  });
  const store = await openFileStore(dir, { fs });
  t.after(() => store.close());
  holdSync = true;
  const ok = store.commit({ put: [['before', 1]] });
  await firstSyncStarted;
  // These three form the next batch, whose write fails with "disk full".
  failNext = true;
  const doomed = [1, 2, 3].map((i) => store.commit({ put: [[`doomed${i}`, i]] }));
  release?.();
  await ok;
  for (const p of doomed) {
    await assert.rejects(
      p,
      (err: unknown) => err instanceof StoreWriteError && !err.fatal && /ENOSPC/.test(err.message),
    );
  }
  await store.commit({ put: [['after', 2]] });
  await store.close();

  const reopened = await openFileStore(dir);
  t.after(() => reopened.close());
  assert.deepEqual([...(await reopened.load()).values].sort(), [
    ['after', 2],
    ['before', 1],
  ]);
});

test('a failed fsync rejects the batch and every later commit, since the file can no longer be trusted', async (t) => {
  const dir = await tempDir(t);
  let failSync = false;
  const { fs } = instrumentedFs({
    beforeDatasync(path) {
      if (failSync && path.endsWith('.log')) throw fsError('EIO');
    },
  });
  const store = await openFileStore(dir, { fs });
  t.after(() => store.close());
  await store.commit({ put: [['durable', 1]] });
  failSync = true;
  const batch = await Promise.allSettled([store.commit({ put: [['x', 1]] }), store.commit({ put: [['y', 1]] })]);
  assert.deepEqual(
    batch.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  failSync = false;
  await assert.rejects(
    store.commit({ put: [['z', 1]] }),
    (err: unknown) => err instanceof StoreWriteError && err.fatal,
  );
  await store.close();

  const reopened = await openFileStore(dir);
  t.after(() => reopened.close());
  assert.equal((await reopened.load()).values.get('durable'), 1);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openFileStore } from '../../src/persistence/index.js';
import { instrumentedFs, tempDir } from './helpers.js';

test('concurrent commits share write+fsync cycles', async (t) => {
  const dir = await tempDir(t);
  const store = await openFileStore(dir);
  t.after(() => store.close());
  const before = store.stats();
  const n = 64;
  await Promise.all(Array.from({ length: n }, (_, i) => store.commit({ put: [[`k${i}`, i]] })));
  const after = store.stats();
  assert.equal(after.commits - before.commits, n);
  assert.ok(after.syncs - before.syncs < n / 4, `syncs for ${n} commits: ${after.syncs - before.syncs}`);
});

test('commits arriving during a sync are written together in the next single write+sync', async (t) => {
  const dir = await tempDir(t);
  let release: (() => void) | undefined;
  let holding: (() => void) | undefined;
  const held = new Promise<void>((resolve) => (holding = resolve));
  let armed = false;
  const { fs, counts } = instrumentedFs({
    async beforeDatasync(path) {
      if (!path.endsWith('.log') || release !== undefined || !armed) return;
      await new Promise<void>((resolve) => {
        release = resolve;
        holding?.();
      });
    },
  });
  const store = await openFileStore(dir, { fs });
  t.after(() => store.close());
  armed = true;
  const syncsBefore = counts.datasyncs;
  const writesBefore = counts.writes;
  const first = store.commit({ put: [['first', 1]] });
  await held;
  // The first commit's sync is in flight; these all queue behind it.
  const rest = Array.from({ length: 10 }, (_, i) => store.commit({ put: [[`k${i}`, i]] }));
  release?.();
  await Promise.all([first, ...rest]);
  assert.equal(counts.datasyncs - syncsBefore, 2);
  assert.equal(counts.writes - writesBefore, 2);
  assert.equal(store.stats().syncs, 2);
});

import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openFileStore } from '../../src/persistence/index.js';
import { bytes, tempDir, text } from './helpers.js';

const walFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.startsWith('wal-'));

/** A workload touching values, deletes, log appends and drops, so compaction has every kind of state. */
async function workload(store: { commit: (tx: object) => Promise<void> }, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await store.commit({
      put: [
        [`wf/${i}`, { i, padding: 'x'.repeat(200) }],
        ...(i % 5 === 0 && i > 0 ? [[`wf/${i - 1}`, null] as const] : []),
      ],
      append: [[`history/${i % 10}`, [bytes(`event-${i}`)]]],
      ...(i % 50 === 49 ? { dropLogs: [`history/${(i + 1) % 10}`] } : {}),
    });
  }
}

/** What {@link workload} leaves, computed without a store. */
function expected(rounds: number): { values: string[]; logs: Map<string, string[]> } {
  const values = new Set<string>();
  const logs = new Map<string, string[]>();
  for (let i = 0; i < rounds; i++) {
    values.add(`wf/${i}`);
    if (i % 5 === 0 && i > 0) values.delete(`wf/${i - 1}`);
    const key = `history/${i % 10}`;
    logs.set(key, [...(logs.get(key) ?? []), `event-${i}`]);
    if (i % 50 === 49) logs.delete(`history/${(i + 1) % 10}`);
  }
  return { values: [...values].sort(), logs };
}

test('background compaction keeps the full state and removes sealed logs', async (t) => {
  const dir = await tempDir(t);
  const store = await openFileStore(dir, { compactionThresholdBytes: 16 * 1024 });
  t.after(() => store.close());
  await workload(store, 400);
  await store.compact();
  const stats = store.stats();
  assert.ok(stats.rotations >= 3, `rotations: ${stats.rotations}`);
  assert.ok(stats.compactions >= 1, `compactions: ${stats.compactions}`);
  assert.deepEqual(await walFiles(dir), [`wal-${String(stats.generation).padStart(10, '0')}.log`]);
  await store.close();

  const reopened = await openFileStore(dir, { compactOnOpen: false });
  t.after(() => reopened.close());
  const state = await reopened.load();
  const want = expected(400);
  assert.deepEqual([...state.values.keys()].sort(), want.values);
  assert.deepEqual(state.values.get('wf/399'), { i: 399, padding: 'x'.repeat(200) });
  assert.deepEqual(new Map([...state.logs].map(([k, v]) => [k, v.map((e) => text(e)!)])), want.logs);
});

test('opening folds the logs into a snapshot and starts an empty log', async (t) => {
  const dir = await tempDir(t);
  const first = await openFileStore(dir);
  await workload(first, 60);
  await first.close();
  const second = await openFileStore(dir);
  t.after(() => second.close());
  assert.ok((await readdir(dir)).includes('snapshot.bin'));
  assert.equal((await walFiles(dir)).length, 1);
  const state = await second.load();
  assert.deepEqual([...state.values.keys()].sort(), expected(60).values);
});

test('a second load() rebuilds the same state from disk while commits continue', async (t) => {
  const dir = await tempDir(t);
  const store = await openFileStore(dir, { compactionThresholdBytes: 8 * 1024 });
  t.after(() => store.close());
  await store.load();
  await workload(store, 150);
  const state = await store.load();
  assert.deepEqual([...state.values.keys()].sort(), expected(150).values);
});

test('leftovers of a compaction interrupted by a crash are ignored or cleaned up', async (t) => {
  const dir = await tempDir(t);
  const first = await openFileStore(dir);
  await workload(first, 30);
  await first.close();
  // A crash while writing the next snapshot leaves a partial temporary file.
  await writeFile(join(dir, 'snapshot.tmp'), Buffer.from('partial'));
  const second = await openFileStore(dir);
  t.after(() => second.close());
  assert.deepEqual([...(await second.load()).values.keys()].sort(), expected(30).values);
  assert.equal((await readdir(dir)).includes('snapshot.tmp'), false);
});

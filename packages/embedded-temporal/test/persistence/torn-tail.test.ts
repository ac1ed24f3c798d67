import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openFileStore, type FileStoreOptions } from '../../src/persistence/index.js';
import { bytes, tempDir, text } from './helpers.js';

/** Commits three transactions into a fresh directory; returns it and the path of its single log. */
async function threeCommits(t: TestContext): Promise<{ dir: string; log: string }> {
  const dir = await tempDir(t);
  const store = await openFileStore(dir);
  for (const id of ['a', 'b', 'c']) await store.commit({ put: [[id, { id }]], append: [['events', [bytes(id)]]] });
  await store.close();
  const logs = (await readdir(dir)).filter((f) => f.startsWith('wal-'));
  assert.equal(logs.length, 1);
  return { dir, log: join(dir, logs[0]!) };
}

async function reopen(t: TestContext, dir: string, options: FileStoreOptions = {}) {
  const warnings: string[] = [];
  const store = await openFileStore(dir, { onWarning: (m) => warnings.push(m), ...options });
  t.after(() => store.close());
  return { store, state: await store.load(), warnings };
}

test('a log cut short inside its last record loses only that record', async (t) => {
  const { dir, log } = await threeCommits(t);
  await truncate(log, (await stat(log)).size - 3);
  const { store, state, warnings } = await reopen(t, dir);
  assert.deepEqual([...state.values.keys()], ['a', 'b']);
  assert.deepEqual(state.logs.get('events')?.map(text), ['a', 'b']);
  assert.match(warnings.join('\n'), /discarding \d+ bytes of torn write/);
  // The repaired store keeps working and the next start-up sees the new commit after the old ones.
  await store.commit({ put: [['d', { id: 'd' }]], append: [['events', [bytes('d')]]] });
  await store.close();
  const again = await reopen(t, dir);
  assert.deepEqual(again.state.logs.get('events')?.map(text), ['a', 'b', 'd']);
  assert.deepEqual(again.warnings, []);
});

test('garbage appended after the last record is discarded and earlier records are intact', async (t) => {
  const { dir, log } = await threeCommits(t);
  await appendFile(log, Buffer.from([0x17, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));
  const { state, warnings } = await reopen(t, dir);
  assert.deepEqual(state.logs.get('events')?.map(text), ['a', 'b', 'c']);
  assert.equal(warnings.length, 1);
});

test('a zero-filled tail, as a crash can leave after the file grew, is not read as records', async (t) => {
  const { dir, log } = await threeCommits(t);
  await appendFile(log, Buffer.alloc(4096));
  const { state, warnings } = await reopen(t, dir, { compactOnOpen: false });
  assert.deepEqual(state.logs.get('events')?.map(text), ['a', 'b', 'c']);
  assert.equal(warnings.length, 1);
  assert.equal((await stat(log)).size < 4096, true, 'the tail was truncated');
});

test('a flipped bit in the last record fails its CRC and only that record is dropped', async (t) => {
  const { dir, log } = await threeCommits(t);
  const data = await readFile(log);
  data[data.length - 2] = data[data.length - 2]! ^ 0x01;
  await writeFile(log, data);
  const { state } = await reopen(t, dir);
  assert.deepEqual(state.logs.get('events')?.map(text), ['a', 'b']);
});

test('a log whose header never became durable is replaced by an empty one', async (t) => {
  const { dir, log } = await threeCommits(t);
  await truncate(log, 5);
  const { store, state } = await reopen(t, dir, { compactOnOpen: false });
  assert.equal(state.values.size, 0);
  await store.commit({ put: [['after', true]] });
  await store.close();
  assert.deepEqual([...(await reopen(t, dir)).state.values], [['after', true]]);
});

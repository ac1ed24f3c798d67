import assert from 'node:assert/strict';
import { test } from 'node:test';
import { merge } from '../../src/engine/commit-pipeline.js';
import { createMemoryStore } from '../../src/persistence/index.js';
import { bytes, text } from './helpers.js';

test('changes merged into one commit leave the store as committing them one by one would', async () => {
  const changes = [
    { put: [['run/a', { v: 1 }]] as const, append: [['hist/a', [bytes('a1')]]] as const },
    { put: [['run/a', { v: 2 }]] as const, append: [['hist/b', [bytes('b1')]]] as const },
    // Deleting run a: its log goes, with the events appended to it earlier in the batch.
    { put: [['run/a', null]] as const, dropLogs: ['hist/a'], append: [['hist/b', [bytes('b2')]]] as const },
  ];
  const oneByOne = createMemoryStore();
  for (const change of changes) await oneByOne.commit(change);
  const merged = createMemoryStore();
  await merged.commit(merge(changes));
  const [a, b] = [await oneByOne.load(), await merged.load()];
  assert.deepEqual([...b.values], [...a.values]);
  assert.deepEqual([...b.logs.keys()], ['hist/b']);
  assert.deepEqual(b.logs.get('hist/b')?.map(text), a.logs.get('hist/b')?.map(text));
});

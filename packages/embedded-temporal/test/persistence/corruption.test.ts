// Damage no torn write can explain — a bad snapshot, an unreadable log header in front of intact records — and a
// snapshot that cannot be written: each ends in a refusal or an error, never in a store that opens with less.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openFileStore, StoreCorruptionError } from '../../src/persistence/index.js';
import { bytes, fsError, instrumentedFs, tempDir, text } from './helpers.js';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Three commits, then a reopen that folds them into `snapshot.bin`. */
async function withSnapshot(t: TestContext): Promise<string> {
  const dir = await tempDir(t);
  const first = await openFileStore(dir);
  for (const id of ['a', 'b', 'c']) await first.commit({ put: [[id, { id }]], append: [['events', [bytes(id)]]] });
  await first.close();
  await (await openFileStore(dir)).close();
  assert.ok((await readdir(dir)).includes('snapshot.bin'));
  return dir;
}

/** Three commits in a single log, never compacted. */
async function withLog(t: TestContext): Promise<{ dir: string; log: string }> {
  const dir = await tempDir(t);
  const store = await openFileStore(dir, { compactOnOpen: false });
  for (const id of ['a', 'b', 'c']) await store.commit({ put: [[id, { id }]], append: [['events', [bytes(id)]]] });
  await store.close();
  const logs = (await readdir(dir)).filter((f) => f.startsWith('wal-'));
  assert.equal(logs.length, 1);
  return { dir, log: join(dir, logs[0]!) };
}

async function flipByte(path: string, offset: (size: number) => number): Promise<void> {
  const data = await readFile(path);
  const at = offset(data.length);
  data[at] = data[at]! ^ 0xff;
  await writeFile(path, data);
}

/** Runs the embedded server's CLI on `dir` and returns its exit code and output once it exits. */
async function runCli(dir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--data-dir', dir], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

test('a damaged snapshot makes opening fail with StoreCorruptionError and leaves the directory as it was', async (t) => {
  const dir = await withSnapshot(t);
  const snapshot = join(dir, 'snapshot.bin');
  await flipByte(snapshot, (size) => Math.floor(size / 2));
  const before = (await readdir(dir)).sort();
  await assert.rejects(openFileStore(dir), (err: unknown) => {
    assert.ok(err instanceof StoreCorruptionError, String(err));
    assert.equal(err.file, snapshot);
    assert.match(err.message, /snapshot\.bin is corrupt: damaged record at offset \d+/);
    return true;
  });
  assert.deepEqual((await readdir(dir)).sort(), before, 'nothing was deleted or rewritten');
});

test('the server CLI refuses to start on a damaged snapshot: exit 1, naming the file', async (t) => {
  const dir = await withSnapshot(t);
  await writeFile(join(dir, 'snapshot.bin'), Buffer.from('not a snapshot at all, just garbage bytes'));
  const { code, output } = await runCli(dir);
  assert.equal(code, 1, output);
  assert.match(output, /failed to start: StoreCorruptionError: store file .*snapshot\.bin is corrupt/);
  assert.doesNotMatch(output, /ready: gRPC on/);
});

test('a damaged header in front of intact records is corruption, not a torn write: opening fails and keeps the log', async (t) => {
  const { dir, log } = await withLog(t);
  const size = (await readFile(log)).length;
  // Byte 8 is the first payload byte of the header frame (after its length and CRC).
  await flipByte(log, () => 8);
  await assert.rejects(openFileStore(dir), (err: unknown) => {
    assert.ok(err instanceof StoreCorruptionError, String(err));
    assert.match(err.message, /damaged log header followed by intact records/);
    return true;
  });
  assert.equal((await readFile(log)).length, size, 'the log was not truncated');
  const { code, output } = await runCli(dir);
  assert.equal(code, 1, output);
  assert.match(output, /failed to start: StoreCorruptionError: .*damaged log header/);
});

test('a snapshot write that fails during compaction rejects compact(), keeps the store working and loses nothing', async (t) => {
  const dir = await tempDir(t);
  let failSnapshot = true;
  const { fs } = instrumentedFs({
    beforeWrite: (path) => {
      if (failSnapshot && path.endsWith('snapshot.tmp')) throw fsError('ENOSPC');
    },
  });
  const warnings: string[] = [];
  const store = await openFileStore(dir, { fs, onWarning: (m) => warnings.push(m) });
  for (const id of ['a', 'b']) await store.commit({ put: [[id, { id }]], append: [['events', [bytes(id)]]] });
  await assert.rejects(store.compact(), (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOSPC');
  await store.commit({ put: [['c', { id: 'c' }]], append: [['events', [bytes('c')]]] });
  assert.equal(store.stats().compactions, 0);
  await store.close();
  assert.equal((await readdir(dir)).includes('snapshot.bin'), false, 'no partial snapshot took the old one’s place');

  // Opening compacts too: with the disk still full it refuses to start rather than drop the logs.
  await assert.rejects(openFileStore(dir, { fs }), (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOSPC');
  failSnapshot = false;
  const reopened = await openFileStore(dir, { fs });
  t.after(() => reopened.close());
  const state = await reopened.load();
  assert.deepEqual([...state.values.keys()].sort(), ['a', 'b', 'c']);
  assert.deepEqual(state.logs.get('events')?.map(text), ['a', 'b', 'c']);
});

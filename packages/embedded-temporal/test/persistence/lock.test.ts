import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openFileStore, StoreLockedError } from '../../src/persistence/index.js';
import { startChild } from './child-process.js';
import { tempDir } from './helpers.js';

test('refuses a directory another live process has open, naming the process', async (t) => {
  const dir = await tempDir(t);
  const holder = startChild(t, ['hold', dir]);
  await holder.waitFor((lines) => lines.includes('ready'));
  await assert.rejects(
    openFileStore(dir),
    (err: unknown) =>
      err instanceof StoreLockedError &&
      err.holderPid === holder.process.pid &&
      err.message.includes(`process ${holder.process.pid} is running`),
  );
  // Once the holder closes its store cleanly, the directory is free.
  holder.process.stdin.end();
  await new Promise((resolve) => holder.process.once('exit', resolve));
  const store = await openFileStore(dir);
  await store.close();
});

test('refuses a second store on the same directory in the same process until the first closes', async (t) => {
  const dir = await tempDir(t);
  const first = await openFileStore(dir);
  t.after(() => first.close());
  await assert.rejects(openFileStore(dir), StoreLockedError);
  await first.close();
  const second = await openFileStore(dir);
  await second.close();
});

test('takes over the lock of a process that died without releasing it', async (t) => {
  const dir = await tempDir(t);
  const child = startChild(t, ['hold', dir]);
  await child.waitFor((lines) => lines.includes('ready'));
  const lock = JSON.parse(await readFile(join(dir, 'LOCK'), 'utf8')) as { pid: number };
  assert.equal(lock.pid, child.process.pid);
  await child.kill('SIGKILL');
  const store = await openFileStore(dir);
  await store.close();
});

test('treats an unreadable lock file as stale', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'LOCK'), 'not json');
  const store = await openFileStore(dir);
  await store.close();
});

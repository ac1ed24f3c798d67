import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProcessGroup } from '@research/testkit';
import { DirectoryLockedError } from '../src/directory-lock.js';
import { openResultStore } from '../src/result-store.js';

const holder = fileURLToPath(new URL('./hold-results-db.ts', import.meta.url));

describe('embedded results database lock', { timeout: 120_000 }, () => {
  test('a second process cannot open a PGlite directory in use and is told to use DATABASE_URL', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'results-lock-'));
    const processes = new ProcessGroup();
    t.after(async () => {
      await processes.stopAll();
      await rm(dataDir, { recursive: true, force: true });
    });
    const first = processes.start({ name: 'first', entry: holder, args: [dataDir] });
    await first.waitForOutput(/holding the results database/, 60_000);
    const second = processes.start({ name: 'second', entry: holder, args: [dataDir] });
    const outcome = await Promise.race([
      second.exited,
      second.waitForOutput(/holding the results database/, 60_000).then(() => 'opened it too'),
    ]);
    assert.deepEqual(outcome, { code: 3, signal: null }, second.output);
    assert.match(second.output, /DirectoryLockedError: .*in use \(process \d+ has it open\).*set DATABASE_URL/);
    assert.equal(first.running, true);

    // Released on close: after a graceful stop the directory opens again.
    assert.deepEqual(await first.stop(30_000), { code: 0, signal: null });
    const store = await openResultStore({ dataDir });
    await store.close();
  });

  test('a lock left by a SIGKILLed process is taken over at once', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'results-lock-'));
    const processes = new ProcessGroup();
    t.after(async () => {
      await processes.stopAll();
      await rm(dataDir, { recursive: true, force: true });
    });
    const crashed = processes.start({ name: 'crashed', entry: holder, args: [dataDir] });
    await crashed.waitForOutput(/holding the results database/, 60_000);
    await crashed.kill('SIGKILL');
    const store = await openResultStore({ dataDir });
    t.after(() => store.close());
    assert.equal(await store.count(), 0);
  });

  test('the same directory cannot be opened twice in one process; close releases it', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'results-lock-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const store = await openResultStore({ dataDir });
    await assert.rejects(openResultStore({ dataDir }), DirectoryLockedError);
    await store.close();
    const again = await openResultStore({ dataDir });
    await again.close();
  });
});

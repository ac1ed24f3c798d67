import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ManagedProcess } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';

// PGlite takes no cross-process lock; two workers on one DATA_DIR would both write the same database files.
describe('two workers on one embedded database', { timeout: 240_000 }, () => {
  let env: StackWithFakes;
  let first: ManagedProcess;
  before(async () => {
    // PGlite whatever TEST_DATABASE_URL says: the lock is what is under test.
    env = await startStackWithFakes({ env: { worker: { DATABASE_URL: '' } } });
  });
  after(() => env?.close());

  test('the second worker stops at start-up saying to use DATABASE_URL; the first keeps running', async () => {
    const { stack } = env;
    first = stack.worker!;
    await assert.rejects(stack.startWorker(), /exited \(code 1\) before printing/);
    const second = stack.worker!;
    assert.match(second.output, /embedded results database .* is in use .*set DATABASE_URL to a PostgreSQL database/);
    assert.equal(first.running, true);
  });

  test('a worker restarted after the previous one was SIGKILLed starts: the stale lock does not block it', async () => {
    const { stack } = env;
    await first.kill('SIGKILL');
    await stack.startWorker();
    assert.equal(stack.worker?.running, true);
  });
});

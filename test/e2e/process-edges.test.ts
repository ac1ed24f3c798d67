// The edges of the two processes' lives, on the real binaries: the API finishing requests in flight while it
// closes (and refusing new ones with 503), the worker's second signal, its connect timeout, and a worker whose
// creation fails after it opened the result store and the connection.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { findFreePort, type ManagedProcess } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { defaultAuthorization, request } from '../support/stack.js';

const WORKER_ENTRY = fileURLToPath(new URL('../../apps/worker/src/main.ts', import.meta.url));
/** The API's query deadline here; the server gives up a second before it, so a GET with no worker takes ~2 s. */
const QUERY_TIMEOUT_MS = 3_000;

/** Waits for the exit, failing with the output when it does not come within `timeoutMs`. */
async function exitOf(process: ManagedProcess, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${process.name} still running after ${timeoutMs} ms\n${process.tail()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([process.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('process edges', () => {
  let f: StackWithFakes;
  before(
    async () => {
      f = await startStackWithFakes({
        // At debug the API logs each request as it arrives ("incoming request"), the sign that one is in flight.
        env: { api: { TEMPORAL_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS), LOG_LEVEL: 'debug' } },
      });
    },
    { timeout: 180_000 },
  );
  after(() => f?.close());

  /** A worker process outside the Stack's bookkeeping, with its own data directory. */
  function startLoneWorker(name: string, env: Record<string, string>): ManagedProcess {
    return f.stack.processes.start({
      name,
      entry: WORKER_ENTRY,
      env: {
        OPENAI_API_KEY: 'test-key',
        OPENAI_BASE_URL: f.llm.url,
        DATA_DIR: join(f.stack.dataDir, name),
        DATABASE_URL: undefined,
        LOG_LEVEL: 'info',
        ...env,
      },
    });
  }

  test('a second SIGINT while the worker waits for a running activity exits 1 at once', async () => {
    const { stack, llm, site } = f;
    await stack.worker!.stop(30_000);
    // A grace time far longer than the test's bound: only the second signal can end the process in time.
    const worker = await stack.startWorker({ WORKER_SHUTDOWN_GRACE_TIME: '2m' });
    llm.reset();
    llm.script({ kind: 'hang' });
    site.route('/second-signal', { headers: { 'content-type': 'text/html' }, body: '<p>second signal</p>' });
    const started = await request(stack.apiUrl, 'POST', '/research', {
      body: { topic: 'second signal', sourceUrl: `${site.url}/second-signal` },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    await llm.waitForCalls(1, 30_000);

    process.kill(worker.pid!, 'SIGINT');
    await worker.waitForOutput(/Shutting down/, 10_000);
    const signalledAt = Date.now();
    process.kill(worker.pid!, 'SIGINT');
    const exit = await exitOf(worker, 10_000);
    assert.deepEqual(exit, { code: 1, signal: null }, worker.tail());
    assert.ok(Date.now() - signalledAt < 5_000, `exited ${Date.now() - signalledAt} ms after the second signal`);
    assert.match(worker.output, /Second signal: exiting without waiting for running activities/);
    llm.reset();
  });

  test('a worker that cannot reach Temporal within TEMPORAL_CONNECT_TIMEOUT exits 1, saying so', async () => {
    const worker = startLoneWorker('worker-unreachable', {
      TEMPORAL_ADDRESS: `127.0.0.1:${await findFreePort()}`,
      TEMPORAL_CONNECT_TIMEOUT: '2s',
    });
    const exit = await exitOf(worker, 60_000);
    assert.deepEqual(exit, { code: 1, signal: null }, worker.tail());
    assert.match(worker.output, /Temporal server not reachable yet/);
    assert.match(worker.output, /Worker failed/);
    assert.doesNotMatch(worker.output, /Worker started/);
  });

  test('a worker whose creation fails after connecting and opening the store releases both and exits 1', async () => {
    const { stack } = f;
    const bundle = join(stack.dataDir, 'broken-bundle.js');
    await writeFile(bundle, 'this is not a workflow bundle {');
    const worker = startLoneWorker('worker-broken-bundle', {
      TEMPORAL_ADDRESS: stack.temporalAddress,
      WORKFLOW_BUNDLE_PATH: bundle,
    });
    // main.ts only sets the exit code, so the process ends once nothing holds it open; a connection or database
    // left open keeps it alive for many seconds after the failure is logged (the log comes after the release).
    await worker.waitForOutput(/Worker failed/, 60_000);
    const failedAt = Date.now();
    const exit = await exitOf(worker, 60_000);
    assert.deepEqual(exit, { code: 1, signal: null }, worker.tail());
    assert.ok(Date.now() - failedAt < 5_000, `exited ${Date.now() - failedAt} ms after logging the failure`);
    assert.match(worker.output, /Result store ready/);
    assert.match(worker.output, /Worker failed/);
    assert.doesNotMatch(worker.output, /Worker started/);
  });

  test('on SIGTERM the API finishes the request in flight, answers 503 to one arriving meanwhile, and exits 0', async () => {
    const { stack, site } = f;
    // No worker runs now, so the state query of this workflow waits until its deadline: a request that takes seconds.
    const started = await request(stack.apiUrl, 'POST', '/research', {
      body: { topic: 'slow read', sourceUrl: `${site.url}/article` },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const path = `/workflows/${started.body.workflowId as string}`;
    const api = stack.api!;

    const socket = connect(stack.apiPort, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const closed = once(socket, 'close');
    const credentials = Object.entries(defaultAuthorization(stack.apiUrl)).map(
      ([name, value]) => `${name}: ${value}\r\n`,
    );
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${credentials.join('')}\r\n`);
    await api.waitForOutput(new RegExp(`"url":"${path}"`), 10_000);

    process.kill(api.pid!, 'SIGTERM');
    await api.waitForOutput(/shutting down/, 10_000);
    // The same connection, so it reaches the closing server rather than a closed listener.
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await closed;

    const answers = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    assert.deepEqual(answers, [200, 503], received);
    assert.match(received.slice(received.lastIndexOf('HTTP/1.1')), /"code":"SHUTTING_DOWN"/);
    assert.match(received, /"stage":"queued"/, 'the request in flight got its full answer');
    const exit = await exitOf(api, 15_000);
    assert.deepEqual(exit, { code: 0, signal: null }, api.tail());
  });
});

// The polling helper the end-to-end and fault suites wait with: an answer other than 200 fails the test unless
// the test names it as expected, so a 500 during recovery cannot pass as "not yet".
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { findFreePort } from '@research/testkit';
import { waitForWorkflow } from './stack.js';

/** An API stand-in answering `answers` in turn (the last one repeats). */
async function scriptedApi(answers: { status: number; body: unknown }[]) {
  let calls = 0;
  const http = createServer((_req, res) => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const server = {
    origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () => {
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return { server, calls: () => calls };
}

test('a 500 while polling fails at once with the status and body', async (t) => {
  const { server, calls } = await scriptedApi([
    { status: 200, body: { stage: 'fetching' } },
    { status: 500, body: { code: 'INTERNAL_ERROR' } },
    { status: 200, body: { stage: 'awaiting_approval' } },
  ]);
  t.after(() => server.close());
  await assert.rejects(
    waitForWorkflow(server.origin, 'wf', (w: { stage: string }) => w.stage === 'awaiting_approval', {
      timeoutMs: 10_000,
    }),
    /answered 500 \{"code":"INTERNAL_ERROR"\}/,
  );
  assert.equal(calls(), 2, 'no poll after the 500');
});

test('a status the test tolerates is waited out, and others still fail', async (t) => {
  const { server } = await scriptedApi([
    { status: 503, body: { code: 'TEMPORAL_UNAVAILABLE' } },
    { status: 200, body: { stage: 'awaiting_approval' } },
  ]);
  t.after(() => server.close());
  const view = await waitForWorkflow(server.origin, 'wf', (w: { stage: string }) => w.stage === 'awaiting_approval', {
    tolerate: { statuses: [503] },
  });
  assert.equal(view.stage, 'awaiting_approval');
  const { server: failing } = await scriptedApi([{ status: 404, body: {} }]);
  t.after(() => failing.close());
  await assert.rejects(
    waitForWorkflow(failing.origin, 'wf', () => true, { tolerate: { statuses: [503] } }),
    /answered 404/,
  );
});

test('a refused connection fails at once unless the test expects a restart', async () => {
  const origin = `http://127.0.0.1:${await findFreePort()}`;
  const started = Date.now();
  await assert.rejects(
    waitForWorkflow(origin, 'wf', () => true, { timeoutMs: 10_000 }),
    /fetch failed/,
  );
  assert.ok(Date.now() - started < 5_000, 'it did not wait for the deadline');
  await assert.rejects(
    waitForWorkflow(origin, 'wf', () => true, { timeoutMs: 500, tolerate: { connectionErrors: true } }),
    /Timed out after 500 ms .*last answer: request failed: fetch failed/,
  );
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closedPort } from './ports.js';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { waitFor } from '@research/testkit';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SERVER], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const address = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then(([code]) => reject(new Error(`server exited with ${code}: ${stderr}${stdout}`)));
  });
  return { child, address, exited, output: () => stdout + stderr };
}

describe('server process', () => {
  test('serves /healthz while Temporal is down, answers 503 elsewhere, and exits 0 on SIGTERM', async (t) => {
    const server = startServer({
      TEMPORAL_ADDRESS: `127.0.0.1:${await closedPort()}`,
      TEMPORAL_RPC_TIMEOUT_MS: '500',
      TEMPORAL_READY_TIMEOUT_MS: '300',
    });
    t.after(() => server.child.kill('SIGKILL'));
    const base = await server.address;

    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);

    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { code: string }).code, 'TEMPORAL_UNAVAILABLE');

    const start = await fetch(`${base}/research`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 't', sourceUrl: 'https://example.com/' }),
    });
    assert.equal(start.status, 503);
    assert.match(String(start.headers.get('content-type')), /application\/problem\+json/);
    assert.ok(start.headers.get('x-request-id'));
    const problem = (await start.json()) as { code: string; stack?: unknown };
    assert.equal(problem.code, 'TEMPORAL_UNAVAILABLE');
    assert.equal(problem.stack, undefined);

    server.child.kill('SIGTERM');
    const [code] = await server.exited;
    assert.equal(code, 0, server.output());
  });

  test('exits 1 with a readable message on an invalid setting', async () => {
    const server = startServer({ PORT: 'eighty', TEMPORAL_TLS: 'maybe' });
    const [code] = await server.exited;
    await server.address.catch(() => undefined);
    assert.equal(code, 1);
    assert.match(server.output(), /Invalid configuration:/);
    assert.match(server.output(), /at PORT/);
    assert.match(server.output(), /at TEMPORAL_TLS/);
  });

  test('refuses to start on a non-loopback address without authentication', async () => {
    const server = startServer({ HOST: '0.0.0.0' });
    const [code] = await server.exited;
    await server.address.catch(() => undefined);
    assert.equal(code, 1);
    assert.match(server.output(), /no authentication is configured/);
    assert.match(server.output(), /AUTH_DISABLED=true/);
  });

  test('warns loudly at start-up when running open on loopback', async (t) => {
    const server = startServer({ TEMPORAL_ADDRESS: `127.0.0.1:${await closedPort()}` });
    t.after(() => server.child.kill('SIGKILL'));
    await server.address;
    await waitFor(async () => /AUTHENTICATION IS OFF/.test(server.output()), {
      timeoutMs: 10_000,
      description: 'warning',
    });
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('AUTHENTICATION IS OFF'))!;
    assert.equal(JSON.parse(line).level, 40);
  });
});

// Fastify answers 413 as soon as it sees a Content-Length over the limit and closes the connection; a client still
// sending then gets a reset (EPIPE, `fetch failed`) instead of the answer. It needs the server in another process,
// and how often it happens depends on socket buffers and timing: 2 MB failed 2 to 8 tries in 30 on the machine of
// the report, 8 MB fails most tries on loopback here.
describe('oversized request bodies', () => {
  for (const megabytes of [2, 8]) {
    test(`a Node fetch client posting ${megabytes} MB reads the 413 problem every time (30 tries)`, async (t) => {
      const server = startServer({ TEMPORAL_ADDRESS: `127.0.0.1:${await closedPort()}` });
      t.after(() => server.child.kill('SIGKILL'));
      const base = await server.address;
      const body = JSON.stringify({ topic: 'x'.repeat(megabytes * 1024 * 1024), sourceUrl: 'https://example.com/' });
      const failures: string[] = [];
      for (let attempt = 1; attempt <= 30; attempt++) {
        try {
          const response = await fetch(`${base}/research`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          const problem = (await response.json()) as { code?: string };
          if (response.status !== 413 || problem.code !== 'PAYLOAD_TOO_LARGE') {
            failures.push(`try ${attempt}: ${response.status} ${problem.code}`);
          }
        } catch (error) {
          const cause = (error as Error & { cause?: { code?: string } }).cause;
          failures.push(`try ${attempt}: ${(error as Error).message} (${cause?.code ?? 'no cause'})`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { waitFor } from '@research/testkit';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** A loopback port nothing listens on, standing in for a Temporal that is down. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

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

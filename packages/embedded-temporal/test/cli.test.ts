import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { Connection, WorkflowClient } from '@temporalio/client';
import { ProcessGroup } from '@research/testkit';
import { parseDurationFlagMs } from '../src/duration-flag.js';
import { isLoopbackHost } from '../src/loopback-host.js';
import { parseSizeBytes } from '../src/size-flag.js';

const cliEntry = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', cliEntry, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI duration flags', () => {
  it('parses milliseconds, seconds, minutes and hours, and refuses the rest', () => {
    assert.equal(parseDurationFlagMs('250'), 250);
    assert.equal(parseDurationFlagMs('250ms'), 250);
    assert.equal(parseDurationFlagMs('5s'), 5000);
    assert.equal(parseDurationFlagMs('1.5s'), 1500);
    assert.equal(parseDurationFlagMs('2m'), 120_000);
    assert.equal(parseDurationFlagMs('1h'), 3_600_000);
    for (const bad of ['', '0', '0s', '-5s', '5x', 's', '5 s s', 'Infinity'])
      assert.equal(parseDurationFlagMs(bad), undefined, bad);
  });
});

describe('CLI size flags and loopback hosts', () => {
  it('parses bytes, KiB, MiB and GiB, and refuses the rest', () => {
    assert.equal(parseSizeBytes('65536'), 65536);
    assert.equal(parseSizeBytes('512KiB'), 512 * 1024);
    assert.equal(parseSizeBytes('4MiB'), 4 * 1024 * 1024);
    assert.equal(parseSizeBytes('1gib'), 1024 ** 3);
    for (const bad of ['', '0', '-1', '4MB', '1.5MiB', '2GiB', 'big'])
      assert.equal(parseSizeBytes(bad), undefined, bad);
  });

  it('counts localhost, 127.0.0.0/8 and ::1 as loopback, and nothing else', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1'])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '[::]', '192.168.1.20', '10.0.0.1', '::ffff:10.0.0.1', 'example.com', ''])
      assert.equal(isLoopbackHost(host), false, host);
  });
});

describe('CLI', () => {
  const processes = new ProcessGroup();
  after(() => processes.stopAll());

  it('caps history long polls at --long-poll-timeout', async () => {
    const server = processes.start({
      name: 'cli',
      entry: cliEntry,
      args: ['--port', '0', '--host', '127.0.0.1', '--in-memory', '--long-poll-timeout', '1s'],
    });
    const [, address] = await server.waitForOutput(/ready: gRPC on (\S+)/);
    const connection = await Connection.connect({ address: address! });
    try {
      const client = new WorkflowClient({ connection });
      const handle = await client.start('neverPolled', { taskQueue: 'no-worker', workflowId: 'long-poll-cap' });
      const t0 = Date.now();
      // What `handle.result()` sends, without a deadline: the server's cap ends the wait with no event.
      const res = await connection.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId: handle.workflowId },
        waitNewEvent: true,
        historyEventFilterType: 2,
      });
      const waited = Date.now() - t0;
      assert.deepEqual(res.history?.events, []);
      assert.ok(waited >= 900, `answered after ${waited} ms, before the 1 s cap`);
      assert.ok(waited < 10_000, `answered after ${waited} ms: the 20 s default applied, not the flag`);
    } finally {
      await connection.close();
    }
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  });

  it('exits with status 2 and the usage for a bad flag or value', () => {
    const badValue = runCli(['--in-memory', '--task-poll-timeout', 'soon']);
    assert.equal(badValue.status, 2);
    assert.match(badValue.stderr, /invalid --task-poll-timeout: soon/);
    assert.match(badValue.stderr, /Usage: embedded-temporal/);
    const unknown = runCli(['--in-memory', '--retention-days', '3']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--retention-days/);
  });

  // 192.0.2.1 (TEST-NET-1) is on no interface here: the refusal must come before any bind, and with
  // --allow-remote the bind fails, so no test ever listens beyond loopback.
  it('refuses a non-loopback --host without --allow-remote, with status 2 and the reason', () => {
    const refused = runCli(['--in-memory', '--port', '0', '--host', '192.0.2.1']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /refusing --host 192\.0\.2\.1: it is not a loopback address/);
    assert.match(refused.stderr, /no authentication/);
    assert.match(refused.stderr, /Pass --allow-remote/);
    assert.match(refused.stderr, /Usage: embedded-temporal/);
  });

  it('warns on stderr and goes on to bind a non-loopback --host given --allow-remote', () => {
    const allowed = runCli(['--in-memory', '--port', '0', '--host', '192.0.2.1', '--allow-remote']);
    assert.match(allowed.stderr, /WARNING: listening on 192\.0\.2\.1 without authentication/);
    assert.match(allowed.stderr, /failed to start/, 'the bind was attempted (and fails: the address is not ours)');
    assert.equal(allowed.status, 1);
  });

  it('refuses requests over --max-receive-message-size with RESOURCE_EXHAUSTED', async () => {
    assert.equal(runCli(['--in-memory', '--max-receive-message-size', '4MB']).status, 2);
    const server = processes.start({
      name: 'cli-small-messages',
      entry: cliEntry,
      args: ['--port', '0', '--host', '127.0.0.1', '--in-memory', '--max-receive-message-size', '64KiB'],
    });
    const [, address] = await server.waitForOutput(/ready: gRPC on (\S+)/);
    // No retry interceptor: the TS client would retry RESOURCE_EXHAUSTED.
    const connection = await Connection.connect({ address: address!, interceptors: [] });
    try {
      const start = (bytes: number) =>
        connection.workflowService.startWorkflowExecution({
          namespace: 'default',
          workflowId: `size-${bytes}`,
          workflowType: { name: 'x' },
          taskQueue: { name: 'no-worker' },
          input: { payloads: [{ data: Buffer.alloc(bytes) }] },
        });
      await start(60 * 1024);
      await assert.rejects(start(70 * 1024), (err: { code?: number }) => err.code === status.RESOURCE_EXHAUSTED);
    } finally {
      await connection.close();
    }
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  });

  it('prints the usage for --help', () => {
    const help = runCli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--long-poll-timeout <duration>/);
  });
});

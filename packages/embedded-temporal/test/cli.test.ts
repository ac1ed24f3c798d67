import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Connection, WorkflowClient } from '@temporalio/client';
import { ProcessGroup } from '@research/testkit';
import { parseDurationMs } from '../src/duration-flag.js';

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
    assert.equal(parseDurationMs('250'), 250);
    assert.equal(parseDurationMs('250ms'), 250);
    assert.equal(parseDurationMs('5s'), 5000);
    assert.equal(parseDurationMs('1.5s'), 1500);
    assert.equal(parseDurationMs('2m'), 120_000);
    assert.equal(parseDurationMs('1h'), 3_600_000);
    for (const bad of ['', '0', '0s', '-5s', '5x', 's', '5 s s', 'Infinity'])
      assert.equal(parseDurationMs(bad), undefined, bad);
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

  it('prints the usage for --help', () => {
    const help = runCli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--long-poll-timeout <duration>/);
  });
});

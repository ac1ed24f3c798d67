import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { ProcessGroup } from '@research/testkit';

// The production entry point is the one-file bundle `npm run build` writes; this builds it afresh and runs it.
describe('bundled CLI', () => {
  const processes = new ProcessGroup();
  const dir = mkdtempSync(join(tmpdir(), 'embedded-temporal-bundle-'));
  after(async () => {
    await processes.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bundles into one file that starts the server, serves the SDK and stops on SIGTERM', async () => {
    const outfile = join(dir, 'cli.bundle.mjs');
    const script = fileURLToPath(new URL('../scripts/bundle-cli.mjs', import.meta.url));
    const built = spawnSync(process.execPath, [script, outfile], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);

    const server = processes.start({
      name: 'bundled-cli',
      entry: outfile,
      args: ['--port', '0', '--host', '127.0.0.1', '--in-memory'],
    });
    const [, address] = await server.waitForOutput(/ready: gRPC on (\S+)/);
    const connection = await Connection.connect({ address: address! });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      assert.equal(info.capabilities?.sdkMetadata, true);
    } finally {
      await connection.close();
    }
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
  });
});

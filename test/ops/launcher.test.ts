import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findFreePort, ManagedProcess, waitFor } from '@research/testkit';
import { launcherSettings } from '../../scripts/launcher-settings.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('launcher settings', () => {
  test('empty values count as unset', () => {
    const empty = { TEMPORAL_PORT: '', TEMPORAL_DATA_DIR: '', DATA_DIR: '', STOP_GRACE_MS: ' ', TEMPORAL_ADDRESS: '' };
    assert.deepEqual(launcherSettings(empty, '/repo'), {
      temporalPort: 7233,
      stopGraceMs: 20_000,
      temporalDataDir: '/repo/.data/temporal',
      temporalAddress: undefined,
      workflowBundlePath: '/repo/.data/workflow-bundle.js',
      buildWorkflowBundle: true,
    });
    assert.equal(
      launcherSettings({ DATA_DIR: '/srv/state', TEMPORAL_DATA_DIR: '' }, '/repo').temporalDataDir,
      '/srv/state/temporal',
    );
  });

  test('builds the workflow bundle under DATA_DIR unless WORKFLOW_BUNDLE_PATH names one', () => {
    const own = launcherSettings({ DATA_DIR: '/srv/state' }, '/repo');
    assert.equal(own.workflowBundlePath, '/srv/state/workflow-bundle.js');
    assert.equal(own.buildWorkflowBundle, true);
    const given = launcherSettings({ WORKFLOW_BUNDLE_PATH: 'dist/bundle.js' }, '/repo');
    assert.equal(given.workflowBundlePath, '/repo/dist/bundle.js');
    assert.equal(given.buildWorkflowBundle, false);
  });

  test('a bad value stops start-up with a message naming the variable', () => {
    assert.throws(
      () => launcherSettings({ TEMPORAL_PORT: 'seventy', STOP_GRACE_MS: '-1' }, '/repo'),
      (error: Error) => {
        assert.match(error.message, /TEMPORAL_PORT: .*"seventy"/);
        assert.match(error.message, /STOP_GRACE_MS: .*"-1"/);
        return true;
      },
    );
  });
});

/** Pids of the live processes whose parent is `parent` (Linux /proc). */
async function childrenOf(parent: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parent) pids.push(Number(name));
  }
  return pids;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Launched {
  launcher: ManagedProcess;
  dataDir: string;
  temporalPort: number;
  apiPort: number;
  /** The server, worker and API, each the leader of its own process group. */
  children: number[];
}

/**
 * Runs `npm start`'s script on free ports with its own data directory, the way `.env.example` leaves things:
 * TEMPORAL_DATA_DIR and STOP_GRACE_MS present but empty. Whatever the test does, `t.after` kills the launcher and
 * every process group it started and removes the data directory.
 */
async function launch(t: TestContext): Promise<Launched> {
  const dataDir = await mkdtemp(join(tmpdir(), 'research-launcher-'));
  const [temporalPort, apiPort] = [await findFreePort(), await findFreePort()];
  const launcher = new ManagedProcess({
    name: 'npm-start',
    entry: join(root, 'scripts/start.mjs'),
    env: {
      TEMPORAL_PORT: String(temporalPort),
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TEMPORAL_DATA_DIR: '',
      STOP_GRACE_MS: '',
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      LOG_LEVEL: 'info',
    },
  });
  const launched: Launched = { launcher, dataDir, temporalPort, apiPort, children: [] };
  t.after(async () => {
    await launcher.kill('SIGKILL');
    for (const pid of launched.children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  await launcher.waitForOutput(/api ready/, 120_000);
  await launcher.waitForOutput(/Worker started/, 120_000);
  launched.children = await childrenOf(launcher.pid!);
  assert.equal(
    launched.children.length,
    3,
    `expected temporal, worker and api under the launcher:\n${launcher.tail()}`,
  );
  return launched;
}

async function waitForPortsFree(launched: Launched, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => (!(await portOpen(launched.temporalPort)) && !(await portOpen(launched.apiPort)) ? true : undefined),
    { timeoutMs, intervalMs: 100, description: `ports ${launched.temporalPort} and ${launched.apiPort} to be free` },
  );
}

describe('npm start', { timeout: 240_000 }, () => {
  test('a SIGKILLed launcher leaves no server, worker or API behind: both ports are free within 10 s', async (t) => {
    const launched = await launch(t);
    assert.ok(existsSync(join(launched.dataDir, 'temporal')), 'the server keeps its data under DATA_DIR/temporal');
    await launched.launcher.kill('SIGKILL');
    await waitForPortsFree(launched, 10_000);
    await waitFor(async () => ((await childrenAlive(launched.children)) === 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'the server, worker and API to exit',
    });
  });

  test('SIGHUP (terminal closed) stops every child gracefully and the launcher exits 0', async (t) => {
    const launched = await launch(t);
    const exit = await launched.launcher.kill('SIGHUP');
    assert.deepEqual(exit, { code: 0, signal: null }, launched.launcher.tail());
    assert.doesNotMatch(launched.launcher.output, /did not stop within/);
    assert.equal(await childrenAlive(launched.children), 0);
    await waitForPortsFree(launched, 1_000);
  });
});

async function childrenAlive(pids: readonly number[]): Promise<number> {
  let alive = 0;
  for (const pid of pids) {
    // A zombie has no /proc/<pid>/stat state other than Z; the launcher that would reap it is gone.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    if (stat !== '' && state !== 'Z') alive += 1;
  }
  return alive;
}

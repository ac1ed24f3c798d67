// The worker's start-up against stop requests (SIGINT/SIGTERM in main.ts), with the real createWorker on the
// embedded server. The stop is made from inside the creation step, right after it returns, so it lands exactly
// between Worker.create and run without racing a timer.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '@research/embedded-temporal';
import { loadConfig, type Config } from '../src/config.js';
import { WorkerLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { createWorker, type ResearchWorker } from '../src/worker.js';

describe('worker lifecycle', () => {
  let server: EmbeddedTemporal;
  let dataDir: string;
  let config: Config;
  /** Workers the tests created, released here if a test left one holding its connection. */
  const created: ResearchWorker[] = [];

  before(async () => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    dataDir = await mkdtemp(join(tmpdir(), 'worker-lifecycle-'));
    server = await startEmbeddedTemporal({ port: 0 });
    const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
    config = loadConfig({
      TEMPORAL_ADDRESS: server.address,
      TASK_QUEUE: `lifecycle-${randomUUID()}`,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ...(databaseUrl === undefined
        ? { DATA_DIR: dataDir }
        : { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `worker_lifecycle_${process.pid}` }),
    });
  });

  after(async () => {
    for (const { worker, close } of created) {
      if (worker.getState() !== 'INITIALIZED') continue;
      await worker.runUntil(Promise.resolve());
      await close().catch(() => undefined);
    }
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A logger whose messages the test reads. */
  function recordingLogger() {
    const messages: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void messages.push(JSON.parse(line).msg) });
    return { logger, messages };
  }

  test('a stop arriving after Worker.create and before run stops cleanly and releases the worker', async () => {
    const { logger, messages } = recordingLogger();
    const lifecycle = new WorkerLifecycle(logger);
    let released = false;

    const ran = await lifecycle.run(
      async (signal) => {
        const research = await createWorker(config, logger, signal);
        created.push(research);
        lifecycle.stop();
        return {
          worker: research.worker,
          close: async () => {
            await research.close();
            released = true;
          },
        };
      },
      { taskQueue: config.taskQueue, address: config.temporal.address, namespace: config.temporal.namespace },
    );

    assert.equal(ran, true, messages.join('\n'));
    assert.equal(released, true);
    assert.equal(created[0]?.worker.getState(), 'STOPPED');
    assert.ok(messages.includes('Stopped before the worker started'), messages.join('\n'));
    assert.ok(!messages.includes('Worker started'), messages.join('\n'));
    assert.ok(!messages.includes('Worker failed'), messages.join('\n'));
  });
});

import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Connection, WorkflowClient } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkerOptions,
} from '@temporalio/worker';
import { waitFor } from '@research/testkit';
import { startEmbeddedTemporal, type EmbeddedTemporal, type EmbeddedTemporalOptions } from '../src/index.js';
import { EventType } from '../src/proto/enums.js';
import * as activities from './activities.js';

let runtimeInstalled = false;

/** Installs a WARN-level SDK runtime once per test process. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

/** A server plus a client and a native connection for workers, all closed by `close()`. */
export interface TestEnv {
  server: EmbeddedTemporal;
  client: WorkflowClient;
  connection: Connection;
  native: NativeConnection;
  bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
  /** Creates a worker on a unique task queue with the test workflows and activities. */
  worker(opts?: Partial<WorkerOptions>): Promise<{ worker: Worker; taskQueue: string }>;
  close(): Promise<void>;
}

let queueSeq = 0;
let bundlePromise: ReturnType<typeof bundleWorkflowCode> | undefined;

/**
 * Bundles the test workflows once per process, cached on disk by content hash so the test files (separate
 * processes) do not each pay for webpack.
 */
export function testBundle(): ReturnType<typeof bundleWorkflowCode> {
  bundlePromise ??= testBundleFile().then(async (file) => JSON.parse(await readFile(file, 'utf8')) as WorkflowBundle);
  return bundlePromise;
}

type WorkflowBundle = Awaited<ReturnType<typeof bundleWorkflowCode>>;

/** Path of the cached bundle file (built on first use), for worker child processes. */
export async function testBundleFile(): Promise<string> {
  const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
  const hash = createHash('sha256')
    .update(await readFile(workflowsPath))
    .update(await readFile(fileURLToPath(new URL('./activities.ts', import.meta.url))))
    .update(await readFile(createRequire(import.meta.url).resolve('@temporalio/workflow/package.json')))
    .digest('hex')
    .slice(0, 16);
  // Inside the project (node_modules/.cache, by convention), not the OS temp dir, so nothing outlives a checkout.
  const cacheDir = fileURLToPath(new URL('../../../node_modules/.cache/embedded-temporal/', import.meta.url));
  await mkdir(cacheDir, { recursive: true });
  const cacheFile = join(cacheDir, `test-bundle-${hash}.json`);
  try {
    await access(cacheFile);
  } catch {
    const bundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const partial = `${cacheFile}.${process.pid}`;
    await writeFile(partial, JSON.stringify(bundle));
    await rename(partial, cacheFile);
  }
  return cacheFile;
}

export async function startTestEnv(options: EmbeddedTemporalOptions = {}): Promise<TestEnv> {
  quietRuntime();
  const [server, bundle] = await Promise.all([startEmbeddedTemporal({ port: 0, ...options }), testBundle()]);
  const connection = await Connection.connect({ address: server.address });
  const native = await NativeConnection.connect({ address: server.address });
  const client = new WorkflowClient({ connection });
  return {
    server,
    client,
    connection,
    native,
    bundle,
    async worker(opts = {}) {
      const taskQueue = opts.taskQueue ?? `tq-${process.pid}-${++queueSeq}`;
      const worker = await Worker.create({
        connection: native,
        workflowBundle: bundle,
        activities,
        ...opts,
        taskQueue,
      });
      return { worker, taskQueue };
    },
    async close() {
      await connection.close();
      await native.close();
      await server.stop();
    },
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  // Any truthy value ends the wait (testkit's waitFor alone would also stop on 0 or '').
  return await waitFor(async () => (await check()) || undefined, {
    timeoutMs,
    intervalMs,
    retryOnError: true,
  });
}

/** Event type names of a workflow's history, e.g. `WorkflowExecutionStarted`. */
export async function eventTypes(client: WorkflowClient, workflowId: string, runId?: string): Promise<string[]> {
  const history = await client.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []).map((e) => eventTypeName(e.eventType as unknown as number));
}

const names = new Map(Object.entries(EventType).map(([k, v]) => [v, k]));

function eventTypeName(t: number): string {
  const raw = names.get(t) ?? String(t);
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/** The two worker configurations every conformance test runs under. */
export const workerModes: Array<{ name: string; options: Partial<WorkerOptions> }> = [
  { name: 'default worker options (sticky cache)', options: {} },
  { name: 'maxCachedWorkflows: 0 (full replay every task)', options: { maxCachedWorkflows: 0 } },
];

/** Starts a worker in the background; `stop()` shuts it down and rethrows if it crashed. */
export async function runWorker(
  env: TestEnv,
  opts: Partial<WorkerOptions>,
): Promise<{ taskQueue: string; stop: () => Promise<void> }> {
  const { worker, taskQueue } = await env.worker(opts);
  const running = worker.run();
  return {
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  };
}

/** Starts one embedded server for the calling test file in `before`, hands it to `use`, and closes it in `after`. */
export function serverForFile(use: (env: TestEnv) => void, options: EmbeddedTemporalOptions = {}): void {
  let env: TestEnv | undefined;
  before(async () => {
    env = await startTestEnv(options);
    use(env);
  });
  after(async () => {
    await env?.close();
  });
}

let idSeq = 0;

/** A workflow id or task queue name unique within the test run. */
export const uniqueId = (name: string): string => `${name}-${process.pid}-${++idSeq}`;

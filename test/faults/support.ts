// Shared pieces of the fault suite: a stack with its fakes, HTTP helpers and result reads that work with both
// PostgreSQL and PGlite.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredResult } from '@research/activities';
import { FAKE_ARTICLE_HTML, ProcessGroup, startFakeLlm, startFakeSite, waitFor } from '@research/testkit';
import type { FakeLlm, FakeSite } from '@research/testkit';
import { Stack, request, waitForWorkflow } from '../support/stack.js';
import type { StackOptions } from '../support/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface FaultStack {
  stack: Stack;
  llm: FakeLlm;
  site: FakeSite;
  /** Stops every process and fake; call in `after`. */
  close(): Promise<void>;
}

/**
 * Builds the workflow bundle once (what the production image does), so the many worker restarts of a fault test
 * skip webpack. Runs as a child process like the worker itself.
 */
async function buildWorkflowBundle(processes: ProcessGroup, path: string): Promise<void> {
  const build = processes.start({ name: 'bundle', entry: join(root, 'apps/worker/src/build-bundle.ts'), args: [path] });
  const exit = await build.exited;
  if (exit.code !== 0) throw new Error(`building the workflow bundle failed (${exit.code ?? exit.signal})\n${build.tail()}`);
}

/**
 * Fakes plus a Stack whose workers load a prebuilt workflow bundle. `start: false` leaves all processes stopped.
 */
export async function createFaultStack(
  options: { env?: StackOptions['env']; start?: boolean } = {},
): Promise<FaultStack> {
  const [llm, site] = await Promise.all([startFakeLlm(), startFakeSite()]);
  const builder = new ProcessGroup();
  const stack = await Stack.create({ llmUrl: llm.url, env: options.env });
  const bundlePath = join(stack.dataDir, 'workflow-bundle.js');
  // Stack reads options.env on every (re)start, so every worker gets the bundle.
  stack.options.env = { ...stack.options.env, worker: { ...stack.options.env?.worker, WORKFLOW_BUNDLE_PATH: bundlePath } };
  const close = async (): Promise<void> => {
    await builder.stopAll();
    await stack.stop();
    await Promise.all([llm.close(), site.close()]);
  };
  try {
    if (options.start === false) {
      await buildWorkflowBundle(builder, bundlePath);
    } else {
      await Promise.all([buildWorkflowBundle(builder, bundlePath), stack.startTemporal()]);
      await Promise.all([stack.startWorker(), stack.startApi()]);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { stack, llm, site, close };
}

/** Serves the built-in article under a path of its own, so `site.hitCount(path)` counts one test's fetches. */
export function articleAt(site: FakeSite, path: string): string {
  site.route(path, { headers: { 'content-type': 'text/html; charset=utf-8' }, body: FAKE_ARTICLE_HTML });
  return `${site.url}${path}`;
}

/** `POST /research`; asserts nothing, returns the response. */
export function postResearch(
  stack: Stack,
  body: { topic: string; sourceUrl: string; approvalTimeout?: string },
  idempotencyKey?: string,
) {
  return request(stack.apiUrl, 'POST', '/research', {
    body,
    headers: idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
  });
}

/** Starts a pipeline and returns its workflow id; throws unless the API answered 202. */
export async function startPipeline(stack: Stack, body: { topic: string; sourceUrl: string; approvalTimeout?: string }) {
  const response = await postResearch(stack, body);
  if (response.status !== 202) throw new Error(`POST /research answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.workflowId as string;
}

export function approve(stack: Stack, workflowId: string, decision: { approved: boolean; reviewer?: string; comment?: string }) {
  return request(stack.apiUrl, 'POST', `/workflows/${encodeURIComponent(workflowId)}/approve`, { body: decision });
}

// `any`, like the Stack's helpers: the tests read the API's JSON, not its TypeScript types.
export const awaitingApproval = (w: any): boolean => w.stage === 'awaiting_approval';
export const closed = (w: any): boolean => w.status !== 'RUNNING';

/** Waits until the workflow is closed and returns its view. */
export function waitForClose(stack: Stack, workflowId: string, timeoutMs = 60_000) {
  return waitForWorkflow<any>(stack.apiUrl, workflowId, closed, { timeoutMs, description: `workflow ${workflowId} to close` });
}

/**
 * Reads stored results. With PostgreSQL the worker keeps running; with PGlite (one process per database) the
 * worker is stopped gracefully first and left stopped: call {@link ensureWorker} before the next pipeline.
 */
export async function readResults(stack: Stack, workflowIds: readonly string[]): Promise<{
  rows: Map<string, StoredResult>;
  total: number;
}> {
  if (!stack.databaseSchema && stack.worker?.running) await stack.worker.stop(30_000);
  const store = await stack.openResults();
  try {
    const rows = new Map<string, StoredResult>();
    for (const id of workflowIds) {
      const row = await store.get(id);
      if (row) rows.set(id, row);
    }
    return { rows, total: await store.count() };
  } finally {
    await store.close();
  }
}

/** Starts a worker unless one is running. */
export async function ensureWorker(stack: Stack): Promise<void> {
  if (!stack.worker?.running) await stack.startWorker();
}

export { request, waitFor, waitForWorkflow };

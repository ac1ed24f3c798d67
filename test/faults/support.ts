// Shared pieces of the fault suite: HTTP helpers and result reads that work with both PostgreSQL and PGlite.
import type { StoredResult } from '@research/activities';
import { FAKE_ARTICLE_HTML, waitFor } from '@research/testkit';
import type { FakeSite } from '@research/testkit';
import type { Stack } from '../support/stack.js';
import { request, waitForWorkflow } from '../support/stack.js';

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
export async function startPipeline(
  stack: Stack,
  body: { topic: string; sourceUrl: string; approvalTimeout?: string },
) {
  const response = await postResearch(stack, body);
  if (response.status !== 202)
    throw new Error(`POST /research answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.workflowId as string;
}

export function approve(stack: Stack, workflowId: string, decision: { approved: boolean; comment?: string }) {
  return request(stack.apiUrl, 'POST', `/workflows/${encodeURIComponent(workflowId)}/approve`, { body: decision });
}

// `any`, like the Stack's helpers: the tests read the API's JSON, not its TypeScript types.
export const awaitingApproval = (w: any): boolean => w.stage === 'awaiting_approval';
export const closed = (w: any): boolean => w.status !== 'RUNNING';

/** Waits until the workflow is closed and returns its view. */
export function waitForClose(stack: Stack, workflowId: string, timeoutMs = 60_000) {
  return waitForWorkflow<any>(stack.apiUrl, workflowId, closed, {
    timeoutMs,
    description: `workflow ${workflowId} to close`,
  });
}

/**
 * Reads stored results. With PostgreSQL the worker keeps running; with PGlite (one process per database) the
 * worker is stopped gracefully first and left stopped: call {@link ensureWorker} before the next pipeline.
 */
export async function readResults(
  stack: Stack,
  workflowIds: readonly string[],
): Promise<{
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

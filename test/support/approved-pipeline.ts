import assert from 'node:assert/strict';
import { request, waitForWorkflow } from './stack.js';
import type { Stack } from './stack.js';

/**
 * Starts a pipeline on `sourceUrl`, approves it once it awaits approval and waits until it completed, all over HTTP.
 * Returns the workflow id.
 */
export async function runApprovedPipeline(stack: Stack, topic: string, sourceUrl: string): Promise<string> {
  const started = await request(stack.apiUrl, 'POST', '/research', { body: { topic, sourceUrl } });
  assert.equal(started.status, 202);
  const id = started.body.workflowId as string;
  await waitForWorkflow(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval', { timeoutMs: 60_000 });
  const decided = await request(stack.apiUrl, 'POST', `/workflows/${id}/approve`, { body: { approved: true } });
  assert.equal(decided.status, 200);
  await waitForWorkflow(stack.apiUrl, id, (w) => w.status === 'COMPLETED', { timeoutMs: 60_000 });
  return id;
}

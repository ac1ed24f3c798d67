import assert from 'node:assert/strict';
import { STAGES } from '@research/contracts';
import type { Stage } from '@research/contracts';
import { request } from '../support/stack.js';
import type { HttpResponse } from '../support/stack.js';

const PROBLEM_TYPE_BASE = 'https://research-gateway.dev/problems/';

/**
 * Asserts an RFC 9457 problem answer: the media type, every standard member, the stable `code` and a `type`
 * derived from it, and `instance` naming the request path.
 */
export function assertProblem(response: HttpResponse, status: number, code: string, instance: string): void {
  assert.equal(
    response.status,
    status,
    `expected ${status} ${code}, got ${response.status}: ${JSON.stringify(response.body)}`,
  );
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json\b/);
  const problem = response.body as Record<string, unknown>;
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
  assert.equal(problem.type, PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll('_', '-'));
  assert.equal(typeof problem.title, 'string');
  assert.ok((problem.title as string).length > 0, 'title is empty');
  assert.equal(typeof problem.detail, 'string');
  assert.ok((problem.detail as string).length > 0, 'detail is empty');
  assert.equal(problem.instance, instance);
  assert.equal(typeof problem.requestId, 'string');
}

/**
 * Asserts that the stages a client saw while polling never went backwards and that each of `required` was seen,
 * in that order. Only stages the test holds long enough to be polled belong in `required`.
 */
export function assertStagesInOrder(seen: readonly Stage[], required: readonly Stage[]): void {
  const positions = seen.map((stage) => STAGES.indexOf(stage));
  for (let i = 1; i < positions.length; i++) {
    assert.ok(positions[i]! >= positions[i - 1]!, `stage went backwards: ${seen.join(' → ')}`);
  }
  for (const stage of required) {
    assert.ok(seen.includes(stage), `stage ${stage} was never seen: ${seen.join(' → ')}`);
  }
}

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Posts `body` to `POST /research` (with the stack's default credentials) and returns the new workflow's id. */
export async function startResearch(apiUrl: string, body: Record<string, unknown>): Promise<string> {
  const response = await request(apiUrl, 'POST', '/research', { body });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.workflowId as string;
}

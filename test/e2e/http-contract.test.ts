// End-to-end HTTP contract of the API process in front of the real embedded Temporal server and worker:
// probes, the served OpenAPI document, problem+json errors and Idempotency-Key semantics.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { Problem, WorkflowView } from '@research/api';
import { FAKE_ARTICLE_HTML, type FakeLlm, type FakeSite } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { type Stack, request, waitForWorkflow } from '../support/stack.js';
import { assertProblem } from './assertions.js';

const OPENAPI_YAML = new URL('../../openapi.yaml', import.meta.url);

let llm: FakeLlm;
let site: FakeSite;
let stack: Stack;

let fixture: StackWithFakes | undefined;

before(
  async () => {
    // The default worker path, as `npm start` runs it: workflows bundled from source at start-up.
    const started = await startStackWithFakes({ prebuiltBundle: false });
    fixture = started;
    ({ llm, site, stack } = started);
  },
  { timeout: 180_000 },
);

after(() => fixture?.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  request(stack.apiUrl, 'POST', path, { body, headers });

type FieldError = NonNullable<Problem['errors']>[number];

/** The `errors` of a validation problem, sorted by pointer. */
const fieldErrors = (body: { errors?: FieldError[] }): FieldError[] =>
  [...(body.errors ?? [])].sort((a, b) => a.pointer.localeCompare(b.pointer));

/** A fresh source path serving the article, so a test can count the fetches its own workflows made. */
let sourceCounter = 0;
function freshSource(): { path: string; url: string } {
  const path = `/source-${++sourceCounter}`;
  site.route(path, { headers: { 'content-type': 'text/html' }, body: FAKE_ARTICLE_HTML });
  return { path, url: `${site.url}${path}` };
}

describe('probes and documentation', () => {
  test('GET /healthz and GET /readyz answer 200', async () => {
    const health = await request(stack.apiUrl, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await request(stack.apiUrl, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready' });
  });

  test('the document served at /docs/json equals the committed openapi.yaml', async () => {
    const served = await request(stack.apiUrl, 'GET', '/docs/json');
    assert.equal(served.status, 200);
    assert.match(served.headers.get('content-type') ?? '', /^application\/json\b/);
    const committed: unknown = parse(await readFile(OPENAPI_YAML, 'utf8'));
    assert.deepEqual(served.body, committed);
  });

  test('GET /docs serves the Swagger UI page', async () => {
    const response = await fetch(`${stack.apiUrl}/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html\b/);
    assert.match(await response.text(), /swagger-ui/i);
  });
});

describe('problem+json errors', () => {
  test('returns 404 WORKFLOW_NOT_FOUND for GET and approve of an unknown workflow id', async () => {
    const id = 'research-00000000-0000-4000-8000-000000000000';
    const read = await request(stack.apiUrl, 'GET', `/workflows/${id}`);
    assertProblem(read, 404, 'WORKFLOW_NOT_FOUND', `/workflows/${id}`);
    assert.match(read.body.detail, new RegExp(id));
    const approval = await post(`/workflows/${id}/approve`, { approved: true });
    assertProblem(approval, 404, 'WORKFLOW_NOT_FOUND', `/workflows/${id}/approve`);
  });

  test('returns 404 ROUTE_NOT_FOUND for an unknown route and 405 with Allow for a wrong method', async () => {
    const unknown = await request(stack.apiUrl, 'GET', '/no/such/route?x=1');
    assertProblem(unknown, 404, 'ROUTE_NOT_FOUND', '/no/such/route');
    const wrongMethod = await request(stack.apiUrl, 'DELETE', '/research');
    assertProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED', '/research');
    assert.match(wrongMethod.headers.get('allow') ?? '', /\bPOST\b/);
  });

  test('returns 400 VALIDATION_FAILED naming each invalid body field by JSON pointer', async () => {
    const invalid = await post('/research', { topic: '   ', sourceUrl: 'ftp://example.test/file', extra: true });
    assertProblem(invalid, 400, 'VALIDATION_FAILED', '/research');
    const errors = fieldErrors(invalid.body);
    assert.deepEqual(
      errors.map(({ pointer, in: part }) => ({ pointer, in: part })),
      [
        { pointer: '/extra', in: 'body' },
        { pointer: '/sourceUrl', in: 'body' },
        { pointer: '/topic', in: 'body' },
      ],
    );
    assert.equal(errors.find((e) => e.pointer === '/sourceUrl')?.message, 'must be an absolute http(s) URL');
    assert.equal(errors.find((e) => e.pointer === '/topic')?.message, 'must not be empty');
    assert.equal(errors.find((e) => e.pointer === '/extra')?.message, 'is not allowed');

    const timeout = await post('/research', { topic: 't', sourceUrl: `${site.url}/article`, approvalTimeout: '500ms' });
    assertProblem(timeout, 400, 'VALIDATION_FAILED', '/research');
    assert.deepEqual(fieldErrors(timeout.body), [
      { pointer: '/approvalTimeout', in: 'body', message: 'must be between 1s and 30d' },
    ]);

    const decision = await post('/workflows/research-any/approve', { approved: 'yes' });
    assertProblem(decision, 400, 'VALIDATION_FAILED', '/workflows/research-any/approve');
    assert.deepEqual(
      fieldErrors(decision.body).map(({ pointer, in: part }) => ({ pointer, in: part })),
      [{ pointer: '/approved', in: 'body' }],
    );
  });

  test('returns 400 VALIDATION_FAILED for an invalid Idempotency-Key header', async () => {
    const response = await post(
      '/research',
      { topic: 't', sourceUrl: `${site.url}/article` },
      { 'idempotency-key': 'k'.repeat(201) },
    );
    assertProblem(response, 400, 'VALIDATION_FAILED', '/research');
    assert.deepEqual(
      fieldErrors(response.body).map(({ pointer, in: part }) => ({ pointer, in: part })),
      [{ pointer: '/idempotency-key', in: 'header' }],
    );
  });

  test('returns 400 MALFORMED_JSON for a body that is not JSON or is empty', async () => {
    const malformed = await post('/research', '{"topic": "t", "sourceUrl": ');
    assertProblem(malformed, 400, 'MALFORMED_JSON', '/research');
    assert.equal(malformed.body.errors, undefined);
    const empty = await post('/research', '');
    assertProblem(empty, 400, 'MALFORMED_JSON', '/research');
  });

  test('returns 415 UNSUPPORTED_MEDIA_TYPE for a body that is not application/json', async () => {
    const body = JSON.stringify({ topic: 't', sourceUrl: `${site.url}/article` });
    const response = await post('/research', body, { 'content-type': 'text/plain' });
    assertProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE', '/research');
  });

  test('returns 413 PAYLOAD_TOO_LARGE for a body over the size limit', async () => {
    const response = await post('/research', { topic: 'x'.repeat(20_000), sourceUrl: `${site.url}/article` });
    assertProblem(response, 413, 'PAYLOAD_TOO_LARGE', '/research');
  });
});

describe('Idempotency-Key', () => {
  test('the same key and body start one workflow: 202, then 200 with the same workflow and Location', async () => {
    const source = freshSource();
    const body = { topic: 'Idempotent', sourceUrl: source.url };
    const first = await post('/research', body, { 'idempotency-key': 'e2e-sequential' });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    // Same request after parsing: keys reordered, topic padded with spaces that validation trims.
    const second = await post(
      '/research',
      { sourceUrl: source.url, topic: '  Idempotent ' },
      { 'idempotency-key': 'e2e-sequential' },
    );
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.workflowId, first.body.workflowId);
    assert.equal(second.body.runId, first.body.runId);
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    assert.equal(first.headers.get('location'), `/workflows/${first.body.workflowId}`);

    const awaiting = await waitForWorkflow<WorkflowView>(
      stack.apiUrl,
      first.body.workflowId,
      (w) => w.stage === 'awaiting_approval',
    );
    assert.equal(awaiting.topic, 'Idempotent');
    assert.equal(site.hitCount(source.path), 1, 'one pipeline fetched the source');
    const third = await post('/research', body, { 'idempotency-key': 'e2e-sequential' });
    assert.equal(third.status, 200);
    assert.equal(third.body.workflowId, first.body.workflowId);
    assert.equal(third.body.stage, 'awaiting_approval', 'a repeat reports the current stage');
  });

  test('two concurrent requests with the same key and body start one workflow: one 202 and one 200', async () => {
    const source = freshSource();
    const body = { topic: 'Concurrent', sourceUrl: source.url };
    const answers = await Promise.all([
      post('/research', body, { 'idempotency-key': 'e2e-concurrent' }),
      post('/research', body, { 'idempotency-key': 'e2e-concurrent' }),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 202], JSON.stringify(answers.map((a) => a.body)));
    const [a, b] = answers;
    assert.equal(a.body.workflowId, b.body.workflowId);
    assert.equal(a.body.runId, b.body.runId);

    await waitForWorkflow<WorkflowView>(stack.apiUrl, a.body.workflowId, (w) => w.stage === 'awaiting_approval');
    assert.equal(site.hitCount(source.path), 1, 'one pipeline fetched the source');
    const prompts = llm.calls.filter((call) => JSON.stringify(call.body.messages).includes(source.url));
    assert.equal(prompts.length, 1, 'one pipeline called the LLM');
  });

  test('the same key with a different body is refused with 422 and starts nothing', async () => {
    const source = freshSource();
    const first = await post(
      '/research',
      { topic: 'Original', sourceUrl: source.url },
      { 'idempotency-key': 'e2e-reused' },
    );
    assert.equal(first.status, 202);
    const reused = await post(
      '/research',
      { topic: 'Different', sourceUrl: source.url },
      { 'idempotency-key': 'e2e-reused' },
    );
    assertProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED', '/research');
    assert.equal(reused.headers.get('location'), null);

    const workflow = await waitForWorkflow<WorkflowView>(
      stack.apiUrl,
      first.body.workflowId,
      (w) => w.stage === 'awaiting_approval',
    );
    assert.equal(workflow.topic, 'Original', 'the refused request did not touch the workflow');
  });

  test('the key of a completed workflow still answers 200 with that workflow and never starts a second run', async () => {
    const source = freshSource();
    const body = { topic: 'Closed', sourceUrl: source.url };
    const first = await post('/research', body, { 'idempotency-key': 'e2e-closed' });
    assert.equal(first.status, 202);
    const id = first.body.workflowId as string;
    await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval');
    const decided = await post(`/workflows/${id}/approve`, { approved: false });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.status === 'COMPLETED');

    const repeat = await post('/research', body, { 'idempotency-key': 'e2e-closed' });
    assert.equal(repeat.status, 200, JSON.stringify(repeat.body));
    assert.deepEqual(repeat.body, { workflowId: id, runId: first.body.runId, status: 'COMPLETED', stage: 'completed' });
    const other = await post(
      '/research',
      { ...body, topic: 'Closed, other body' },
      { 'idempotency-key': 'e2e-closed' },
    );
    assertProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED', '/research');
    assert.equal(site.hitCount(source.path), 1, 'no second run fetched the source');
  });

  test('requests without a key start a new workflow each time', async () => {
    const source = freshSource();
    const body = { topic: 'No key', sourceUrl: source.url };
    const [a, b] = [await post('/research', body), await post('/research', body)];
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.notEqual(a.body.workflowId, b.body.workflowId);
    for (const id of [a.body.workflowId, b.body.workflowId]) {
      await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval');
    }
    assert.equal(site.hitCount(source.path), 2, 'each pipeline fetched the source');
  });
});

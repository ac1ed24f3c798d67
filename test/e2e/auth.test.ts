// End-to-end with authentication on: the API process started with API keys in front of the real embedded Temporal
// server and worker. Proves scopes, the recorded submitter, the reviewer taken from the credentials, four-eyes and
// caller-scoped idempotency keys and the running cap (counted in the embedded server's visibility) over HTTP, through
// the real workflow.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowView } from '@research/api';
import { FAKE_ARTICLE_HTML, type FakeSite } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { type Stack, request, waitForWorkflow } from '../support/stack.js';
import { assertProblem } from './assertions.js';

const EVERYTHING = ['research:submit', 'research:read', 'research:approve'];

let site: FakeSite;
let stack: Stack;
let fixture: StackWithFakes | undefined;

before(
  async () => {
    fixture = await startStackWithFakes({
      callers: [
        { id: 'ana', scopes: EVERYTHING },
        { id: 'ben', scopes: EVERYTHING },
        { id: 'auditor', scopes: ['research:read'] },
        { id: 'carol', scopes: EVERYTHING },
      ],
      // Only carol ever has two pipelines running at once.
      env: { api: { MAX_RUNNING_PER_CALLER: '2' } },
    });
    ({ site, stack } = fixture);
    site.route('/article', { headers: { 'content-type': 'text/html' }, body: FAKE_ARTICLE_HTML });
  },
  { timeout: 180_000 },
);

after(() => fixture?.close());

const as = (caller: string) => stack.keys[caller]!;
const body = () => ({ topic: 'Durable execution', sourceUrl: `${site.url}/article` });

describe('API with authentication on', () => {
  test('401 without a key, 403 without the scope, 202 with it; probes stay public', async () => {
    assertProblem(
      await request(stack.apiUrl, 'POST', '/research', { body: body() }),
      401,
      'UNAUTHENTICATED',
      '/research',
    );
    const auditor = await request(stack.apiUrl, 'POST', '/research', { body: body(), token: as('auditor') });
    assertProblem(auditor, 403, 'INSUFFICIENT_SCOPE', '/research');
    assert.equal((await request(stack.apiUrl, 'GET', '/readyz')).status, 200);
  });

  test('records the submitter, refuses their own decision and takes the reviewer from the credentials', async () => {
    const started = await request(stack.apiUrl, 'POST', '/research', { body: body(), token: as('ana') });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.workflowId as string;
    const path = `/workflows/${id}/approve`;
    const waiting = await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval', {
      token: as('auditor'),
    });
    assert.deepEqual(waiting.submittedBy, { id: 'ana', name: 'Caller ana' });

    const own = await request(stack.apiUrl, 'POST', path, { body: { approved: true }, token: as('ana') });
    assertProblem(own, 403, 'SELF_APPROVAL_FORBIDDEN', path);
    const named = await request(stack.apiUrl, 'POST', path, {
      body: { approved: true, reviewer: 'x' },
      token: as('ben'),
    });
    assertProblem(named, 400, 'VALIDATION_FAILED', path);
    const decided = await request(stack.apiUrl, 'POST', path, { body: { approved: true }, token: as('ben') });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.reviewer, 'ben');

    const done = await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.status === 'COMPLETED', {
      token: as('ana'),
    });
    assert.equal(done.result?.reviewer, 'ben');
    assert.equal(done.result?.outcome, 'approved');
  });

  test('the same Idempotency-Key from two callers starts two pipelines', async () => {
    const headers = { 'idempotency-key': 'e2e-shared-key' };
    const ana = await request(stack.apiUrl, 'POST', '/research', { body: body(), headers, token: as('ana') });
    const ben = await request(stack.apiUrl, 'POST', '/research', { body: body(), headers, token: as('ben') });
    const again = await request(stack.apiUrl, 'POST', '/research', { body: body(), headers, token: as('ana') });
    assert.deepEqual([ana.status, ben.status, again.status], [202, 202, 200]);
    assert.notEqual(ana.body.workflowId, ben.body.workflowId);
    assert.equal(again.body.workflowId, ana.body.workflowId);
  });
});

describe('running pipelines per caller', () => {
  test('a caller with MAX_RUNNING_PER_CALLER pipelines running gets 429 until one closes; retries still pass', async () => {
    const start = (caller: string, key: string) =>
      request(stack.apiUrl, 'POST', '/research', {
        body: body(),
        headers: { 'idempotency-key': key },
        token: as(caller),
      });
    const first = await start('carol', 'cap-1');
    const second = await start('carol', 'cap-2');
    assert.deepEqual([first.status, second.status], [202, 202]);

    const third = await start('carol', 'cap-3');
    assertProblem(third, 429, 'RUNNING_LIMIT_REACHED', '/research');
    assert.equal(third.headers.get('retry-after'), '60');
    const retried = await start('carol', 'cap-1');
    assert.equal(retried.status, 200, 'a retry of a started pipeline is not a new one');
    assert.equal(retried.body.workflowId, first.body.workflowId);
    assert.equal((await start('ben', 'cap-3')).status, 202, 'the cap is per caller');

    const id = first.body.workflowId as string;
    const cancel = await request(stack.apiUrl, 'POST', `/workflows/${id}/cancel`, { token: as('carol') });
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.status !== 'RUNNING', { token: as('carol') });
    assert.equal((await start('carol', 'cap-3')).status, 202, 'room again once a pipeline closed');
  });
});

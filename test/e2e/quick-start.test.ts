// End-to-end: the quick start, the one suite whose API runs with no authentication configured (open mode on
// loopback), as `npm start` does out of the box. Every other suite runs with API keys (test/support/stack.ts).
// Proves that a pipeline runs through without credentials, that open mode says so loudly, and that it answers
// loopback Host names only.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { DecisionReceipt } from '@research/contracts';
import type { WorkflowView } from '@research/api';
import { FAKE_ARTICLE_HTML } from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { request, waitForWorkflow } from '../support/stack.js';

let fixture: StackWithFakes | undefined;

before(
  async () => {
    fixture = await startStackWithFakes({ open: true });
    fixture.site.route('/article', { headers: { 'content-type': 'text/html' }, body: FAKE_ARTICLE_HTML });
  },
  { timeout: 180_000 },
);

after(() => fixture?.close());

/** A GET with a Host header of the test's choice (fetch does not let a caller set Host). */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

describe('quick start: no configuration, open mode on loopback', () => {
  test('runs a pipeline with no credentials, a free-text reviewer and no submitter; warns at start-up', async () => {
    const { stack, site } = fixture!;
    assert.match(stack.api!.output, /AUTHENTICATION IS OFF/);
    const started = await request(stack.apiUrl, 'POST', '/research', {
      body: { topic: 'Quick start', sourceUrl: `${site.url}/article` },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.workflowId as string;
    const awaiting = await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval');
    assert.equal(awaiting.submittedBy, null);

    const decided = await request(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: true, reviewer: 'Ada Lovelace' },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.reviewer, 'Ada Lovelace');
    const done = await waitForWorkflow<WorkflowView>(stack.apiUrl, id, (w) => w.status !== 'RUNNING');
    assert.equal(done.result?.outcome, 'approved');
    assert.equal(done.result?.reviewer, 'Ada Lovelace');

    const audit = await request<{ receipts: DecisionReceipt[] }>(stack.apiUrl, 'GET', `/workflows/${id}/audit`);
    assert.equal(audit.status, 200);
    assert.deepEqual(audit.body.receipts[0]?.decidedBy, { id: null, name: null, method: 'open' });
    assert.equal(audit.body.receipts[0]?.reviewer, 'Ada Lovelace');
  });

  test('answers 421 HOST_NOT_ALLOWED to a non-loopback Host, as a rebound DNS name would send', async () => {
    const { stack } = fixture!;
    const rebound = await getWithHost(stack.apiPort, '/workflows/research-x', 'attacker.example');
    assert.equal(rebound.status, 421);
    assert.equal((JSON.parse(rebound.body) as { code: string }).code, 'HOST_NOT_ALLOWED');
    assert.equal((await getWithHost(stack.apiPort, '/healthz', `localhost:${stack.apiPort}`)).status, 200);
  });
});

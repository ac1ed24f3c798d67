import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROBLEMS, problemTypeUri } from '../src/problems/catalogue.js';
import { problemOf, sampleView, stubGateway, testApp } from './support.js';

describe('problem responses', () => {
  test('returns 404 ROUTE_NOT_FOUND as problem+json for an unknown route', async (t) => {
    const app = testApp(t, stubGateway());
    const response = await app.inject({ method: 'GET', url: '/nowhere?x=1' });
    assert.equal(response.statusCode, 404);
    const problem = problemOf(response);
    assert.equal(problem.code, 'ROUTE_NOT_FOUND');
    assert.equal(problem.instance, '/nowhere');
  });

  test('returns 405 with Allow for a known path and another method', async (t) => {
    const app = testApp(t, stubGateway());
    const response = await app.inject({ method: 'DELETE', url: '/workflows/research-1' });
    assert.equal(response.statusCode, 405);
    assert.equal(response.headers.allow, 'GET, HEAD');
    assert.equal(problemOf(response).code, 'METHOD_NOT_ALLOWED');
  });

  test('returns 500 with a generic detail and logs the error with the request id', async (t) => {
    const logLines: Record<string, unknown>[] = [];
    const app = testApp(
      t,
      stubGateway({ getWorkflow: () => Promise.reject(new Error('secret internals at db.internal:5432')) }),
      { logLines },
    );
    const response = await app.inject({
      method: 'GET',
      url: '/workflows/research-1',
      headers: { 'x-request-id': 'req-123' },
    });
    assert.equal(response.statusCode, 500);
    const problem = problemOf(response);
    assert.equal(problem.code, 'INTERNAL_ERROR');
    assert.equal(problem.requestId, 'req-123');
    assert.doesNotMatch(response.body, /secret internals|db\.internal/);
    const logged = logLines.find((line) => line.level === 50);
    assert.ok(logged, 'an error line was logged');
    assert.equal(logged.reqId, 'req-123');
    assert.equal(logged.workflowId, 'research-1');
    assert.match(JSON.stringify(logged.err), /secret internals/);
  });

  test('returns 500 when a response does not match its schema', async (t) => {
    const app = testApp(t, stubGateway({ getWorkflow: async () => ({ ...sampleView(), status: 'BOGUS' }) as never }));
    const response = await app.inject({ method: 'GET', url: '/workflows/research-1' });
    assert.equal(response.statusCode, 500);
    assert.equal(problemOf(response).code, 'INTERNAL_ERROR');
  });

  test('echoes an acceptable x-request-id and replaces an unsafe one', async (t) => {
    const app = testApp(t, stubGateway());
    const kept = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(kept.headers['x-request-id'], 'abc-123');
    const replaced = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'a b\nc' } });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const generated = await app.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(problemOf(generated).requestId, generated.headers['x-request-id']);
  });

  test('catalogue codes are stable and map to distinct type URIs', () => {
    const uris = Object.keys(PROBLEMS).map((code) => problemTypeUri(code as keyof typeof PROBLEMS));
    assert.equal(new Set(uris).size, uris.length);
    assert.equal(problemTypeUri('WORKFLOW_NOT_FOUND'), 'https://research-gateway.dev/problems/workflow-not-found');
  });
});

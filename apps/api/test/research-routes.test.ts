import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResearchRequest } from '@research/contracts';
import { IdempotencyKeyReusedError, TemporalUnavailableError } from '../src/temporal/errors.js';
import type { StartResearchOptions, StartedResearch } from '../src/temporal/gateway.js';
import { VALID_REQUEST, problemOf, stubGateway, testApp, testConfig } from './support.js';

const started = (created: boolean): StartedResearch => ({
  created,
  workflowId: 'research-key-abc',
  runId: 'run-1',
  status: 'RUNNING',
  stage: 'queued',
});

describe('POST /research', () => {
  test('returns 202 with the workflow and a Location header', async (t) => {
    const calls: [ResearchRequest, StartResearchOptions | undefined][] = [];
    const app = testApp(
      t,
      stubGateway({ startResearch: async (request, options) => (calls.push([request, options]), started(true)) }),
    );
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      payload: { ...VALID_REQUEST, topic: '  Durable execution ' },
    });
    assert.equal(response.statusCode, 202);
    assert.equal(response.headers.location, '/workflows/research-key-abc');
    assert.deepEqual(response.json(), {
      workflowId: 'research-key-abc',
      runId: 'run-1',
      status: 'RUNNING',
      stage: 'queued',
    });
    // Open mode (the test config): nobody is identified, so no submitter is recorded.
    assert.deepEqual(calls, [[VALID_REQUEST, { idempotencyKey: undefined, submittedBy: undefined }]]);
  });

  test('passes the Idempotency-Key to the gateway and returns 200 when the workflow already existed', async (t) => {
    const keys: (string | undefined)[] = [];
    const app = testApp(
      t,
      stubGateway({ startResearch: async (_r, options) => (keys.push(options?.idempotencyKey), started(false)) }),
    );
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      headers: { 'idempotency-key': 'order 42' },
      payload: VALID_REQUEST,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers.location, '/workflows/research-key-abc');
    assert.deepEqual(keys, ['order 42']);
  });

  test('returns 422 when the Idempotency-Key was used with a different body', async (t) => {
    const app = testApp(
      t,
      stubGateway({ startResearch: () => Promise.reject(new IdempotencyKeyReusedError('research-key-abc')) }),
    );
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      headers: { 'idempotency-key': 'k' },
      payload: VALID_REQUEST,
    });
    assert.equal(response.statusCode, 422);
    assert.equal(problemOf(response).code, 'IDEMPOTENCY_KEY_REUSED');
  });

  test('returns 400 pointing at the header when the Idempotency-Key is not printable ASCII or over 200 characters', async (t) => {
    const app = testApp(t, stubGateway());
    // Latin-1 and a tab are legal in a header value but not printable ASCII.
    for (const key of ['clé', 'tab\there', 'x'.repeat(201)]) {
      const response = await app.inject({
        method: 'POST',
        url: '/research',
        headers: { 'idempotency-key': key },
        payload: VALID_REQUEST,
      });
      assert.equal(response.statusCode, 400, `key ${JSON.stringify(key)}`);
      const problem = problemOf(response);
      assert.equal(problem.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        problem.errors?.map((e) => [e.in, e.pointer]),
        [['header', '/idempotency-key']],
      );
    }
  });

  test('returns 400 with a JSON pointer per invalid field', async (t) => {
    const app = testApp(t, stubGateway());
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      payload: { topic: '', sourceUrl: 'ftp://example.com/x', approvalTimeout: 'soon', extra: true },
    });
    assert.equal(response.statusCode, 400);
    const problem = problemOf(response);
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.equal(problem.type, 'https://research-gateway.dev/problems/validation-failed');
    assert.equal(problem.instance, '/research');
    const pointers = [...new Set(problem.errors?.map((e) => e.pointer))].sort();
    assert.deepEqual(pointers, ['/approvalTimeout', '/extra', '/sourceUrl', '/topic']);
    assert.ok(problem.errors?.every((e) => e.in === 'body' && e.message.length > 0));
  });

  test('passes a list of sources to the gateway as they were sent', async (t) => {
    const requests: ResearchRequest[] = [];
    const app = testApp(t, stubGateway({ startResearch: async (request) => (requests.push(request), started(true)) }));
    const sources = ['https://a.example/1', 'https://b.example/2', 'https://c.example/3'];
    const response = await app.inject({ method: 'POST', url: '/research', payload: { topic: 'x', sources } });
    assert.equal(response.statusCode, 202);
    assert.deepEqual(requests, [{ topic: 'x', sources }]);
  });

  test('returns 400 at /sources when both sourceUrl and sources, or neither, are sent', async (t) => {
    const app = testApp(t, stubGateway());
    for (const payload of [
      { topic: 'x', sourceUrl: 'https://a.example/', sources: ['https://b.example/'] },
      { topic: 'x' },
      { topic: 'x', sources: Array.from({ length: 6 }, (_, i) => `https://s${i}.example/`) },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/research', payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.deepEqual(
        problemOf(response).errors?.map((e) => e.pointer),
        ['/sources'],
      );
    }
  });

  test('returns 400 with an empty pointer when the body is not an object', async (t) => {
    const app = testApp(t, stubGateway());
    const response = await app.inject({ method: 'POST', url: '/research', payload: [1, 2] });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(
      problemOf(response).errors?.map((e) => e.pointer),
      [''],
    );
  });

  test('returns 400 MALFORMED_JSON for a body that is not JSON', async (t) => {
    const app = testApp(t, stubGateway());
    for (const payload of ['{"topic": ', '']) {
      const response = await app.inject({
        method: 'POST',
        url: '/research',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(problemOf(response).code, 'MALFORMED_JSON');
    }
  });

  test('returns 415 for a body that is not application/json', async (t) => {
    const app = testApp(t, stubGateway());
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await app.inject({
        method: 'POST',
        url: '/research',
        headers: { 'content-type': contentType },
        payload: 'topic=x',
      });
      assert.equal(response.statusCode, 415, contentType);
      assert.equal(problemOf(response).code, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  test('returns 413 for a body over BODY_LIMIT_BYTES', async (t) => {
    const app = testApp(t, stubGateway(), { config: testConfig({ BODY_LIMIT_BYTES: '1024' }) });
    const response = await app.inject({
      method: 'POST',
      url: '/research',
      payload: { ...VALID_REQUEST, topic: 'x'.repeat(2000) },
    });
    assert.equal(response.statusCode, 413);
    assert.equal(problemOf(response).code, 'PAYLOAD_TOO_LARGE');
  });

  test('returns 503 with Retry-After when Temporal is unavailable, without internal details', async (t) => {
    const cause = new Error('14 UNAVAILABLE: No connection established to 10.1.2.3:7233');
    const app = testApp(
      t,
      stubGateway({ startResearch: () => Promise.reject(new TemporalUnavailableError({ cause })) }),
    );
    const response = await app.inject({ method: 'POST', url: '/research', payload: VALID_REQUEST });
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['retry-after'], '5');
    const problem = problemOf(response);
    assert.equal(problem.code, 'TEMPORAL_UNAVAILABLE');
    assert.doesNotMatch(response.body, /10\.1\.2\.3|UNAVAILABLE:|stack/);
  });
});

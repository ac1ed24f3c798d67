import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TemporalUnavailableError } from '../src/temporal/errors.js';
import { problemOf, stubGateway, testApp } from './support.js';

describe('health', () => {
  test('GET /healthz answers 200 without touching Temporal', async (t) => {
    const app = testApp(t, stubGateway({ ready: () => Promise.reject(new TemporalUnavailableError()) }));
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  test('GET /readyz answers 200 when Temporal is reachable', async (t) => {
    const app = testApp(t, stubGateway({ ready: async () => {} }));
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ready' });
  });

  test('GET /readyz answers 503 problem when Temporal is unreachable', async (t) => {
    const app = testApp(t, stubGateway({ ready: () => Promise.reject(new TemporalUnavailableError()) }));
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 503);
    assert.equal(problemOf(response).code, 'TEMPORAL_UNAVAILABLE');
  });
});

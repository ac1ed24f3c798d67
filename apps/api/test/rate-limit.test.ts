import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearer, problemOf, sampleView, stubGateway, testApiKey, testApp, testConfig } from './support.js';

const gateway = () => stubGateway({ getWorkflow: async () => sampleView(), ready: async () => {} });
const LIMIT = { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '60000' };

describe('rate limits', () => {
  test('answers 429 RATE_LIMITED with Retry-After once a caller exceeds RATE_LIMIT_MAX, per caller', async (t) => {
    const ana = testApiKey('ana', ['research:read']);
    const ben = testApiKey('ben', ['research:read']);
    const app = testApp(t, gateway(), {
      config: testConfig({ ...LIMIT, API_KEYS: JSON.stringify([ana.entry, ben.entry]) }),
    });
    const read = (key: string, remoteAddress = '127.0.0.1') =>
      app.inject({ method: 'GET', url: '/workflows/research-1', headers: bearer(key), remoteAddress });
    assert.equal((await read(ana.key)).statusCode, 200);
    // Another address does not give the same caller a fresh allowance.
    assert.equal((await read(ana.key, '127.0.0.9')).statusCode, 200);
    const limited = await read(ana.key);
    assert.equal(limited.statusCode, 429);
    assert.equal(problemOf(limited).code, 'RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${String(limited.headers['retry-after'])}`);
    assert.equal((await read(ben.key)).statusCode, 200, 'another caller has its own allowance');
  });

  test('limits requests with bad credentials by address', async (t) => {
    const ana = testApiKey('ana', ['research:read']);
    const app = testApp(t, gateway(), { config: testConfig({ ...LIMIT, API_KEYS: JSON.stringify([ana.entry]) }) });
    const guess = () => app.inject({ method: 'GET', url: '/workflows/research-1', headers: bearer('guess') });
    assert.equal((await guess()).statusCode, 401);
    assert.equal((await guess()).statusCode, 401);
    assert.equal((await guess()).statusCode, 429);
  });

  test('limits open mode per address and never limits the probes', async (t) => {
    const app = testApp(t, gateway(), { config: testConfig(LIMIT) });
    const read = (remoteAddress: string) => app.inject({ method: 'GET', url: '/workflows/research-1', remoteAddress });
    assert.equal((await read('127.0.0.1')).statusCode, 200);
    assert.equal((await read('127.0.0.1')).statusCode, 200);
    assert.equal((await read('127.0.0.1')).statusCode, 429);
    assert.equal((await read('127.0.0.2')).statusCode, 200);
    for (let i = 0; i < 5; i++) {
      assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLoopbackBindAddress, isLoopbackHostHeader } from '../src/auth/loopback.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { problemOf, stubGateway, testApiKey, testApp, testConfig } from './support.js';

const healthy = () => stubGateway({ ready: async () => {} });

describe('open mode (no authentication configured)', () => {
  test('answers requests addressed to localhost, 127.0.0.1 or [::1] on any port', async (t) => {
    const app = testApp(t, healthy());
    for (const host of ['localhost', 'localhost:3000', 'LOCALHOST:80', '127.0.0.1', '127.0.0.1:3000', '[::1]:3000']) {
      const response = await app.inject({ method: 'GET', url: '/readyz', headers: { host } });
      assert.equal(response.statusCode, 200, host);
    }
  });

  test('answers 421 HOST_NOT_ALLOWED to any other Host, as a rebound DNS name would send', async (t) => {
    const app = testApp(t, healthy());
    for (const host of [
      'evil.example',
      'evil.example:3000',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '10.0.0.5',
    ]) {
      const response = await app.inject({ method: 'GET', url: '/readyz', headers: { host } });
      assert.equal(response.statusCode, 421, host);
      assert.equal(problemOf(response).code, 'HOST_NOT_ALLOWED');
    }
  });

  test('does not guard the Host when AUTH_DISABLED=true serves a non-loopback address on purpose', async (t) => {
    const app = testApp(t, healthy(), { config: testConfig({ HOST: '0.0.0.0', AUTH_DISABLED: 'true' }) });
    const response = await app.inject({ method: 'GET', url: '/readyz', headers: { host: 'api.internal:3000' } });
    assert.equal(response.statusCode, 200);
  });

  test('does not guard the Host when authentication is configured', async (t) => {
    const key = testApiKey('ops', ['research:read']);
    const app = testApp(t, healthy(), { config: testConfig({ API_KEYS: JSON.stringify([key.entry]) }) });
    const response = await app.inject({ method: 'GET', url: '/readyz', headers: { host: 'api.example.com' } });
    assert.equal(response.statusCode, 200);
  });

  test('refuses to start on a non-loopback address without authentication unless AUTH_DISABLED=true', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.10', 'api.example.com']) {
      assert.throws(
        () => loadConfig({ HOST }),
        (error: unknown) =>
          error instanceof ConfigError && /at HOST/.test(error.message) && /AUTH_DISABLED/.test(error.message),
        HOST,
      );
      assert.equal(loadConfig({ HOST, AUTH_DISABLED: 'true' }).AUTH_DISABLED, true);
    }
    const key = testApiKey('ops', ['research:read']);
    assert.equal(loadConfig({ HOST: '0.0.0.0', API_KEYS: JSON.stringify([key.entry]) }).HOST, '0.0.0.0');
    for (const HOST of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]'])
      assert.equal(loadConfig({ HOST }).HOST, HOST);
  });

  test('tells loopback listen addresses and Host headers apart from everything else', () => {
    assert.ok(isLoopbackBindAddress('::ffff:127.0.0.1'));
    assert.ok(!isLoopbackBindAddress('0.0.0.0'));
    assert.ok(!isLoopbackBindAddress('128.0.0.1'));
    assert.ok(!isLoopbackHostHeader(undefined));
    assert.ok(!isLoopbackHostHeader('127.0.0.2'));
    assert.ok(!isLoopbackHostHeader('::1'));
    assert.ok(isLoopbackHostHeader('[::1]'));
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { temporalSettingsFromEnv } from '@research/config';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  test('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.PORT, 3000);
    assert.equal(config.LOG_LEVEL, 'info');
    assert.equal(config.TEMPORAL_ADDRESS, '127.0.0.1:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'default');
    assert.equal(config.BODY_LIMIT_BYTES, 16_384);
    assert.equal(config.APPROVAL_TIMEOUT_DEFAULT, undefined);
    assert.equal(temporalSettingsFromEnv(config).tls, false);
  });

  test('coerces numbers and booleans and treats empty values as unset', () => {
    const config = loadConfig({ PORT: '8080', TEMPORAL_TLS: 'true', HOST: '', APPROVAL_TIMEOUT_DEFAULT: '15m' });
    assert.equal(config.PORT, 8080);
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.TEMPORAL_TLS, true);
    assert.equal(config.APPROVAL_TIMEOUT_DEFAULT, '15m');
  });

  test('enables TLS when an API key is set', () => {
    assert.notEqual(temporalSettingsFromEnv(loadConfig({ TEMPORAL_API_KEY: 'k' })).tls, false);
    assert.equal(temporalSettingsFromEnv(loadConfig({ TEMPORAL_TLS: 'false' })).tls, false);
  });

  test('throws ConfigError listing every invalid value', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', TEMPORAL_TLS: 'maybe', APPROVAL_TIMEOUT_DEFAULT: '99d' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const name of ['PORT', 'LOG_LEVEL', 'TEMPORAL_TLS', 'APPROVAL_TIMEOUT_DEFAULT'])
          assert.match(error.message, new RegExp(name));
        return true;
      },
    );
  });

  test('rejects a client certificate without its key', () => {
    assert.throws(() => loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/tmp/c.pem' }), /TEMPORAL_TLS_CLIENT_KEY_PATH/);
  });
});

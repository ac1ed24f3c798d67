import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { temporalSettingsFromEnv } from '@research/config';
import { ConfigError, loadConfig } from '../src/config.js';
import { testApiKey } from './support.js';

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

  test('defaults to open mode, four-eyes on and 300 requests a minute', () => {
    const config = loadConfig({});
    assert.equal(config.API_KEYS, undefined);
    assert.equal(config.OIDC_ISSUER, undefined);
    assert.equal(config.AUTH_DISABLED, false);
    assert.equal(config.REQUIRE_DISTINCT_APPROVER, true);
    assert.equal(config.RATE_LIMIT_MAX, 300);
    assert.equal(config.RATE_LIMIT_WINDOW_MS, 60_000);
  });

  test('parses API_KEYS and API_KEYS_FILE, lower-casing the hashes', (t) => {
    const { entry } = testApiKey('ci-bot', ['research:submit', 'research:read']);
    const upper = { ...entry, keySha256: String(entry.keySha256).toUpperCase() };
    const [parsed] = loadConfig({ API_KEYS: JSON.stringify([upper]) }).API_KEYS ?? [];
    assert.deepEqual(parsed, entry);
    const dir = mkdtempSync(join(tmpdir(), 'api-keys-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify([entry]));
    assert.deepEqual(loadConfig({ API_KEYS_FILE: file }).API_KEYS_FILE, [entry]);
  });

  test('explains what is wrong with API_KEYS, naming the entry and field', () => {
    const { entry } = testApiKey('a', ['research:read']);
    const cases: [Record<string, string>, RegExp][] = [
      [{ API_KEYS: '{not json' }, /must be a JSON array such as[\s\S]*at API_KEYS/],
      [
        { API_KEYS: JSON.stringify([{ ...entry, keySha256: 'abc' }]) },
        /64 hex characters[\s\S]*at API_KEYS\[0\]\.keySha256/,
      ],
      [{ API_KEYS: JSON.stringify([{ ...entry, scopes: ['research:all'] }]) }, /at API_KEYS\[0\]\.scopes\[0\]/],
      [{ API_KEYS: JSON.stringify([{ ...entry, key: 'raw' }]) }, /at API_KEYS\[0\]/],
      [{ API_KEYS: JSON.stringify([entry, { ...entry, name: 'copy' }]) }, /duplicate id[\s\S]*at API_KEYS\[1\]\.id/],
      [{ API_KEYS: JSON.stringify([entry]), API_KEYS_FILE: '/tmp/x' }, /API_KEYS_FILE/],
      [{ API_KEYS_FILE: '/nonexistent/keys.json' }, /cannot read \/nonexistent\/keys\.json[\s\S]*at API_KEYS_FILE/],
      [{ OIDC_ISSUER: 'https://id.example.com' }, /OIDC_ISSUER and OIDC_AUDIENCE must be set together/],
      [{ OIDC_ISSUER: 'http://id.example.com', OIDC_AUDIENCE: 'api' }, /https URL[\s\S]*at OIDC_ISSUER/],
      [{ OIDC_ROLES_CLAIM: 'roles' }, /needs OIDC_ISSUER/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });
});

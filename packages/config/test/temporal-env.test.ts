import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import {
  checkTemporalEnv,
  temporalConnectionOptions,
  temporalEnvSchema,
  temporalSettingsFromEnv,
} from '../src/index.js';

const schema = temporalEnvSchema.superRefine(checkTemporalEnv);
const settings = (env: Record<string, string>) => temporalSettingsFromEnv(schema.parse(env));

describe('temporalSettingsFromEnv', () => {
  test('defaults to plaintext on 127.0.0.1:7233 in the default namespace', () => {
    assert.deepEqual(settings({}), { address: '127.0.0.1:7233', namespace: 'default', apiKey: undefined, tls: false });
  });

  test('turns TLS on for an API key or certificate unless TEMPORAL_TLS says otherwise', () => {
    assert.notEqual(settings({ TEMPORAL_API_KEY: 'key' }).tls, false);
    assert.notEqual(settings({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/ca.pem' }).tls, false);
    assert.notEqual(settings({ TEMPORAL_TLS: 'true' }).tls, false);
    assert.equal(settings({ TEMPORAL_TLS: 'false' }).tls, false);
  });

  test('rejects a client certificate without its key and TLS=false with an API key', () => {
    const result = schema.safeParse({
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem',
      TEMPORAL_TLS: 'false',
      TEMPORAL_API_KEY: 'k',
    });
    assert.equal(result.success, false);
    const text = z.prettifyError(result.error);
    assert.match(text, /TEMPORAL_TLS_CLIENT_KEY_PATH/);
    assert.match(text, /TEMPORAL_TLS=false contradicts/);
  });

  test('rejects an address that is not host:port', () => {
    assert.equal(schema.safeParse({ TEMPORAL_ADDRESS: 'http://temporal:7233' }).success, false);
    assert.equal(schema.safeParse({ TEMPORAL_ADDRESS: '[::1]:7233' }).success, true);
  });
});

describe('temporalConnectionOptions', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'temporal-config-'));
    await writeFile(join(dir, 'ca.pem'), 'CA');
    await writeFile(join(dir, 'client.pem'), 'CERT');
    await writeFile(join(dir, 'client.key'), 'KEY');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('reads the certificate files named by the settings', () => {
    const options = temporalConnectionOptions(
      settings({
        TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
        TEMPORAL_TLS_SERVER_NAME: 'ns.tmprl.cloud',
      }),
    );
    assert.equal(options.address, 'ns.tmprl.cloud:7233');
    assert.ok(options.tls);
    assert.equal(options.tls.serverNameOverride, 'ns.tmprl.cloud');
    assert.equal(options.tls.serverRootCACertificate?.toString(), 'CA');
    assert.equal(options.tls.clientCertPair?.crt.toString(), 'CERT');
    assert.equal(options.tls.clientCertPair?.key.toString(), 'KEY');
  });

  test('names the variable when a certificate cannot be read', () => {
    assert.throws(
      () => temporalConnectionOptions(settings({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'missing.pem') })),
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read/,
    );
  });

  test('passes the API key through', () => {
    assert.equal(temporalConnectionOptions(settings({ TEMPORAL_API_KEY: 'secret' })).apiKey, 'secret');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESEARCH_TASK_QUEUE } from '@research/contracts';
import { ConfigError, loadConfig } from '../src/config.js';

const REQUIRED = { OPENAI_API_KEY: 'sk-test' };

test('applies the documented defaults when only the API key is set', () => {
  const config = loadConfig(REQUIRED);
  assert.deepEqual(config.temporal, {
    address: '127.0.0.1:7233',
    namespace: 'default',
    apiKey: undefined,
    tls: false,
    connectTimeoutMs: 120_000,
  });
  assert.equal(config.taskQueue, RESEARCH_TASK_QUEUE);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.shutdownGraceTimeMs, 10_000);
  assert.equal(config.maxConcurrentActivities, 20);
  assert.equal(config.maxCachedWorkflows, 100);
  assert.equal(config.workflowBundlePath, undefined);
  assert.equal(config.activities.llm.model, 'gpt-4o-mini');
  assert.equal(config.activities.storage.databaseUrl, undefined);
});

test('treats empty variables as unset', () => {
  const config = loadConfig({ ...REQUIRED, TEMPORAL_ADDRESS: '', TASK_QUEUE: '', WORKER_SHUTDOWN_GRACE_TIME: '' });
  assert.equal(config.temporal.address, '127.0.0.1:7233');
  assert.equal(config.taskQueue, RESEARCH_TASK_QUEUE);
  assert.equal(config.shutdownGraceTimeMs, 10_000);
});

test('parses durations, counts and booleans', () => {
  const config = loadConfig({
    ...REQUIRED,
    WORKER_SHUTDOWN_GRACE_TIME: '30s',
    TEMPORAL_CONNECT_TIMEOUT: '500ms',
    MAX_CONCURRENT_ACTIVITIES: '5',
    MAX_CACHED_WORKFLOWS: '0',
    FETCH_ALLOW_PRIVATE_HOSTS: 'true',
  });
  assert.equal(config.maxCachedWorkflows, 0);
  assert.equal(config.shutdownGraceTimeMs, 30_000);
  assert.equal(config.temporal.connectTimeoutMs, 500);
  assert.equal(config.maxConcurrentActivities, 5);
  assert.equal(config.activities.fetch.allowPrivateHosts, true);
});

test('turns TLS on when an API key is set', () => {
  assert.notEqual(loadConfig({ ...REQUIRED, TEMPORAL_API_KEY: 'key' }).temporal.tls, false);
});

test('throws a ConfigError naming every invalid variable', () => {
  assert.throws(
    () =>
      loadConfig({
        WORKER_SHUTDOWN_GRACE_TIME: '10',
        MAX_CONCURRENT_ACTIVITIES: '0',
        MAX_CACHED_WORKFLOWS: '-1',
        TEMPORAL_ADDRESS: 'not a host',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of [
        'WORKER_SHUTDOWN_GRACE_TIME',
        'MAX_CONCURRENT_ACTIVITIES',
        'MAX_CACHED_WORKFLOWS',
        'TEMPORAL_ADDRESS',
      ]) {
        assert.match(error.message, new RegExp(name));
      }
      return true;
    },
  );
});

test('rejects a client certificate without its key', () => {
  assert.throws(
    () => loadConfig({ ...REQUIRED, TEMPORAL_TLS_CLIENT_CERT_PATH: '/tls/client.pem' }),
    /TEMPORAL_TLS_CLIENT_KEY_PATH/,
  );
});

test('traces only when an OTLP endpoint is set, as research-worker unless OTEL_SERVICE_NAME says otherwise', () => {
  assert.equal(loadConfig(REQUIRED).tracing, undefined);
  assert.deepEqual(loadConfig({ ...REQUIRED, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).tracing, {
    serviceName: 'research-worker',
    endpoint: 'http://127.0.0.1:4318/v1/traces',
    protocol: 'http/protobuf',
  });
  assert.throws(() => loadConfig({ ...REQUIRED, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), ConfigError);
});

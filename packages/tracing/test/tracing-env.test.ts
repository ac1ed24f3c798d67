import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { tracingEnvSchema, tracingSettingsFromEnv } from '../src/index.js';

const settings = (env: Record<string, string>) => tracingSettingsFromEnv(tracingEnvSchema.parse(env), 'research-x');

describe('tracingSettingsFromEnv', () => {
  test('is off without an OTLP endpoint', () => {
    assert.equal(settings({}), undefined);
    assert.equal(settings({ OTEL_SERVICE_NAME: 'named', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), undefined);
  });

  test('is off when OTEL_SDK_DISABLED=true, whatever else is set', () => {
    assert.equal(
      settings({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
      undefined,
    );
  });

  test('is off when OTEL_TRACES_EXPORTER=none, even with an endpoint set', () => {
    assert.equal(
      settings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }),
      undefined,
    );
  });

  test('OTEL_TRACES_EXPORTER=otlp without an endpoint sends to the specification default', () => {
    assert.deepEqual(settings({ OTEL_TRACES_EXPORTER: 'otlp' }), {
      serviceName: 'research-x',
      endpoint: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
    });
    assert.equal(
      settings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })?.endpoint,
      'http://collector:4318/v1/traces',
    );
  });

  test('refuses an exporter it does not include', () => {
    const result = tracingEnvSchema.safeParse({ OTEL_TRACES_EXPORTER: 'console' });
    assert.equal(result.success, false);
    assert.match(z.prettifyError(result.error), /must be otlp or none/);
  });

  test('sends to <base>/v1/traces over http/protobuf as the default service', () => {
    assert.deepEqual(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), {
      serviceName: 'research-x',
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
    });
  });

  test('prefers the traces-specific endpoint and protocol, and OTEL_SERVICE_NAME', () => {
    assert.deepEqual(
      settings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'gateway-eu',
      }),
      { serviceName: 'gateway-eu', endpoint: 'https://traces.example/otlp/traces', protocol: 'http/json' },
    );
  });

  test('rejects gRPC, a non-URL endpoint and a non-boolean OTEL_SDK_DISABLED with readable messages', () => {
    const result = tracingEnvSchema.safeParse({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_SDK_DISABLED: 'maybe',
    });
    assert.equal(result.success, false);
    const text = z.prettifyError(result.error);
    assert.match(text, /OTLP over gRPC is not supported\)\n\s*→ at OTEL_EXPORTER_OTLP_PROTOCOL/);
    assert.match(text, /must be an http\(s\) URL.*\n\s*→ at OTEL_EXPORTER_OTLP_ENDPOINT/);
    assert.match(text, /→ at OTEL_SDK_DISABLED/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@research/config';
import { loadActivitiesConfig } from '../src/config.js';

describe('loadActivitiesConfig', () => {
  it('applies defaults when only the API key is set', () => {
    assert.deepEqual(loadActivitiesConfig({ OPENAI_API_KEY: 'sk-test' }), {
      fetch: {
        timeoutMs: 15_000,
        maxRedirects: 5,
        maxBytes: 5 * 1024 * 1024,
        maxChars: 20_000,
        allowPrivateHosts: false,
        allowedPorts: [],
      },
      extract: { timeoutMs: 5_000, threads: 2, maxHtmlBytes: 2 * 1024 * 1024 },
      llm: {
        apiKey: 'sk-test',
        baseUrl: undefined,
        model: 'gpt-4o-mini',
        timeoutMs: 120_000,
        maxOutputTokens: 800,
        answerAttempts: 3,
        prices: {},
      },
      storage: { databaseUrl: undefined, schema: undefined, dataDir: '.data' },
      testHooks: { saveResultDelayAfterWriteMs: 0 },
      webhooks: { secret: undefined },
    });
  });

  it('reads every variable, treating empty ones as unset', () => {
    const config = loadActivitiesConfig({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
      OPENAI_MODEL: 'llama3',
      OPENAI_TIMEOUT_MS: '3000',
      OPENAI_MAX_OUTPUT_TOKENS: '300',
      FETCH_TIMEOUT_MS: '1000',
      FETCH_MAX_REDIRECTS: '0',
      FETCH_MAX_BYTES: '100',
      FETCH_MAX_CHARS: '50',
      FETCH_ALLOW_PRIVATE_HOSTS: 'true',
      FETCH_ALLOWED_PORTS: '8080, 8443',
      HTML_EXTRACT_TIMEOUT_MS: '700',
      HTML_EXTRACT_THREADS: '3',
      HTML_EXTRACT_MAX_BYTES: '4096',
      DATABASE_URL: '',
      DATA_DIR: '/tmp/research',
    });
    assert.deepEqual(config.fetch, {
      timeoutMs: 1000,
      maxRedirects: 0,
      maxBytes: 100,
      maxChars: 50,
      allowPrivateHosts: true,
      allowedPorts: [8080, 8443],
    });
    assert.deepEqual(config.extract, { timeoutMs: 700, threads: 3, maxHtmlBytes: 4096 });
    assert.deepEqual(config.llm, {
      apiKey: 'sk-test',
      baseUrl: 'http://127.0.0.1:9999/v1',
      model: 'llama3',
      timeoutMs: 3000,
      maxOutputTokens: 300,
      answerAttempts: 3,
      prices: {},
    });
    assert.deepEqual(config.storage, { databaseUrl: undefined, schema: undefined, dataDir: '/tmp/research' });
  });

  it('leaves the API key unset when it is not configured', () => {
    assert.equal(loadActivitiesConfig({}).llm.apiKey, undefined);
  });

  it('names every malformed variable', () => {
    assert.throws(
      () =>
        loadActivitiesConfig({
          FETCH_MAX_BYTES: 'lots',
          FETCH_ALLOW_PRIVATE_HOSTS: 'perhaps',
          FETCH_ALLOWED_PORTS: '8080,70000',
        }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /FETCH_MAX_BYTES/.test(error.message) &&
        /FETCH_ALLOW_PRIVATE_HOSTS/.test(error.message) &&
        /FETCH_ALLOWED_PORTS/.test(error.message),
    );
  });
});

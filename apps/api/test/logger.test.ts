import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { LOG_REDACT_PATHS } from '@research/config';
import { buildApp } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { bearer, sampleView, stubGateway, testApiKey, testConfig } from './support.js';

/** A pino destination that keeps every line written to it. */
function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { stream, lines };
}

const assertNoneLogged = (lines: readonly string[], secrets: readonly string[]) => {
  for (const secret of secrets) {
    for (const line of lines) assert.ok(!line.includes(secret), `${secret} was logged: ${line}`);
  }
};

/** The real app with the real logger at `level`, writing to `stream`, behind one API key. */
function appLoggingTo(t: TestContext, level: string, stream: Writable, key: { entry: Record<string, unknown> }) {
  const app = buildApp({
    config: testConfig({ LOG_LEVEL: level, API_KEYS: JSON.stringify([key.entry]) }),
    temporal: stubGateway({ getWorkflow: async () => sampleView() }),
    logger: createLogger(level, stream),
  });
  t.after(() => app.close());
  return app;
}

describe('API logger', () => {
  it('redacts authorization and API-key headers and key, token and password fields', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger('info', stream);
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/workflows',
          headers: { authorization: 'Bearer s3cret-bearer', 'x-api-key': 'k-123', cookie: 'sid=c-9' },
        },
        apiKey: 'sk-live-1',
        token: 'tok-2',
        password: 'pw-3',
        nested: { client: { password: 'pw-4' }, token: 'tok-5' },
        list: [{ secret: 'sec-6' }],
      },
      'request',
    );
    assert.equal(lines.length, 1);
    const line = lines[0] ?? '';
    assertNoneLogged(lines, ['s3cret-bearer', 'k-123', 'c-9', 'sk-live-1', 'tok-2', 'pw-3', 'pw-4', 'tok-5', 'sec-6']);
    const entry = JSON.parse(line) as Record<string, unknown> & { req: { url: string; headers: object } };
    assert.equal(entry.apiKey, '[redacted]');
    assert.deepEqual(entry.req.headers, {
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
    });
    assert.equal(entry.req.url, '/workflows');
    assert.deepEqual(entry.nested, { client: { password: '[redacted]' }, token: '[redacted]' });
  });

  it('hides a value at every path of LOG_REDACT_PATHS, with any name where a path has a wildcard', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger('info', stream);
    for (const [index, path] of LOG_REDACT_PATHS.entries()) {
      const names = [...path.matchAll(/[^.[\]"]+/g)].map(([name]) => (name === '*' ? 'anyName' : name));
      const secret = `secret-at-path-${index}`;
      const object = names.reduceRight<unknown>((inner, name) => ({ [name]: inner }), secret) as object;
      logger.info(object, 'path');
    }
    assert.equal(lines.length, LOG_REDACT_PATHS.length);
    assertNoneLogged(
      lines,
      LOG_REDACT_PATHS.map((_path, index) => `secret-at-path-${index}"`),
    );
  });

  it('redacts credential fields of logged errors and of child bindings, and leaves the logged objects intact', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger('info', stream);
    const error = Object.assign(new Error('upstream refused'), {
      token: 'err-tok-1',
      detail: { password: 'err-pw-2' },
    });
    const fields = { accessToken: 'at-3', workflowId: 'research-1' };
    logger.child({ apiKey: 'child-key-4', reqId: 'req-1' }).error({ err: error, fields }, 'failed');
    assertNoneLogged(lines, ['err-tok-1', 'err-pw-2', 'at-3', 'child-key-4']);
    const entry = JSON.parse(lines[0] ?? '') as { err: Record<string, unknown>; reqId: string; fields: object };
    assert.equal(entry.err.message, 'upstream refused');
    assert.equal(entry.err.type, 'Error');
    assert.match(String(entry.err.stack), /upstream refused/);
    assert.equal(entry.reqId, 'req-1');
    assert.deepEqual(entry.fields, { accessToken: '[redacted]', workflowId: 'research-1' });
    // Redaction copies: the caller's objects still hold their values.
    assert.equal(error.token, 'err-tok-1');
    assert.equal(fields.accessToken, 'at-3');
  });

  it('writes one access line per request at info, with no credential and no approval link token', async (t) => {
    const { stream, lines } = captureLines();
    const key = testApiKey('reader', ['research:read']);
    const app = appLoggingTo(t, 'info', stream, key);
    const linkToken = 'eyJ3b3JrZmxvd0lkIjoicmVzZWFyY2gtMSJ9.c2lnbmF0dXJlLW9mLXRoZS1saW5r';

    const read = await app.inject({
      method: 'GET',
      url: '/workflows/research-1?token=query-tok-1',
      headers: { ...bearer(key.key), 'x-request-id': 'req-access-1', cookie: 'sid=cookie-2' },
    });
    assert.equal(read.statusCode, 200);
    await app.inject({ method: 'GET', url: `/approval-links/${linkToken}`, headers: { 'x-request-id': 'req-link' } });
    await app.inject({ method: 'GET', url: '/workflows/research-1', headers: { authorization: 'Bearer wrong-key-3' } });

    assertNoneLogged(lines, [key.key, linkToken, 'query-tok-1', 'cookie-2', 'wrong-key-3']);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const forRead = entries.filter((entry) => entry.reqId === 'req-access-1');
    assert.equal(forRead.length, 1, JSON.stringify(forRead));
    assert.deepEqual(
      { ...forRead[0], time: undefined, pid: undefined, hostname: undefined, responseTime: undefined },
      {
        level: 30,
        time: undefined,
        pid: undefined,
        hostname: undefined,
        reqId: 'req-access-1',
        workflowId: 'research-1',
        method: 'GET',
        url: '/workflows/research-1?token=[redacted]',
        route: '/workflows/:id',
        statusCode: 200,
        responseTime: undefined,
        remoteAddress: '127.0.0.1',
        caller: 'reader',
        msg: 'request completed',
      },
    );
    assert.equal(typeof forRead[0]?.responseTime, 'number');
    const forLink = entries.find((entry) => entry.reqId === 'req-link');
    assert.equal(forLink?.url, '/approval-links/[redacted]');
    assert.equal(forLink?.route, '/approval-links/:token');
  });

  it('logs the incoming request at debug and keeps the probes below info', async (t) => {
    const { stream, lines } = captureLines();
    const key = testApiKey('reader', ['research:read']);
    const app = appLoggingTo(t, 'debug', stream, key);
    await app.inject({ method: 'GET', url: '/workflows/research-1', headers: { 'x-request-id': 'req-debug-1' } });
    await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'req-probe' } });
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const incoming = entries.find((entry) => entry.reqId === 'req-debug-1' && entry.msg === 'incoming request');
    assert.deepEqual(
      { level: incoming?.level, method: incoming?.method, url: incoming?.url },
      { level: 20, method: 'GET', url: '/workflows/research-1' },
    );
    assert.deepEqual(
      entries.filter((entry) => entry.reqId === 'req-probe'),
      [],
    );
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../src/logger.js';

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

describe('API logger', () => {
  it('redacts authorization and API-key headers and key, token and password fields', () => {
    const { stream, lines } = captureLines();
    const logger = createLogger('info', stream);
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/workflows',
          headers: { authorization: 'Bearer s3cret-bearer', 'x-api-key': 'k-123' },
        },
        apiKey: 'sk-live-1',
        token: 'tok-2',
        password: 'pw-3',
        nested: { client: { password: 'pw-4' }, token: 'tok-5' },
      },
      'request',
    );
    assert.equal(lines.length, 1);
    const line = lines[0] ?? '';
    for (const secret of ['s3cret-bearer', 'k-123', 'sk-live-1', 'tok-2', 'pw-3', 'pw-4', 'tok-5']) {
      assert.ok(!line.includes(secret), `${secret} was logged: ${line}`);
    }
    const entry = JSON.parse(line) as Record<string, unknown> & { req: { url: string; headers: object } };
    assert.equal(entry.apiKey, '[redacted]');
    assert.deepEqual(entry.req.headers, { authorization: '[redacted]', 'x-api-key': '[redacted]' });
    assert.equal(entry.req.url, '/workflows');
  });
});

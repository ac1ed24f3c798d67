import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, temporalLogger } from '../src/logger.js';

describe('worker logger', () => {
  it('redacts authorization headers and key, token and password fields, also in Temporal log metadata', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    const logger = createLogger('info', stream);
    logger.info({ req: { headers: { authorization: 'Bearer s3cret' } }, apiKey: 'sk-1', password: 'pw-2' }, 'direct');
    temporalLogger(logger).warn('from an activity', { token: 'tok-3', attempt: 2, options: { apiKey: 'sk-4' } });
    assert.equal(lines.length, 2);
    for (const secret of ['s3cret', 'sk-1', 'pw-2', 'tok-3', 'sk-4']) {
      assert.ok(!lines.join('\n').includes(secret), `${secret} was logged: ${lines.join('\n')}`);
    }
    const activity = JSON.parse(lines[1] ?? '{}') as { token?: string; attempt?: number };
    assert.equal(activity.token, '[redacted]');
    assert.equal(activity.attempt, 2);
  });
});

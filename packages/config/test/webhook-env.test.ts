import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadEnv, webhookSecretEnvSchema, webhookTargetsEnvSchema } from '../src/index.js';

const targets = (env: Record<string, string>) => loadEnv(webhookTargetsEnvSchema, env);
const secret = (env: Record<string, string>) => loadEnv(webhookSecretEnvSchema, env);

/** The start-up error for `env`, as the process prints it. */
function startupError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  return assert.fail('expected a ConfigError');
}

describe('webhook settings', () => {
  test('default to no targets and no reminders', () => {
    assert.deepEqual(targets({}), { WEBHOOK_URLS: [], APPROVAL_REMINDERS: [] });
    assert.equal(secret({}).WEBHOOK_SECRET, undefined);
  });

  test('read comma-separated target URLs and reminder points', () => {
    assert.deepEqual(
      targets({ WEBHOOK_URLS: 'https://hooks.example.com/a, http://10.0.0.5:8080/b', APPROVAL_REMINDERS: '50%,90%' }),
      { WEBHOOK_URLS: ['https://hooks.example.com/a', 'http://10.0.0.5:8080/b'], APPROVAL_REMINDERS: [0.5, 0.9] },
    );
  });

  test('stop start-up naming a relative, non-http or repeated target', () => {
    const relative = startupError(() => targets({ WEBHOOK_URLS: '/hooks' }));
    assert.match(relative, /at WEBHOOK_URLS/);
    assert.match(relative, /"\/hooks" is not an absolute http\(s\) URL/);
    assert.match(
      startupError(() => targets({ WEBHOOK_URLS: 'ftp://example.com/x' })),
      /WEBHOOK_URLS/,
    );
    assert.match(
      startupError(() => targets({ WEBHOOK_URLS: 'https://a.example,https://a.example' })),
      /twice/,
    );
  });

  test('stop start-up naming a reminder point outside the approval window', () => {
    const message = startupError(() => targets({ APPROVAL_REMINDERS: '50%,120%' }));
    assert.match(message, /APPROVAL_REMINDERS/);
    assert.match(message, /"120%"/);
  });

  test('accept a whsec_ secret of 24 to 64 bytes and refuse anything else', () => {
    const key = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
    assert.equal(secret({ WEBHOOK_SECRET: `whsec_${key(32)}` }).WEBHOOK_SECRET, `whsec_${key(32)}`);
    assert.equal(secret({ WEBHOOK_SECRET: key(24) }).WEBHOOK_SECRET, key(24));
    for (const bad of [`whsec_${key(16)}`, `whsec_${key(65)}`, 'whsec_not base64!', 'hunter2']) {
      const message = startupError(() => secret({ WEBHOOK_SECRET: bad }));
      assert.match(message, /at WEBHOOK_SECRET/, bad);
      assert.match(message, /must be whsec_ followed by 24 to 64 random bytes/, bad);
    }
  });
});

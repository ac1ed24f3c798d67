import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ensureSearchAttributes } from '../src/index.js';
import type { SearchAttributeLogger } from '../src/index.js';

const silent: SearchAttributeLogger = { info: () => undefined, warn: () => undefined };

describe('ensureSearchAttributes', () => {
  test('registers the research attributes with their IndexedValueType numbers (Keyword 2, Datetime 6)', async () => {
    const requests: unknown[] = [];
    const registered = await ensureSearchAttributes(
      { addSearchAttributes: async (request) => void requests.push(request) },
      'research',
      silent,
    );
    assert.equal(registered, true);
    assert.deepEqual(requests, [
      {
        namespace: 'research',
        searchAttributes: {
          ResearchStage: 2,
          ResearchSubmitter: 2,
          ResearchAwaitingSince: 6,
          ResearchApprovalDeadline: 6,
        },
      },
    ]);
  });

  test('counts attributes registered already (gRPC ALREADY_EXISTS) as registered', async () => {
    const alreadyExists = Object.assign(new Error('already exists'), { code: 6 });
    const registered = await ensureSearchAttributes(
      { addSearchAttributes: () => Promise.reject(alreadyExists) },
      'research',
      silent,
    );
    assert.equal(registered, true);
  });

  test('warns and returns false when the server refuses the registration', async () => {
    const warnings: string[] = [];
    const denied = Object.assign(new Error('permission denied'), { code: 7 });
    const registered = await ensureSearchAttributes({ addSearchAttributes: () => Promise.reject(denied) }, 'research', {
      info: () => undefined,
      warn: (_object, message) => void warnings.push(message),
    });
    assert.equal(registered, false);
    assert.equal(warnings.length, 1);
  });
});

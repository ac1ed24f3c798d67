import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from '../../src/persistence/index.js';

test('crc32 matches the standard check value and zlib for a range', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(Buffer.from('xx123456789yy'), 2, 11), 0xcbf43926);
});

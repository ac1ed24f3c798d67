import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineSearchAttributeKey, SearchAttributeType as SdkType, TypedSearchAttributes } from '@temporalio/common';
// The SDK's own encoder, so these tests follow whatever the pinned SDK version actually sends.
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';
import {
  compileListQuery,
  decodeSearchAttributePayload,
  encodeSearchAttributePayload,
  SearchAttributeError,
} from '../../src/visibility/index.js';
import { record, registry } from './fixtures.js';

test('decodes typed search attributes as the TypeScript SDK encodes them', () => {
  const due = new Date('2024-05-01T10:00:00.123Z');
  const payloads = encodeUnifiedSearchAttributes(
    undefined,
    new TypedSearchAttributes([
      { key: defineSearchAttributeKey('CustomerId', SdkType.KEYWORD), value: 'c1' },
      { key: defineSearchAttributeKey('Description', SdkType.TEXT), value: 'hello world' },
      { key: defineSearchAttributeKey('Priority', SdkType.INT), value: 3 },
      { key: defineSearchAttributeKey('Score', SdkType.DOUBLE), value: 1.5 },
      { key: defineSearchAttributeKey('IsVip', SdkType.BOOL), value: false },
      { key: defineSearchAttributeKey('DueAt', SdkType.DATETIME), value: due },
      { key: defineSearchAttributeKey('Tags', SdkType.KEYWORD_LIST), value: ['a', 'b'] },
    ]),
  );
  const decoded = Object.fromEntries(Object.entries(payloads).map(([k, p]) => [k, decodeSearchAttributePayload(p)]));
  assert.deepEqual(decoded, {
    CustomerId: 'c1',
    Description: 'hello world',
    Priority: 3,
    Score: 1.5,
    IsVip: false,
    DueAt: '2024-05-01T10:00:00.123Z',
    Tags: ['a', 'b'],
  });
  const r = record({ searchAttributes: decoded });
  const query = `CustomerId = 'c1' AND Priority = 3 AND IsVip = false AND Tags = 'b' AND DueAt = '2024-05-01T10:00:00.123Z'`;
  assert.equal(compileListQuery(query, registry()).matches(r), true);
});

test('decodes the deprecated untyped encoding with the registered type', () => {
  const payloads = encodeUnifiedSearchAttributes({ CustomerId: ['c1'], Tags: ['x'], Priority: [7] }, undefined);
  assert.equal(decodeSearchAttributePayload(payloads.CustomerId!, 'Keyword'), 'c1');
  assert.deepEqual(decodeSearchAttributePayload(payloads.Tags!, 'KeywordList'), ['x']);
  assert.equal(decodeSearchAttributePayload(payloads.Priority!, 'Int'), 7);
  // Without a registered type the JSON comes back as sent; the evaluator unwraps single-element arrays.
  assert.deepEqual(decodeSearchAttributePayload(payloads.CustomerId!), ['c1']);
});

test('decodes a removal (null value) as null', () => {
  const payloads = encodeUnifiedSearchAttributes(undefined, [
    { key: defineSearchAttributeKey('CustomerId', SdkType.KEYWORD), value: null },
  ]);
  assert.equal(decodeSearchAttributePayload(payloads.CustomerId!), null);
  const binaryNull = { metadata: { encoding: new TextEncoder().encode('binary/null') } };
  assert.equal(decodeSearchAttributePayload(binaryNull), null);
});

test('round-trips through encodeSearchAttributePayload with the type in the metadata', () => {
  const payload = encodeSearchAttributePayload(['a'], 'KeywordList');
  assert.equal(new TextDecoder().decode(payload.metadata.type), 'KeywordList');
  assert.deepEqual(decodeSearchAttributePayload(payload), ['a']);
  const legacyType = {
    ...payload,
    metadata: { ...payload.metadata, type: new TextEncoder().encode('INDEXED_VALUE_TYPE_KEYWORD') },
  };
  assert.equal(decodeSearchAttributePayload({ ...legacyType, data: new TextEncoder().encode('["k"]') }), 'k');
});

test('rejects payloads that are not JSON search attribute values', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const bad = (p: Parameters<typeof decodeSearchAttributePayload>[0]) =>
    assert.throws(() => decodeSearchAttributePayload(p), SearchAttributeError);
  bad({ metadata: { encoding: enc('binary/plain') }, data: enc('x') });
  bad({ metadata: {}, data: enc('"x"') });
  bad({ metadata: { encoding: enc('json/plain') }, data: enc('{not json') });
  bad({ metadata: { encoding: enc('json/plain'), type: enc('Keyword') }, data: enc('["a","b"]') });
});

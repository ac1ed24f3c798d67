import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  indexedValueType,
  SearchAttributeError,
  SearchAttributeRegistry,
  searchAttributeTypeFrom,
} from '../../src/visibility/index.js';

test('knows system attributes and registered custom ones', () => {
  const reg = new SearchAttributeRegistry({ CustomerId: 'Keyword' });
  assert.equal(reg.typeOf('WorkflowId'), 'Keyword');
  assert.equal(reg.typeOf('StartTime'), 'Datetime');
  assert.equal(reg.typeOf('BuildIds'), 'KeywordList');
  assert.equal(reg.typeOf('CustomerId'), 'Keyword');
  assert.equal(reg.typeOf('customerid'), undefined);
  assert.equal(reg.typeOf('toString'), undefined);
  assert.deepEqual(reg.list().custom, { CustomerId: 'Keyword' });
  assert.equal(reg.list().system.HistoryLength, 'Int');
  assert.equal(reg.remove('CustomerId'), true);
  assert.equal(reg.typeOf('CustomerId'), undefined);
});

test('refuses reserved, conflicting and malformed names', () => {
  const reg = new SearchAttributeRegistry({ CustomerId: 'Keyword' });
  const reason = (r: string) => (err: unknown) => err instanceof SearchAttributeError && err.reason === r;
  assert.throws(() => reg.add('WorkflowId', 'Keyword'), reason('reserved'));
  assert.throws(() => reg.add('TemporalFoo', 'Keyword'), reason('reserved'));
  assert.throws(() => reg.add('CustomerId', 'Int'), reason('conflict'));
  assert.throws(() => reg.add('has space', 'Int'), reason('invalid-name'));
  reg.add('CustomerId', 'Keyword');
  assert.equal(reg.remove('WorkflowId'), false);
});

test('maps types to and from IndexedValueType', () => {
  assert.equal(indexedValueType('KeywordList'), 7);
  assert.equal(searchAttributeTypeFrom(2), 'Keyword');
  assert.equal(searchAttributeTypeFrom('INDEXED_VALUE_TYPE_KEYWORD_LIST'), 'KeywordList');
  assert.equal(searchAttributeTypeFrom('Datetime'), 'Datetime');
  assert.equal(searchAttributeTypeFrom(0), undefined);
});

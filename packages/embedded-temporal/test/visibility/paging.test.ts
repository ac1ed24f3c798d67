import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileListQuery,
  decodePageToken,
  encodePageToken,
  listPage,
  ListQueryError,
  type VisibilityRecord,
} from '../../src/visibility/index.js';
import { record, registry } from './fixtures.js';

function pageThrough(
  records: VisibilityRecord[],
  query: string,
  pageSize: number,
  between?: (page: number) => void,
): string[] {
  const compiled = compileListQuery(query, registry());
  const seen: string[] = [];
  let token: Uint8Array | undefined;
  for (let page = 0; page < 100; page++) {
    const result = listPage(records, compiled, { pageSize, nextPageToken: token });
    seen.push(...result.records.map((r) => r.workflowId));
    if (result.nextPageToken.length === 0) return seen;
    token = result.nextPageToken;
    between?.(page);
  }
  throw new Error('paging did not end');
}

test('visits every matching record exactly once, in order, ending with an empty token', () => {
  // Shared start times force the RunId tie-break to keep pages apart.
  const records = Array.from({ length: 23 }, (_, i) => record({ workflowId: `wf-${i}`, at: Math.floor(i / 4) }));
  const compiled = compileListQuery('', registry());
  const expected = [...records].sort(compiled.compare).map((r) => r.workflowId);
  for (const size of [1, 4, 5, 23, 50]) assert.deepEqual(pageThrough(records, '', size), expected, `page size ${size}`);
});

test('stays stable when runs start between pages', () => {
  const records = Array.from({ length: 10 }, (_, i) => record({ workflowId: `wf-${i}`, at: i }));
  const expected = pageThrough(records, 'ORDER BY StartTime ASC', 100);
  // New runs sort after everything already returned, so the rest of the walk still sees each old run once.
  const seen = pageThrough(records, 'ORDER BY StartTime ASC', 3, (page) =>
    records.push(record({ workflowId: `new-${page}`, at: 100 + page })),
  );
  assert.deepEqual(seen.slice(0, 10), expected);
  assert.equal(new Set(seen).size, seen.length);
});

test('pages over absent sort values and Datetime keys with nanoseconds', () => {
  const records = [
    record({ workflowId: 'none-1' }),
    record({ workflowId: 'due-1', searchAttributes: { DueAt: '2024-01-01T00:00:00.000000001Z' } }),
    record({ workflowId: 'due-0', searchAttributes: { DueAt: '2024-01-01T00:00:00Z' } }),
    record({ workflowId: 'none-2' }),
  ];
  assert.deepEqual(pageThrough(records, 'ORDER BY DueAt DESC', 1).slice(2), ['due-1', 'due-0']);
  assert.deepEqual(new Set(pageThrough(records, 'ORDER BY DueAt DESC', 1)).size, 4);
});

test('rejects a token that is malformed or was made for another ordering', () => {
  const byStart = compileListQuery('', registry());
  const byPriority = compileListQuery('ORDER BY Priority', registry());
  const token = encodePageToken(byStart, record());
  assert.equal(decodePageToken(byStart, token).length, 2);
  const invalid = (err: unknown): boolean =>
    err instanceof ListQueryError && err.reason === 'invalid-page-token' && err.message === 'invalid page token';
  assert.throws(() => decodePageToken(byPriority, token), invalid);
  assert.throws(() => decodePageToken(byStart, new TextEncoder().encode('garbage')), invalid);
  assert.throws(
    () =>
      decodePageToken(byStart, new TextEncoder().encode('{"v":1,"order":"StartTime DESC,RunId ASC","key":[["q"]]}')),
    invalid,
  );
  assert.throws(() => listPage([], byPriority, { pageSize: 10, nextPageToken: token }), invalid);
});

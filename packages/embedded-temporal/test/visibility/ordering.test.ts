import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileListQuery, type VisibilityRecord } from '../../src/visibility/index.js';
import { record, registry } from './fixtures.js';

const sorted = (query: string, records: VisibilityRecord[]): string[] => {
  const compiled = compileListQuery(query, registry());
  return records
    .filter((r) => compiled.matches(r))
    .sort(compiled.compare)
    .map((r) => r.workflowId);
};

test('orders by StartTime DESC then RunId when the query has no ORDER BY', () => {
  const records = [
    record({ workflowId: 'old', at: 1 }),
    record({ workflowId: 'new', at: 3 }),
    record({ workflowId: 'tie-b', at: 2, runId: 'b' }),
    record({ workflowId: 'tie-a', at: 2, runId: 'a' }),
  ];
  assert.deepEqual(sorted('', records), ['new', 'tie-a', 'tie-b', 'old']);
  assert.deepEqual(compileListQuery('', registry()).orderBy, [
    { attribute: 'StartTime', direction: 'DESC' },
    { attribute: 'RunId', direction: 'ASC' },
  ]);
});

test('orders by several terms with explicit directions', () => {
  const records = [
    record({ workflowId: 'p1-late', at: 5, searchAttributes: { Priority: 1 } }),
    record({ workflowId: 'p2', at: 1, searchAttributes: { Priority: 2 } }),
    record({ workflowId: 'p1-early', at: 0, searchAttributes: { Priority: 1 } }),
  ];
  assert.deepEqual(sorted('ORDER BY Priority DESC, StartTime ASC', records), ['p2', 'p1-early', 'p1-late']);
  assert.deepEqual(sorted('ORDER BY Priority, StartTime DESC', records), ['p1-late', 'p1-early', 'p2']);
  assert.deepEqual(sorted(`Priority = 1 order by StartTime`, records), ['p1-early', 'p1-late']);
});

test('puts absent values first when descending and last when ascending', () => {
  const records = [
    record({ workflowId: 'closed-early', closeTime: new Date('2024-02-01T00:00:00Z') }),
    record({ workflowId: 'running' }),
    record({ workflowId: 'closed-late', closeTime: new Date('2024-03-01T00:00:00Z') }),
  ];
  assert.deepEqual(sorted('ORDER BY CloseTime DESC', records), ['running', 'closed-late', 'closed-early']);
  assert.deepEqual(sorted('ORDER BY CloseTime ASC', records), ['closed-early', 'closed-late', 'running']);
});

test('orders ExecutionStatus by enum number, Keyword by code unit and Bool false first', () => {
  const records = [
    record({ workflowId: 'b', status: 'Failed', searchAttributes: { IsVip: true } }),
    record({ workflowId: 'B', status: 'Running', searchAttributes: { IsVip: false } }),
    record({ workflowId: 'a', status: 'Completed' }),
  ];
  assert.deepEqual(sorted('ORDER BY ExecutionStatus', records), ['B', 'a', 'b']);
  assert.deepEqual(sorted('ORDER BY WorkflowId', records), ['B', 'a', 'b']);
  assert.deepEqual(sorted('ORDER BY IsVip', records), ['B', 'b', 'a']);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileListQuery, type VisibilityRecord } from '../../src/visibility/index.js';
import { record, registry } from './fixtures.js';

const a = record({
  workflowId: 'order-1',
  workflowType: 'Checkout',
  status: 'Running',
  historyLength: 5,
  searchAttributes: {
    CustomerId: 'c1',
    Priority: 1,
    Tags: ['red', 'blue'],
    IsVip: true,
    Description: 'Refund for damaged-item #42',
  },
});
const b = record({
  workflowId: 'order-2',
  workflowType: 'Checkout',
  status: 'Completed',
  historyLength: 50,
  closeTime: new Date('2024-01-02T00:00:00Z'),
  searchAttributes: {
    CustomerId: 'c2',
    Priority: 5,
    Score: 0.5,
    Tags: ['green'],
    DueAt: '2024-03-01T12:00:00.000000001Z',
  },
});
const c = record({
  workflowId: 'invoice-1',
  workflowType: 'Billing',
  status: 'Failed',
  historyLength: 500,
  closeTime: new Date('2024-01-03T00:00:00Z'),
  searchAttributes: { Priority: 10, Score: 2.5, IsVip: false, DueAt: '2024-03-01T13:00:00+01:00' },
});
const all = [a, b, c];

function ids(query: string, records: VisibilityRecord[] = all): string[] {
  const compiled = compileListQuery(query, registry());
  return records.filter((r) => compiled.matches(r)).map((r) => r.workflowId);
}

describe('list filter evaluation', () => {
  test('an empty or blank query matches every record', () => {
    assert.deepEqual(ids(''), ['order-1', 'order-2', 'invoice-1']);
    assert.deepEqual(ids('   '), ['order-1', 'order-2', 'invoice-1']);
  });

  test('compares Keyword system attributes with = and !=', () => {
    assert.deepEqual(ids(`WorkflowType = 'Checkout'`), ['order-1', 'order-2']);
    assert.deepEqual(ids(`WorkflowType != "Checkout"`), ['invoice-1']);
    assert.deepEqual(ids(`WorkflowType <> 'Checkout'`), ['invoice-1']);
    assert.deepEqual(ids(`TaskQueue = 'research' AND RunId = '${b.runId}'`), ['order-2']);
  });

  test('binds AND tighter than OR, and parentheses override it', () => {
    const q1 = `WorkflowType = 'Billing' OR WorkflowType = 'Checkout' AND CustomerId = 'c1'`;
    assert.deepEqual(ids(q1), ['order-1', 'invoice-1']);
    const q2 = `(WorkflowType = 'Billing' OR WorkflowType = 'Checkout') AND CustomerId = 'c1'`;
    assert.deepEqual(ids(q2), ['order-1']);
    assert.deepEqual(ids(`((((WorkflowId = 'order-2'))))`), ['order-2']);
  });

  test('negates with NOT, binding tighter than AND', () => {
    assert.deepEqual(ids(`NOT WorkflowType = 'Checkout' AND HistoryLength > 10`), ['invoice-1']);
    assert.deepEqual(ids(`NOT (WorkflowType = 'Checkout' OR HistoryLength > 100)`), []);
    assert.deepEqual(ids(`NOT NOT WorkflowId = 'order-1'`), ['order-1']);
  });

  test('treats keywords case-insensitively and names case-sensitively', () => {
    assert.deepEqual(
      ids(`WorkflowId = 'x' oR WorkflowId = 'order-1' and NOT HistoryLength In (1) order by StartTime asc`),
      ['order-1'],
    );
    assert.throws(() => ids(`workflowId = 'order-1'`), /unknown search attribute workflowId/);
  });

  test('supports IN and NOT IN', () => {
    assert.deepEqual(ids(`WorkflowId IN ('order-1', 'invoice-1', 'nope')`), ['order-1', 'invoice-1']);
    assert.deepEqual(ids(`WorkflowId NOT IN ('order-1')`), ['order-2', 'invoice-1']);
    assert.deepEqual(ids(`Priority IN (5, 10)`), ['order-2', 'invoice-1']);
    assert.deepEqual(ids(`ExecutionStatus IN ('Completed', 'Failed')`), ['order-2', 'invoice-1']);
  });

  test('compares numbers with range operators and BETWEEN (inclusive)', () => {
    assert.deepEqual(ids('HistoryLength > 5'), ['order-2', 'invoice-1']);
    assert.deepEqual(ids('HistoryLength >= 5 AND HistoryLength < 500'), ['order-1', 'order-2']);
    assert.deepEqual(ids('HistoryLength <= 50'), ['order-1', 'order-2']);
    assert.deepEqual(ids('Priority BETWEEN 1 AND 5'), ['order-1', 'order-2']);
    assert.deepEqual(ids('Priority NOT BETWEEN 1 AND 5'), ['invoice-1']);
    assert.deepEqual(ids('Score > 1e0'), ['invoice-1']);
    assert.deepEqual(ids('Score < 1 AND Score >= -0.5'), ['order-2']);
  });

  test('compares Datetime attributes as instants, with offsets and nanoseconds', () => {
    assert.deepEqual(ids(`StartTime >= '${b.startTime.toISOString()}'`), ['order-2', 'invoice-1']);
    assert.deepEqual(ids(`StartTime BETWEEN '${a.startTime.toISOString()}' AND '${b.startTime.toISOString()}'`), [
      'order-1',
      'order-2',
    ]);
    // 13:00+01:00 is 12:00Z, one nanosecond before b's DueAt.
    assert.deepEqual(ids(`DueAt > '2024-03-01T12:00:00Z'`), ['order-2']);
    assert.deepEqual(ids(`DueAt = '2024-03-01T12:00:00Z'`), ['invoice-1']);
    assert.deepEqual(ids(`DueAt >= '2024-03-01T12:00:00.000000001Z'`), ['order-2']);
    assert.deepEqual(ids(`CloseTime < '2024-01-02T12:00:00-00:30'`), ['order-2']);
    assert.deepEqual(ids(`CloseTime > ${BigInt(Date.UTC(2024, 0, 2, 12)) * 1_000_000n}`), ['invoice-1']);
  });

  test('matches ExecutionStatus by name or enum number', () => {
    assert.deepEqual(ids(`ExecutionStatus = 'Running'`), ['order-1']);
    assert.deepEqual(ids(`ExecutionStatus = 2`), ['order-2']);
    assert.throws(() => ids(`ExecutionStatus = 'Done'`), /invalid value 'Done' .*ExecutionStatus.*Running, Completed/);
  });

  test('matches STARTS_WITH on Keyword and on any KeywordList element', () => {
    assert.deepEqual(ids(`WorkflowId STARTS_WITH 'order-'`), ['order-1', 'order-2']);
    assert.deepEqual(ids(`WorkflowId NOT STARTS_WITH 'order-'`), ['invoice-1']);
    assert.deepEqual(ids(`Tags STARTS_WITH 'gr'`), ['order-2']);
  });

  test('treats = on a KeywordList as "contains"', () => {
    assert.deepEqual(ids(`Tags = 'blue'`), ['order-1']);
    assert.deepEqual(ids(`Tags IN ('green', 'red')`), ['order-1', 'order-2']);
    assert.deepEqual(ids(`Tags != 'blue'`), ['order-2']);
  });

  test('matches a Text attribute when any word of the literal is a word of the value', () => {
    assert.deepEqual(ids(`Description = 'damaged'`), ['order-1']);
    assert.deepEqual(ids(`Description = 'REFUND'`), ['order-1']);
    assert.deepEqual(ids(`Description = 'dam'`), []);
    assert.deepEqual(ids(`Description = 'nothing item'`), ['order-1']);
  });

  test('compares Bool attributes with literals or quoted booleans', () => {
    assert.deepEqual(ids('IsVip = true'), ['order-1']);
    assert.deepEqual(ids(`IsVip = 'false'`), ['invoice-1']);
    assert.deepEqual(ids('IsVip != TRUE'), ['invoice-1']);
  });

  test('IS NULL and IS NOT NULL test presence; comparisons with an absent value never match', () => {
    assert.deepEqual(ids('CloseTime IS NULL'), ['order-1']);
    assert.deepEqual(ids('CloseTime is not null'), ['order-2', 'invoice-1']);
    assert.deepEqual(ids('CustomerId IS NULL'), ['invoice-1']);
    // SQL three-valued logic: invoice-1 has no CustomerId, so neither the test nor its negation holds.
    assert.deepEqual(ids(`CustomerId != 'c1'`), ['order-2']);
    assert.deepEqual(ids(`NOT CustomerId = 'c1'`), ['order-2']);
    assert.deepEqual(ids(`CustomerId != 'c1' OR CustomerId IS NULL`), ['order-2', 'invoice-1']);
    assert.deepEqual(ids(`CustomerId = 'zz' OR HistoryLength = 500`), ['invoice-1']);
  });

  test('reads string escapes: doubled quotes and backslashes', () => {
    const odd = record({ workflowId: `it's "quoted"\\` });
    assert.deepEqual(ids(`WorkflowId = 'it''s "quoted"\\\\'`, [odd]), [odd.workflowId]);
    assert.deepEqual(ids(`WorkflowId = "it's \\"quoted\\"\\\\"`, [odd]), [odd.workflowId]);
    assert.deepEqual(ids(`WorkflowId = 'it\\'s "quoted"\\\\'`, [odd]), [odd.workflowId]);
  });

  test('accepts backquoted attribute names', () => {
    assert.deepEqual(ids('`HistoryLength` = 5'), ['order-1']);
  });

  test('unwraps legacy single-element arrays and ignores values of the wrong type', () => {
    const legacy = record({
      searchAttributes: { CustomerId: ['c9'], Priority: 'high', DueAt: new Date('2030-01-01T00:00:00Z') },
    });
    assert.equal(compileListQuery(`CustomerId = 'c9'`, registry()).matches(legacy), true);
    assert.equal(compileListQuery('Priority IS NULL', registry()).matches(legacy), true);
    assert.equal(compileListQuery(`DueAt > '2029-12-31T00:00:00Z'`, registry()).matches(legacy), true);
  });

  test('uses attributes registered after construction', () => {
    const reg = registry();
    reg.add('Region', 'Keyword');
    const r = record({ searchAttributes: { Region: 'eu' } });
    assert.equal(compileListQuery(`Region = 'eu'`, reg).matches(r), true);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileListQuery, ListQueryError, type ListQueryErrorReason } from '../../src/visibility/index.js';
import { registry } from './fixtures.js';

function rejects(query: string, reason: ListQueryErrorReason, message: RegExp): void {
  assert.throws(
    () => compileListQuery(query, registry()),
    (err: unknown) => {
      assert.ok(err instanceof ListQueryError, `not a ListQueryError: ${String(err)}`);
      assert.equal(err.reason, reason, err.message);
      assert.match(err.message, message);
      return true;
    },
  );
}

test('names an unknown search attribute, in filters and ORDER BY', () => {
  rejects(`Foo = 'bar'`, 'unknown-attribute', /^invalid query: unknown search attribute Foo$/);
  rejects(`WorkflowId = 'x' ORDER BY Bar DESC`, 'unknown-attribute', /unknown search attribute Bar/);
  rejects(`Foo IS NULL`, 'unknown-attribute', /unknown search attribute Foo/);
});

test('rejects literals of the wrong type for the attribute', () => {
  rejects(
    `HistoryLength = 'ten'`,
    'type-mismatch',
    /^invalid query: invalid value 'ten' for Int search attribute HistoryLength: expected an integer$/,
  );
  rejects('Priority = 1.5', 'type-mismatch', /expected an integer/);
  rejects('WorkflowId = 5', 'type-mismatch', /invalid value 5 for Keyword search attribute WorkflowId/);
  rejects(`StartTime > '2024-01-01'`, 'type-mismatch', /expected an RFC 3339 timestamp/);
  rejects(`StartTime > '2024-02-30T00:00:00Z'`, 'type-mismatch', /RFC 3339/);
  rejects(`IsVip = 'yes'`, 'type-mismatch', /expected true or false/);
  rejects(`Tags IN ('a', 3)`, 'type-mismatch', /KeywordList search attribute Tags/);
  rejects(`Score BETWEEN 1 AND 'x'`, 'type-mismatch', /Double search attribute Score/);
});

test('rejects operators the attribute type does not support', () => {
  rejects('IsVip > true', 'unsupported-operator', /operator > is not supported for Bool search attribute IsVip/);
  rejects(`Description STARTS_WITH 'x'`, 'unsupported-operator', /STARTS_WITH is not supported for Text/);
  rejects(`ExecutionStatus > 'Running'`, 'unsupported-operator', /not supported for ExecutionStatus/);
  rejects(`Tags BETWEEN 'a' AND 'b'`, 'unsupported-operator', /BETWEEN/);
  rejects(
    'ORDER BY Description',
    'unsupported-operator',
    /ORDER BY is not supported for Text search attribute Description/,
  );
  rejects('ORDER BY Tags', 'unsupported-operator', /KeywordList/);
  rejects(`WorkflowId LIKE 'a%'`, 'unsupported-operator', /LIKE is not supported/);
  rejects(`WorkflowId = 'a' GROUP BY ExecutionStatus`, 'unsupported-operator', /GROUP clause/);
});

test('reports syntax errors with a position', () => {
  rejects(
    `WorkflowId = `,
    'syntax',
    /^invalid query: syntax error at position 14: expected a value, found end of query$/,
  );
  rejects(`WorkflowId = 'a`, 'syntax', /unterminated string literal/);
  rejects(`(WorkflowId = 'a'`, 'syntax', /expected '\)'/);
  rejects(`WorkflowId = 'a' WorkflowType = 'b'`, 'syntax', /position 18: expected AND, OR, ORDER BY/);
  rejects(`WorkflowId 'a'`, 'syntax', /expected an operator after WorkflowId/);
  rejects(`WorkflowId = WorkflowType`, 'syntax', /comparing two attributes is not supported/);
  rejects(`WorkflowId IN ()`, 'syntax', /expected a value/);
  rejects(`StartTime BETWEEN '2024-01-01T00:00:00Z' '2024-01-02T00:00:00Z'`, 'syntax', /expected AND/);
  rejects(`WorkflowId = 'a' AND`, 'syntax', /expected a search attribute name/);
  rejects(`WorkflowId = 'a' ORDER WorkflowId`, 'syntax', /expected BY/);
  rejects(`WorkflowId = 'a' ; DROP`, 'syntax', /unexpected ";"/);
  rejects(`Priority = 12abc`, 'syntax', /malformed number/);
});

test('refuses queries over 32 KiB or nested over 100 deep as too complex', () => {
  const term = `WorkflowId = 'x'`;
  rejects(`${'('.repeat(101)}${term}${')'.repeat(101)}`, 'too-complex', /^invalid query: max nesting level reached/);
  rejects(`${'NOT '.repeat(101)}${term}`, 'too-complex', /nest at most 100 deep/);
  rejects(`${term}${' '.repeat(32 * 1024)}`, 'too-complex', /query is 32784 bytes long, the limit is 32768/);
  // Multi-byte characters count as the bytes they take.
  rejects(`WorkflowId = '${'é'.repeat(16 * 1024)}'`, 'too-complex', /the limit is 32768/);
  compileListQuery(`${'('.repeat(100)}${term}${')'.repeat(100)}`, registry());
});

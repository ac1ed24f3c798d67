import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { diffSummary } from '../src/summary-diff.js';

describe('diffSummary', () => {
  it('hashes the edited summary and diffs it against the draft in unified format', () => {
    const edit = diffSummary({
      draftSummary: 'Durable execution survives crashes.\nIt retries steps.',
      draftSha256: 'd'.repeat(64),
      editedSummary: 'Durable execution survives worker crashes.\nIt retries steps.',
    });
    assert.equal(edit.draftSha256, 'd'.repeat(64));
    assert.equal(
      edit.editedSha256,
      createHash('sha256')
        .update('Durable execution survives worker crashes.\nIt retries steps.', 'utf8')
        .digest('hex'),
    );
    assert.equal(
      edit.diff,
      [
        '===================================================================',
        '--- draft',
        '+++ edited',
        '@@ -1,2 +1,2 @@',
        '-Durable execution survives crashes.',
        '+Durable execution survives worker crashes.',
        ' It retries steps.',
        '',
      ].join('\n'),
    );
  });

  it('gives an empty hunk list when nothing changed', () => {
    const edit = diffSummary({ draftSummary: 'Same.', draftSha256: null, editedSummary: 'Same.' });
    assert.doesNotMatch(edit.diff, /@@/);
  });
});

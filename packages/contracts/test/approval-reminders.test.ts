import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseApprovalReminders, reminderLabel } from '../src/index.js';

describe('parseApprovalReminders', () => {
  test('reads percentages of the approval window as ascending fractions', () => {
    assert.deepEqual(parseApprovalReminders('90%, 50%'), { fractions: [0.5, 0.9] });
    assert.deepEqual(parseApprovalReminders('12.5%'), { fractions: [0.125] });
  });

  test('reads an empty value as no reminders', () => {
    assert.deepEqual(parseApprovalReminders(''), { fractions: [] });
  });

  test('refuses 0%, 100% and more, bare numbers, durations and repeats, naming the bad part', () => {
    for (const [text, part] of [
      ['0%', '"0%"'],
      ['50%,100%', '"100%"'],
      ['150%', '"150%"'],
      ['50', '"50"'],
      ['1h', '"1h"'],
      ['-5%', '"-5%"'],
      ['50%,50%', 'twice'],
    ] as const) {
      const parsed = parseApprovalReminders(text);
      assert.ok('error' in parsed, text);
      assert.match(parsed.error, new RegExp(part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), text);
    }
  });

  test('refuses more than ten reminders', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `${i + 1}%`).join(',');
    assert.ok('error' in parseApprovalReminders(eleven));
  });

  test('labels a fraction as the percentage it was configured as', () => {
    assert.equal(reminderLabel(0.5), '50%');
    assert.equal(reminderLabel(0.125), '12.5%');
  });
});

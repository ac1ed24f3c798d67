// Reads the recorded histories in test/fixtures/histories (written by scripts/record-histories.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { History } from '@temporalio/common/lib/proto-utils.js';

/** Workflow id of the run recorded as fixture `name`; replay passes it back, since histories do not hold it. */
export const fixtureWorkflowId = (name: string): string => `replay-${name}`;

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/histories', import.meta.url));

/**
 * The fixtures recorded before the recorder bundled the workflows as the production worker does (with
 * OpenTelemetry's workflow interceptor compiled in, `src/bundle-options.ts`). Runs of that kind exist: workers
 * before the interceptor ran without it. These histories replay both without and with the interceptor, and the
 * replay test checks both. Every fixture recorded since is made by the production bundle and must replay with it;
 * it need not replay without it (the interceptor settles the approval update a few microtasks later, so a history
 * recorded with it may not replay without it), since no worker runs without it any more. Never add a name here.
 */
export const RECORDED_WITHOUT_INTERCEPTORS: ReadonlySet<string> = new Set([
  'approved',
  'approved-after-refused-approval',
  'approved-webhooks',
  'approved-with-receipt',
  'approved-with-receipt-workspace',
  'approved-workspace',
  'awaiting-approval',
  'cancelled-awaiting-approval',
  'cancelled-awaiting-approval-workspace',
  'cancelled-fetching-workspace',
  'cancelled-saving-workspace',
  'cancelled-summarizing-workspace',
  'concurrent-approvals',
  'expired',
  'expired-webhook-reminders',
  'fetch-failed',
  'invalid-approval-timeout',
  'record-decision-failed',
  'rejected',
  'save-failed',
  'summarize-failed',
]);

export interface HistoryFixture {
  name: string;
  workflowId: string;
  history: History;
}

/** Every fixture, sorted by name; read synchronously so tests can be declared per fixture. */
export function loadHistoryFixtures(): HistoryFixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const name = basename(file, '.json');
      const history = historyFromJSON(JSON.parse(readFileSync(join(FIXTURES_DIR, file), 'utf8')));
      return { name, workflowId: fixtureWorkflowId(name), history };
    });
}

// Reads the recorded histories in test/fixtures/histories (written by scripts/record-histories.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { History } from '@temporalio/common/lib/proto-utils.js';

/** Workflow id of the run recorded as fixture `name`; replay passes it back, since histories do not hold it. */
export const fixtureWorkflowId = (name: string): string => `replay-${name}`;

export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/histories', import.meta.url));

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

// Records the histories of the research workflow's paths (test/history-scenarios.ts) as replay fixtures, by
// running today's workflow code on the embedded server with a real worker and stub activities. The workflows are
// bundled with the production worker's options (test/harness.ts, src/bundle-options.ts), so a fixture holds what a
// production worker records.
//
// Usage: npm run record-histories -w @research/workflows -- [--overwrite] [name ...]
// Writes only the fixtures that do not exist yet: an existing fixture stands for runs already in production and
// must keep replaying, so it is re-recorded only with --overwrite (and then only on purpose, see the README).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { RESEARCH_WORKFLOW_TYPE } from '@research/contracts';
import type { research } from '../src/index.js';
import { startHarness } from '../test/harness.js';
import { BASE_INPUT, HISTORY_SCENARIOS } from '../test/history-scenarios.js';
import type { HistoryScenario } from '../test/history-scenarios.js';
import { FIXTURES_DIR, fixtureWorkflowId } from '../test/history-fixtures.js';

const { values, positionals } = parseArgs({
  options: { overwrite: { type: 'boolean', default: false } },
  allowPositionals: true,
});

const unknown = positionals.filter((name) => !HISTORY_SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${HISTORY_SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const fixturePath = (name: string): string => join(FIXTURES_DIR, `${name}.json`);
const chosen = HISTORY_SCENARIOS.filter((s) => positionals.length === 0 || positionals.includes(s.name));
const toRecord = chosen.filter((s) => values.overwrite || !existsSync(fixturePath(s.name)));
for (const s of chosen) if (!toRecord.includes(s)) console.log(`kept     ${s.name} (fixture exists)`);

if (toRecord.length > 0) {
  await mkdir(FIXTURES_DIR, { recursive: true });
  // A fixed identity keeps the host name and process id out of committed files.
  const harness = await startHarness({ identity: 'record-histories' });
  try {
    for (const scenario of toRecord) await record(scenario);
  } finally {
    await harness.close();
  }

  async function record(scenario: HistoryScenario): Promise<void> {
    const { activities, drive } = scenario.setUp();
    const history = await harness.withWorker(
      activities,
      async (taskQueue) => {
        const handle = await harness.client.workflow.start<typeof research>(RESEARCH_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: fixtureWorkflowId(scenario.name),
          args: [{ ...BASE_INPUT, ...scenario.input }],
        });
        await drive(handle);
        return handle.fetchHistory();
      },
      { taskQueue: `replay-${scenario.name}` },
    );
    await writeFile(fixturePath(scenario.name), `${historyToJSON(history)}\n`);
    console.log(`recorded ${scenario.name} (${history.events?.length ?? 0} events)`);
  }
}

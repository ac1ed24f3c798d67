// Replays every recorded history (test/fixtures/histories) against the current workflow code. A fixture stands for
// runs already in production: if one stops replaying, a worker deployed with this code would fail their workflow
// tasks. Make the change compatible instead of re-recording the fixture: branch with
// `if (patched('<change-id>')) { new } else { old }` from @temporalio/workflow, and once no run started before the
// change can still be open, `deprecatePatch('<change-id>')` then remove the old branch. A new path or a new version
// of the workflow adds fixtures (`npm run record-histories -w @research/workflows`); the README has the details.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { ReplayResult } from '@temporalio/worker';
import { UNTRACED_SPAN_SINKS } from '../src/bundle-options.js';
import { RECORDED_WITHOUT_INTERCEPTORS, loadHistoryFixtures } from './history-fixtures.js';
import { bundleResearchWorkflows, bundleResearchWorkflowsWithoutInterceptors } from './harness.js';
import { HISTORY_SCENARIOS } from './history-scenarios.js';

const fixtures = loadHistoryFixtures();

/**
 * Every fixture replays with the production bundle (OpenTelemetry's workflow interceptor compiled in, as the
 * worker always has it). The fixtures recorded before the recorder used that bundle (RECORDED_WITHOUT_INTERCEPTORS)
 * also replay without it, as they were recorded; those recorded since need the interceptor.
 */
const recordedPlain = fixtures.filter((f) => RECORDED_WITHOUT_INTERCEPTORS.has(f.name));

describe('research workflow replay', { timeout: 120_000 }, () => {
  const results = new Map<string, ReplayResult>();
  const tracedResults = new Map<string, ReplayResult>();
  before(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const [plain, traced] = await Promise.all([
      bundleResearchWorkflowsWithoutInterceptors(),
      bundleResearchWorkflows(),
    ]);
    const histories = (list: typeof fixtures) => list.map(({ workflowId, history }) => ({ workflowId, history }));
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: plain, replayName: 'research-replay' },
      histories(recordedPlain),
    )) {
      results.set(result.workflowId, result);
    }
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: traced, replayName: 'research-replay-traced', sinks: UNTRACED_SPAN_SINKS },
      histories(fixtures),
    )) {
      tracedResults.set(result.workflowId, result);
    }
  });

  test('has a recorded history for every scenario of the recording script', () => {
    const recorded = new Set(fixtures.map((f) => f.name));
    assert.deepEqual(
      HISTORY_SCENARIOS.map((s) => s.name).filter((name) => !recorded.has(name)),
      [],
      'run `npm run record-histories -w @research/workflows` to record the missing ones',
    );
  });

  for (const fixture of recordedPlain) {
    test(`replays the ${fixture.name} history with the current workflow code, without interceptors`, () => {
      const result = results.get(fixture.workflowId);
      assert.ok(result, `no replay result for ${fixture.name}`);
      if (result.error) throw result.error;
    });
  }

  for (const fixture of fixtures) {
    test(`replays the ${fixture.name} history with the OpenTelemetry workflow interceptor compiled in`, () => {
      const result = tracedResults.get(fixture.workflowId);
      assert.ok(result, `no replay result for ${fixture.name}`);
      if (result.error) throw result.error;
    });
  }
});

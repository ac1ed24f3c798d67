import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { REVISIONS_EXHAUSTED, approveUpdate, stateQuery } from '@research/contracts';
import type { ResearchInput, ResearchState, WriteDraftInput } from '@research/contracts';
import { WRITTEN, startHarness, stubActivities, waitFor } from './harness.js';
import type { Harness } from './harness.js';

const T = { timeout: 30_000 };
const INPUT: ResearchInput = { topic: 'durable execution', sourceUrl: 'https://example.com/article' };

describe('research workflow: revise on feedback, edit before approval', { timeout: 120_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness?.close());

  const start = (taskQueue: string, input: ResearchInput = INPUT) => harness.startResearch(taskQueue, input);
  const awaitingVersion = (handle: WorkflowHandle, version: number): Promise<ResearchState> =>
    waitFor(
      () => handle.query(stateQuery),
      (state) => state.stage === 'awaiting_approval' && state.draft?.version === version,
    );

  test(
    'sends the comment and the previous draft back, awaits approval of version n+1, up to maxRevisions',
    T,
    async () => {
      const drafted: WriteDraftInput[] = [];
      const stubs = stubActivities({
        writeDraft: async (input) => {
          drafted.push(input);
          return { ...WRITTEN, summary: `Draft ${drafted.length}.`, sha256: String(drafted.length).repeat(64) };
        },
      });
      await harness.withWorker(stubs.activities, async (taskQueue) => {
        const handle = await start(taskQueue, { ...INPUT, maxRevisions: 2 });
        await awaitingVersion(handle, 1);
        for (const version of [2, 3]) {
          const decision = await handle.executeUpdate(approveUpdate, {
            args: [{ approved: false, revise: true, comment: `Shorter, please (${version})` }],
          });
          assert.equal(decision.revise, true);
          const state = await awaitingVersion(handle, version);
          assert.equal(state.decision, null, 'a revision is not the decision');
          assert.equal(state.draft?.summary, `Draft ${version}.`);
          assert.equal(state.draft?.feedback, `Shorter, please (${version})`);
        }
        assert.match(drafted[1]?.feedback?.reason ?? '', /Shorter, please \(2\)$/);
        assert.equal(drafted[1]?.feedback?.previous.summary, 'Draft 1.');
        assert.deepEqual(drafted[1]?.feedback?.previous.points, WRITTEN.points);

        const refused = await handle
          .executeUpdate(approveUpdate, { args: [{ approved: false, revise: true, comment: 'Again' }] })
          .then(
            () => assert.fail('expected the third revision to be refused'),
            (e: unknown) => e,
          );
        assert.ok(refused instanceof WorkflowUpdateFailedError && refused.cause instanceof ApplicationFailure);
        assert.equal(refused.cause.type, REVISIONS_EXHAUSTED);
        assert.match(
          refused.cause.message,
          /already revised 2 times, the most this pipeline allows \(maxRevisions 2\)/,
        );

        const state = await handle.query(stateQuery);
        assert.deepEqual(
          state.drafts?.map((d) => [d.version, d.summary]),
          [
            [1, 'Draft 1.'],
            [2, 'Draft 2.'],
            [3, 'Draft 3.'],
          ],
        );
        await handle.executeUpdate(approveUpdate, { args: [{ approved: true, draftSha256: '3'.repeat(64) }] });
        const result = await handle.result();
        assert.equal(result.summary, 'Draft 3.');
        assert.equal(result.draftVersions, 3);
        assert.equal(stubs.receipts[0]?.draftSha256, '3'.repeat(64));
        assert.equal(result.cost?.calls.length, 3);
      });
    },
  );

  test(
    'approves the edited summary: the result keeps it, with the draft hash, the edit hash and the diff',
    T,
    async () => {
      const stubs = stubActivities();
      await harness.withWorker(stubs.activities, async (taskQueue) => {
        const handle = await start(taskQueue);
        await awaitingVersion(handle, 1);
        const decision = await handle.executeUpdate(approveUpdate, {
          args: [{ approved: true, editedSummary: 'Durable execution survives worker crashes.' }],
        });
        assert.equal(decision.edited, true);
        const result = await handle.result();
        assert.equal(result.outcome, 'approved');
        assert.equal(result.summary, 'Durable execution survives worker crashes.');
        assert.deepEqual(result.edit, {
          draftSha256: WRITTEN.sha256,
          editedSha256: 'f'.repeat(64),
          diff: `-${WRITTEN.summary}\n+Durable execution survives worker crashes.\n`,
        });
        assert.deepEqual(stubs.saved[0]?.result, result);
      });
    },
  );

  test('ignores an edited summary on a rejection', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      await awaitingVersion(handle, 1);
      await handle.executeUpdate(approveUpdate, { args: [{ approved: false, comment: 'No.' }] });
      const result = await handle.result();
      assert.equal(result.summary, WRITTEN.summary);
      assert.equal(result.edit, undefined);
    });
  });
});

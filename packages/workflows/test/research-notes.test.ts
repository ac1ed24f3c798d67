import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { FailureType, RESEARCH_WORKFLOW_TYPE, approveUpdate, stateQuery } from '@research/contracts';
import type { ResearchInput, TakeNotesInput, WriteDraftInput, WrittenDraft } from '@research/contracts';
import type { research } from '../src/index.js';
import { SOURCE, WRITTEN, startHarness, stubActivities, waitFor } from './harness.js';
import type { Harness } from './harness.js';

const T = { timeout: 30_000 };
const URLS = ['https://a.example/1', 'https://b.example/2'];
// 60 and 162 characters: with a limit of 100 the first is one note call, the second two chunks.
const TEXTS = [
  'Durable execution keeps long-running pipelines alive today..',
  'Workflows replay their history after a crash, so a step that finished is not run again; only the one in ' +
    'flight repeats, which is why each LLM call is an activity.',
];
const INPUT: ResearchInput = { topic: 'durable execution', sources: URLS, llmContextChars: 100 };

/** Notes whose three quotes are the first 20 characters of the chunk they were taken from. */
const notesOn = ({ source }: TakeNotesInput): WrittenDraft => ({
  ...WRITTEN,
  points: [1, 2, 3].map((i) => ({
    text: `Note ${i}`,
    citations: [{ source: source.index, quote: source.text.slice(0, 20) }],
  })),
});

/** A synthesis whose points quote the first line (a quote of the notes) of each source it was given. */
const synthesised = (input: WriteDraftInput): WrittenDraft => ({
  ...WRITTEN,
  points: [0, 1, 2].map((i) => {
    const source = input.sources[i % input.sources.length];
    return {
      text: `Point ${i}`,
      citations: [{ source: source?.index ?? 1, quote: source?.text.split('\n')[0] ?? '' }],
    };
  }),
});

describe('research workflow: notes before the draft when the sources are too long', { timeout: 120_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness?.close());

  const start = (taskQueue: string, input: ResearchInput = INPUT) =>
    harness.client.workflow.start<typeof research>(RESEARCH_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `research-${randomUUID()}`,
      args: [input],
    });
  const fetchSource = async ({ url }: { url: string }) => ({
    ...SOURCE,
    finalUrl: url,
    text: TEXTS[URLS.indexOf(url)] ?? '',
  });

  test('takes notes per source and per chunk, then synthesises the draft from them', T, async () => {
    const noted: TakeNotesInput[] = [];
    const drafted: WriteDraftInput[] = [];
    const stubs = stubActivities({
      fetchSource,
      takeNotes: async (input) => (noted.push(input), notesOn(input)),
      writeDraft: async (input) => (drafted.push(input), synthesised(input)),
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      const state = await waitFor(
        () => handle.query(stateQuery),
        (s) => s.stage === 'awaiting_approval',
      );
      assert.deepEqual(
        noted.map((n) => [n.source.index, n.chunk.number, n.chunk.of, n.source.text.length]),
        [
          [1, 1, 1, 60],
          [2, 1, 2, 100],
          [2, 2, 2, 62],
        ],
      );
      assert.equal(drafted.length, 1, 'one synthesis call');
      const given = drafted[0]?.sources ?? [];
      assert.deepEqual(
        given.map((s) => s.index),
        [1, 2],
      );
      // The synthesis gets notes, not the full texts; its quotes are still checked against the full texts.
      assert.ok(given.every((s, i) => s.text !== TEXTS[i] && s.text.includes('Notes:')));
      assert.deepEqual(state.draft?.grounding, { verified: 3, unverified: 0, regenerated: false, warning: null });
      assert.deepEqual(
        state.cost?.calls.map((c) => c.step),
        ['takeNotes', 'takeNotes', 'takeNotes', 'writeDraft'],
      );

      await handle.executeUpdate(approveUpdate, { args: [{ approved: true, decidedBy: { id: 'ben', name: 'Ben' } }] });
      const result = await handle.result();
      assert.equal(result.cost?.calls.length, 4);
    });
  });

  test('makes one call with the full texts when they fit in the limit', T, async () => {
    let notes = 0;
    const drafted: WriteDraftInput[] = [];
    const stubs = stubActivities({
      fetchSource,
      takeNotes: async (input) => (notes++, notesOn(input)),
      writeDraft: async (input) => (drafted.push(input), synthesised(input)),
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, { ...INPUT, llmContextChars: 1_000 });
      await waitFor(
        () => handle.query(stateQuery),
        (s) => s.stage === 'awaiting_approval',
      );
      assert.equal(notes, 0);
      assert.deepEqual(
        drafted[0]?.sources.map((s) => s.text),
        TEXTS,
      );
      await handle.terminate('done');
    });
  });

  test('checks the budget before each notes call', T, async () => {
    let notes = 0;
    let drafts = 0;
    const stubs = stubActivities({
      fetchSource,
      takeNotes: async (input) => (notes++, notesOn(input)),
      writeDraft: async (input) => (drafts++, synthesised(input)),
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      // Each call costs $0.0012: the third notes call would start with $0.0024 spent.
      const handle = await start(taskQueue, { ...INPUT, maxCostUsd: 0.002 });
      const error = await handle.result().then(
        () => assert.fail('expected the workflow to fail'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
      assert.equal(error.cause.type, FailureType.BudgetExceeded);
      assert.match(error.cause.message, /\(takeNotes\)/);
      assert.equal(notes, 2);
      assert.equal(drafts, 0);
    });
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/client';
import protos from '@temporalio/proto';
import { STATUS_MEMO_KEY } from '@research/contracts';
import type { Draft, PublishedStatus } from '@research/contracts';
import { eventsOf, newFold } from '../src/temporal/history-events.js';

const { EventType } = protos.temporal.api.enums.v1;

const draft = (version: number, sha: string): Draft => ({
  summary: `Draft ${version}`,
  model: 'fake-model',
  usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
  version,
  sha256: sha.repeat(64),
});

/** A memo upsert publishing `status`, as the workflow writes one at every stage change. */
const published = (eventId: number, status: Partial<PublishedStatus>) => ({
  eventId: eventId as never,
  eventType: EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
  workflowPropertiesModifiedEventAttributes: {
    upsertedMemo: {
      fields: {
        [STATUS_MEMO_KEY]: defaultPayloadConverter.toPayload({
          draft: null,
          decision: null,
          result: null,
          awaitingSince: null,
          approvalDeadline: null,
          ...status,
        }),
      },
    },
  },
});

describe('workflow events from history', () => {
  test('a draft event for the first draft and for each revised one, never twice for the same draft', () => {
    const fold = newFold();
    const typesOf = (event: ReturnType<typeof published>) => eventsOf(event, fold).map((e) => e.type);
    assert.deepEqual(typesOf(published(5, { stage: 'summarizing' })), ['stage']);
    assert.deepEqual(typesOf(published(9, { stage: 'awaiting_approval', draft: draft(1, 'a') })), ['stage', 'draft']);
    // Sent back: the same draft is republished while the next one is written.
    assert.deepEqual(typesOf(published(14, { stage: 'summarizing', draft: draft(1, 'a') })), ['stage']);
    assert.deepEqual(typesOf(published(19, { stage: 'awaiting_approval', draft: draft(2, 'b') })), ['stage', 'draft']);
    const [, revised] = eventsOf(published(19, { stage: 'awaiting_approval', draft: draft(2, 'b') }), newFold());
    assert.equal((revised?.data as Draft).version, 2);
  });
});

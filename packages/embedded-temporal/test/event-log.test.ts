import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { EventLog } from '../src/engine/event-log.js';
import { decode, encode } from '../src/proto/root.js';

const HISTORY_EVENT = 'temporal.api.history.v1.HistoryEvent';
const POLL_RESPONSE = 'temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse';
const COMPLETE_RESPONSE = 'temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedResponse';

/** A signal event whose payload is `size` bytes of `fill`, so events differ in size and content. */
function signalEvent(eventId: number, size: number, fill: number): Uint8Array {
  return encode(HISTORY_EVENT, {
    eventId,
    eventType: 26, // EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    workflowExecutionSignaledEventAttributes: {
      signalName: `s${eventId}`,
      input: {
        payloads: [{ metadata: { encoding: Buffer.from('binary/plain') }, data: new Uint8Array(size).fill(fill) }],
      },
    },
  });
}

const events = [signalEvent(1, 10, 1), signalEvent(2, 3000, 2), signalEvent(3, 0, 3), signalEvent(4, 700, 4)];
const signalNames = (list: temporal.api.history.v1.IHistoryEvent[]): string[] =>
  list.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? '');

test('an event log returns each event as pushed, past buffer growth, and keeps its own copy', () => {
  const inputs = events.map((bytes) => Uint8Array.from(bytes));
  const log = EventLog.of(inputs);
  for (const input of inputs) input.fill(0);

  assert.equal(log.length, 4);
  events.forEach((bytes, i) => assert.deepEqual(Buffer.from(log.bytesAt(i) ?? []), Buffer.from(bytes)));
  assert.equal(log.bytesAt(4), undefined);
  assert.equal(log.at(-1), undefined);
  assert.equal(Number(log.at(1)?.eventId), 2);
  assert.deepEqual(log.at(1)?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data?.length, 3000);
  assert.deepEqual(signalNames(log.decoded()), ['s1', 's2', 's3', 's4']);
  assert.deepEqual(signalNames(log.decoded(1, 3)), ['s2', 's3']);
});

test('a response carrying a history page encodes exactly as one carrying the decoded events', () => {
  const log = EventLog.of(events);
  const response = { startedEventId: 4, attempt: 1, taskToken: Buffer.from('t') };
  const fromPage = encode(POLL_RESPONSE, { ...response, history: log.page(1) });
  const fromDecoded = encode(POLL_RESPONSE, { ...response, history: { events: log.decoded(1) } });
  assert.deepEqual(Buffer.from(fromPage), Buffer.from(fromDecoded));
  // The stored bytes go out as they are: the page is never decoded on the way.
  const page = log.page(1);
  Object.defineProperty(page, 'events', {
    get: () => assert.fail('a history page was decoded to be encoded'),
  });
  assert.deepEqual(Buffer.from(encode(POLL_RESPONSE, { ...response, history: page })), Buffer.from(fromDecoded));

  const decoded = decode<temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse>(POLL_RESPONSE, fromPage);
  assert.deepEqual(signalNames(decoded.history?.events ?? []), ['s2', 's3', 's4']);
  assert.equal(Number(decoded.startedEventId), 4);
});

test('a history page nested in a response, newest first, reaches the wire in that order', () => {
  const log = EventLog.of(events);
  const bytes = encode(COMPLETE_RESPONSE, { workflowTask: { history: log.page(0, 3, 'newest-first') } });
  const decoded = decode<temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedResponse>(
    COMPLETE_RESPONSE,
    bytes,
  );
  assert.deepEqual(signalNames(decoded.workflowTask?.history?.events ?? []), ['s3', 's2', 's1']);
  assert.deepEqual(signalNames(log.page(0, 3, 'newest-first').events), ['s3', 's2', 's1']);
});

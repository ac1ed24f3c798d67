import { attributesField, eventTypeOf } from '../proto/enums.js';
import type { temporal } from '@temporalio/proto';
import { decode, encode } from '../proto/root.js';
import { int64, ts } from '../proto/time.js';
import type { HistoryEvent, Run } from './run-state.js';
import type { Tx } from './tx.js';

const HISTORY_EVENT = 'temporal.api.history.v1.HistoryEvent';
let taskIdSeq = 1;

/** Storage key of a run's history log. */
export const historyKey = (runId: string): string => `hist/${runId}`;

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** Encodes a message to base64 for the JSON mutable-state record. */
export function packMsg(fullName: string, value: object | null | undefined): string {
  return value ? b64(encode(fullName, value)) : '';
}

/** Inverse of {@link packMsg}; `null` for the empty string. `T` is the generated interface of `fullName`. */
export function unpackMsg<T>(fullName: string, s: string | undefined): T | null {
  return s ? decode<T>(fullName, unb64(s)) : null;
}

/** Appends an event to the persisted history right away, with the next contiguous id. */
export function appendEvent(
  tx: Tx,
  run: Run,
  name: string,
  attrs: object,
  userMetadata?: temporal.api.sdk.v1.IUserMetadata | null,
): HistoryEvent {
  const eventType = eventTypeOf(name);
  const bytes = encode(HISTORY_EVENT, {
    userMetadata: userMetadata ?? null,
    eventId: run.history.length + 1,
    eventTime: ts(Date.now()),
    eventType,
    version: 0,
    taskId: taskIdSeq++,
    [attributesField(eventType)]: attrs,
  });
  const event = decode<HistoryEvent>(HISTORY_EVENT, bytes);
  run.history.push(bytes);
  run.historyBytes += bytes.length;
  tx.append(historyKey(run.runId), bytes);
  tx.dirty.add(run);
  return event;
}

/**
 * Adds a non-forcing event: buffered while a workflow task is started (nothing may sit between a
 * WorkflowTaskStarted and its close), appended otherwise. `prevField` names an attribute to set to the id of the
 * event written just before this one (an activity's lazily written ActivityTaskStarted).
 */
export function addEvent(tx: Tx, run: Run, name: string, attrs: object, prevField?: string): void {
  if (run.wft.state === 'started') {
    const eventType = eventTypeOf(name);
    const e = b64(encode(HISTORY_EVENT, { eventType, [attributesField(eventType)]: attrs }));
    run.buffered.push(prevField ? { e, prev: prevField } : { e });
    tx.dirty.add(run);
    return;
  }
  appendEvent(tx, run, name, prevField ? { ...attrs, [prevField]: int64(run.history.length) } : attrs);
}

/** The events buffered behind the started workflow task, decoded (their ids are not assigned yet). */
export function bufferedEvents(run: Run): HistoryEvent[] {
  return run.buffered.map(({ e }) => decode<HistoryEvent>(HISTORY_EVENT, unb64(e)));
}

/** Moves buffered events into history; returns how many were written. */
export function flushBuffered(tx: Tx, run: Run, onAppended?: (event: HistoryEvent) => void): number {
  const pending = run.buffered;
  run.buffered = [];
  for (const { e, prev } of pending) {
    const event = decode<HistoryEvent>(HISTORY_EVENT, unb64(e));
    const attrs = attrsOf(event);
    const name = eventName(event.eventType);
    onAppended?.(appendEvent(tx, run, name, prev ? { ...attrs, [prev]: int64(run.history.length) } : attrs));
  }
  tx.dirty.add(run);
  return pending.length;
}

/** `EVENT_TYPE_TIMER_FIRED` number ⇒ `TimerFired`. */
export function eventName(eventType: number): string {
  const field = attributesField(eventType);
  const base = field.slice(0, -'EventAttributes'.length);
  return base.charAt(0).toUpperCase() + base.slice(1);
}

/** Attributes of an event, whatever its type (the one oneof member its event type names). */
function attrsOf(event: HistoryEvent): object {
  const attrs: unknown = Reflect.get(event, attributesField(event.eventType));
  return typeof attrs === 'object' && attrs !== null ? attrs : {};
}

import { attributesField, eventTypeOf } from '../proto/enums.js';
import { decode, encode, type Msg } from '../proto/root.js';
import { ts } from '../proto/time.js';
import type { Run } from './run-state.js';
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
export function unpackMsg<T = Msg>(fullName: string, s: string | undefined): T | null {
  return s ? decode<T>(fullName, unb64(s)) : null;
}

/** Appends an event to the persisted history right away, with the next contiguous id. */
export function appendEvent(tx: Tx, run: Run, name: string, attrs: object, userMetadata?: Msg | null): Msg {
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
  const event = decode(HISTORY_EVENT, bytes);
  run.history.push(event);
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
export function addEvent(tx: Tx, run: Run, name: string, attrs: Msg, prevField?: string): void {
  if (run.wft.state === 'started') {
    const eventType = eventTypeOf(name);
    const e = b64(encode(HISTORY_EVENT, { eventType, [attributesField(eventType)]: attrs }));
    run.buffered.push(prevField ? { e, prev: prevField } : { e });
    tx.dirty.add(run);
    return;
  }
  if (prevField) attrs[prevField] = run.history.length;
  appendEvent(tx, run, name, attrs);
}

/** Moves buffered events into history; returns how many were written. */
export function flushBuffered(tx: Tx, run: Run, onAppended?: (event: Msg) => void): number {
  const pending = run.buffered;
  run.buffered = [];
  for (const { e, prev } of pending) {
    const event = decode(HISTORY_EVENT, unb64(e));
    const field = attributesField(event.eventType as number);
    const attrs = event[field] as Msg;
    if (prev) attrs[prev] = run.history.length;
    const name = eventName(event.eventType as number);
    onAppended?.(appendEvent(tx, run, name, attrs));
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

/** Attributes of an event, whatever its type. */
export function attrsOf(event: Msg): Msg {
  return event[attributesField(event.eventType as number)] as Msg;
}

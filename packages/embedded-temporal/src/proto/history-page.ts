import type { temporal } from '@temporalio/proto';
import type * as protobuf from 'protobufjs';
import { decode, type } from './root.js';

const HISTORY = 'temporal.api.history.v1.History';
const HISTORY_EVENT = 'temporal.api.history.v1.HistoryEvent';

/**
 * A `History` message whose events are already encoded. Responses carrying one (workflow tasks, history reads)
 * write the stored bytes as they are instead of decoding and re-encoding every event; `events` decodes them for
 * the rare reader inside the server.
 */
export class HistoryPage implements temporal.api.history.v1.IHistory {
  constructor(private readonly encoded: readonly Uint8Array[]) {}

  get events(): temporal.api.history.v1.HistoryEvent[] {
    return this.encoded.map((bytes) => decode<temporal.api.history.v1.HistoryEvent>(HISTORY_EVENT, bytes));
  }

  /** Writes the events as the repeated `events` field, exactly what encoding their decoded form writes. */
  writeTo(writer: protobuf.Writer): protobuf.Writer {
    for (const bytes of this.encoded) writer.uint32(EVENTS_TAG).bytes(bytes);
    return writer;
  }
}

const historyType = type(HISTORY);
const eventsField = historyType.fields.events;
if (!eventsField || !eventsField.repeated) throw new Error(`${HISTORY} has no repeated events field`);
const LENGTH_DELIMITED = 2;
const EVENTS_TAG = (eventsField.id << 3) | LENGTH_DELIMITED;

// protobufjs encodes a nested message through its type's `encode`, generated on first use by `setup()` (and only
// regenerated if the type's fields change). Wrapping the generated function lets every response that contains a
// History (at any depth) take a HistoryPage.
historyType.setup();
const generated = historyType.encode.bind(historyType);
historyType.encode = (message, writer) =>
  message instanceof HistoryPage ? message.writeTo(writer ?? generated({})) : generated(message, writer);

// The store's state with values still as JSON text. Replay and compaction work on this form: only the
// last write of a key is ever parsed, and a snapshot can be written without a parse/stringify round trip.
import type { RawTransaction } from './record-codec.js';
import type { StoredState } from './types.js';

export interface RawState {
  values: Map<string, string>;
  logs: Map<string, Uint8Array[]>;
}

export function emptyRawState(): RawState {
  return { values: new Map(), logs: new Map() };
}

/** Applies a transaction in the documented order: drops, puts, appends. */
export function applyRaw(state: RawState, tx: RawTransaction): void {
  for (const key of tx.drops) state.logs.delete(key);
  for (const [key, json] of tx.puts) {
    if (json === null) state.values.delete(key);
    else state.values.set(key, json);
  }
  for (const [key, entries] of tx.appends) {
    if (entries.length === 0) continue;
    const log = state.logs.get(key);
    if (log) for (const e of entries) log.push(e);
    else state.logs.set(key, [...entries]);
  }
}

/** Parses the values; the log arrays are handed over, not copied. */
export function materialize(state: RawState): StoredState {
  const values = new Map<string, unknown>();
  for (const [key, json] of state.values) values.set(key, JSON.parse(json));
  return { values, logs: state.logs };
}

import { StoreClosedError } from './errors.js';
import { applyRaw, emptyRawState, materialize } from './raw-state.js';
import { toRawTransaction } from './record-codec.js';
import type { DurableStore, StoredState } from './types.js';

/**
 * A {@link DurableStore} with the file store's semantics and nothing on disk, for tests and for servers
 * started without a data directory. Values go through JSON exactly as they would on disk, so a Date comes
 * back as a string here too.
 */
export function createMemoryStore(): DurableStore {
  const state = emptyRawState();
  let closed = false;
  return {
    async load(): Promise<StoredState> {
      if (closed) throw new StoreClosedError();
      const logs = new Map<string, Uint8Array[]>();
      for (const [key, entries] of state.logs) logs.set(key, [...entries]);
      return materialize({ values: state.values, logs });
    },
    async commit(tx) {
      if (closed) throw new StoreClosedError();
      const raw = toRawTransaction(tx);
      // Copies, so a caller reusing its buffers cannot change what was "committed".
      raw.appends = raw.appends.map(([key, entries]) => [key, entries.map((e) => Uint8Array.from(e))]);
      applyRaw(state, raw);
    },
    async close() {
      closed = true;
    },
  };
}

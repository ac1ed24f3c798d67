import type { temporal } from '@temporalio/proto';
import { decode } from '../proto/root.js';
import { HistoryPage } from '../proto/history-page.js';

type HistoryEvent = temporal.api.history.v1.HistoryEvent;

const HISTORY_EVENT = 'temporal.api.history.v1.HistoryEvent';
const MIN_CAPACITY = 1024;

/**
 * A run's history events, kept encoded in one buffer per run. Decoded events cost several times their encoded
 * size, and their `bytes` fields are views that keep alive whatever buffer they were decoded from (often an
 * 8 KiB pool slab shared with unrelated allocations): with a thousand runs waiting, decoded histories were most
 * of the server's memory. Events are decoded on demand; decoded ones are views into this log's buffer, so they
 * are for the moment, not for keeping.
 */
export class EventLog {
  private buffer = new Uint8Array(0);
  /** End offset of each event in `buffer`. */
  private readonly ends: number[] = [];

  /** Copies the encoded events into a new log (the inputs may be views into larger buffers). */
  static of(events: Iterable<Uint8Array>): EventLog {
    const log = new EventLog();
    for (const bytes of events) log.push(bytes);
    return log;
  }

  get length(): number {
    return this.ends.length;
  }

  /** Appends a copy of an encoded `HistoryEvent`. */
  push(bytes: Uint8Array): void {
    const start = this.ends.at(-1) ?? 0;
    const end = start + bytes.length;
    if (end > this.buffer.length) {
      const grown = new Uint8Array(Math.max(MIN_CAPACITY, end, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, start));
      this.buffer = grown;
    }
    this.buffer.set(bytes, start);
    this.ends.push(end);
  }

  /** The encoded event at `index` (0-based), as a view; `undefined` out of range. */
  bytesAt(index: number): Uint8Array | undefined {
    const end = this.ends[index];
    return end === undefined || index < 0 ? undefined : this.buffer.subarray(this.ends[index - 1] ?? 0, end);
  }

  /** The event at `index` (0-based, so event id minus one), decoded; `undefined` out of range. */
  at(index: number): HistoryEvent | undefined {
    const bytes = this.bytesAt(index);
    return bytes && decode<HistoryEvent>(HISTORY_EVENT, bytes);
  }

  /** Events `[from, to)` decoded. */
  decoded(from = 0, to = this.length): HistoryEvent[] {
    return this.encoded(from, to).map((bytes) => decode<HistoryEvent>(HISTORY_EVENT, bytes));
  }

  /** Events `[from, to)` as a `History` that responses encode from the stored bytes. */
  page(from = 0, to = this.length, order: 'oldest-first' | 'newest-first' = 'oldest-first'): HistoryPage {
    const encoded = this.encoded(from, to);
    return new HistoryPage(order === 'newest-first' ? encoded.reverse() : encoded);
  }

  private encoded(from: number, to: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) out.push(this.bytesAt(i)!);
    return out;
  }
}

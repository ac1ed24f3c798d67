// Binary layout of everything the store writes. A file is a sequence of frames:
//   u32 payload length | u32 CRC-32 of payload | payload
// and a payload starts with a one-byte record type. Integers are little-endian. Strings are u32 byte
// length + UTF-8. A zero length is never valid, so a zero-filled tail (what some filesystems leave after
// a crash that extended the file) is recognised as torn rather than read as an empty record.
import { crc32 } from './crc32.js';
import { StoreCorruptionError } from './errors.js';

export const FRAME_HEADER_BYTES = 8;
/** Larger frames are treated as garbage on read and refused on write. */
export const MAX_PAYLOAD_BYTES = 1 << 30;

export const RecordType = { Transaction: 1, LogHeader: 2, SnapshotHeader: 3, SnapshotEnd: 4 } as const;

export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** A transaction with values already serialised to JSON text (null = delete). */
export interface RawTransaction {
  drops: string[];
  puts: Array<[key: string, json: string | null]>;
  appends: Array<[key: string, entries: Uint8Array[]]>;
}

export type DecodedRecord =
  | { type: typeof RecordType.Transaction; tx: RawTransaction }
  | { type: typeof RecordType.LogHeader; generation: number }
  | { type: typeof RecordType.SnapshotHeader; nextLogGeneration: number }
  | { type: typeof RecordType.SnapshotEnd; values: number; logs: number };

class Writer {
  readonly buf: Buffer;
  private pos = FRAME_HEADER_BYTES;
  constructor(payloadBytes: number) {
    if (payloadBytes > MAX_PAYLOAD_BYTES) throw new RangeError(`store record of ${payloadBytes} bytes is too large`);
    this.buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadBytes);
  }
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }
  str(s: string): void {
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.u32(n);
    this.pos += n;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Fills in the frame header; returns the framed record. */
  finish(): Buffer {
    const payloadBytes = this.buf.length - FRAME_HEADER_BYTES;
    if (this.pos !== this.buf.length) throw new Error(`record size mismatch: ${this.pos} != ${this.buf.length}`);
    this.buf.writeUInt32LE(payloadBytes, 0);
    this.buf.writeUInt32LE(crc32(this.buf, FRAME_HEADER_BYTES), 4);
    return this.buf;
  }
}

const strBytes = (s: string): number => 4 + Buffer.byteLength(s, 'utf8');

/** Frames a transaction record. Throws `RangeError` when it exceeds {@link MAX_PAYLOAD_BYTES}. */
export function encodeTransaction(tx: RawTransaction): Buffer {
  let size = 1 + 12;
  for (const key of tx.drops) size += strBytes(key);
  for (const [key, json] of tx.puts) size += strBytes(key) + 1 + (json === null ? 0 : strBytes(json));
  for (const [key, entries] of tx.appends) {
    size += strBytes(key) + 4;
    for (const e of entries) size += 4 + e.length;
  }
  const w = new Writer(size);
  w.u8(RecordType.Transaction);
  w.u32(tx.drops.length);
  for (const key of tx.drops) w.str(key);
  w.u32(tx.puts.length);
  for (const [key, json] of tx.puts) {
    w.str(key);
    w.u8(json === null ? 0 : 1);
    if (json !== null) w.str(json);
  }
  w.u32(tx.appends.length);
  for (const [key, entries] of tx.appends) {
    w.str(key);
    w.u32(entries.length);
    for (const e of entries) w.bytes(e);
  }
  return w.finish();
}

/** Frames a header or trailer record. */
export function encodeControl(record: Exclude<DecodedRecord, { type: typeof RecordType.Transaction }>): Buffer {
  const w = new Writer(record.type === RecordType.SnapshotEnd ? 9 : 5);
  w.u8(record.type);
  if (record.type === RecordType.LogHeader) w.u32(record.generation);
  else if (record.type === RecordType.SnapshotHeader) w.u32(record.nextLogGeneration);
  else {
    w.u32(record.values);
    w.u32(record.logs);
  }
  return w.finish();
}

/** Reads a payload whose CRC already matched; a failure here means a bug or a foreign file, never a torn write. */
export function decodePayload(payload: Buffer, file: string): DecodedRecord {
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > payload.length) throw new StoreCorruptionError(file, 'record shorter than its contents');
  };
  const u32 = (): number => {
    need(4);
    const v = payload.readUInt32LE(pos);
    pos += 4;
    return v;
  };
  const str = (): string => {
    const n = u32();
    need(n);
    const s = payload.toString('utf8', pos, pos + n);
    pos += n;
    return s;
  };
  const bytes = (): Uint8Array => {
    const n = u32();
    need(n);
    // A copy, so a long-lived entry does not pin the whole read buffer in memory.
    const b = Buffer.from(payload.subarray(pos, pos + n));
    pos += n;
    return b;
  };
  need(1);
  const type = payload[pos++];
  switch (type) {
    case RecordType.Transaction: {
      const tx: RawTransaction = { drops: [], puts: [], appends: [] };
      for (let i = u32(); i > 0; i--) tx.drops.push(str());
      for (let i = u32(); i > 0; i--) {
        const key = str();
        need(1);
        tx.puts.push([key, payload[pos++] === 0 ? null : str()]);
      }
      for (let i = u32(); i > 0; i--) {
        const key = str();
        const entries: Uint8Array[] = [];
        for (let j = u32(); j > 0; j--) entries.push(bytes());
        tx.appends.push([key, entries]);
      }
      return { type, tx };
    }
    case RecordType.LogHeader:
      return { type, generation: u32() };
    case RecordType.SnapshotHeader:
      return { type, nextLogGeneration: u32() };
    case RecordType.SnapshotEnd:
      return { type, values: u32(), logs: u32() };
    default:
      throw new StoreCorruptionError(file, `unknown record type ${String(type)}`);
  }
}

/**
 * Serialises a caller's transaction. Throws `TypeError` for a value JSON cannot represent, so one bad
 * commit fails alone instead of poisoning the batch it would have joined.
 */
export function toRawTransaction(tx: {
  put?: ReadonlyArray<readonly [string, unknown]>;
  append?: ReadonlyArray<readonly [string, readonly Uint8Array[]]>;
  dropLogs?: readonly string[];
}): RawTransaction {
  const puts: RawTransaction['puts'] = [];
  for (const [key, value] of tx.put ?? []) {
    if (value === null) {
      puts.push([key, null]);
      continue;
    }
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`store value for key ${key} is not JSON-serialisable`);
    puts.push([key, json]);
  }
  const appends: RawTransaction['appends'] = [];
  for (const [key, entries] of tx.append ?? []) {
    if (entries.length > 0) appends.push([key, [...entries]]);
  }
  return { drops: [...(tx.dropLogs ?? [])], puts, appends };
}

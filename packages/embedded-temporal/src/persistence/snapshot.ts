// A snapshot is a file of ordinary transaction frames between a header naming the first log generation it
// does not cover and a trailer with counts. It is written to a temporary name, fsync'd, renamed into place
// and the directory fsync'd, so `snapshot.bin` is always either the old or the new complete file.
import { join } from 'node:path';
import { StoreCorruptionError } from './errors.js';
import { scanFrames } from './frame-reader.js';
import { decodePayload, encodeControl, encodeTransaction, RecordType, type RawTransaction } from './record-codec.js';
import { applyRaw, emptyRawState, type RawState } from './raw-state.js';
import type { StoreFs } from './store-fs.js';
import { isNotFound } from './fs-errors.js';

export const SNAPSHOT_FILE = 'snapshot.bin';
export const SNAPSHOT_TMP_FILE = 'snapshot.tmp';
const RECORD_TARGET_BYTES = 1 << 20;
const WRITE_TARGET_BYTES = 4 << 20;

/** Writes `state` as the new snapshot covering every log generation below `nextLogGeneration`. */
export async function writeSnapshot(
  fs: StoreFs,
  dir: string,
  state: RawState,
  nextLogGeneration: number,
): Promise<void> {
  const tmpPath = join(dir, SNAPSHOT_TMP_FILE);
  await fs.unlink(tmpPath).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  const file = await fs.open(tmpPath, 'wx');
  try {
    let offset = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const push = async (frame: Buffer): Promise<void> => {
      pending.push(frame);
      pendingBytes += frame.length;
      if (pendingBytes >= WRITE_TARGET_BYTES) await flush();
    };
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await file.write(data, offset);
      offset += data.length;
    };
    await push(encodeControl({ type: RecordType.SnapshotHeader, nextLogGeneration }));
    let tx: RawTransaction = { drops: [], puts: [], appends: [] };
    let txBytes = 0;
    const flushTx = async (): Promise<void> => {
      if (txBytes === 0) return;
      await push(encodeTransaction(tx));
      tx = { drops: [], puts: [], appends: [] };
      txBytes = 0;
    };
    for (const [key, json] of state.values) {
      tx.puts.push([key, json]);
      txBytes += key.length + json.length + 16;
      if (txBytes >= RECORD_TARGET_BYTES) await flushTx();
    }
    for (const [key, entries] of state.logs) {
      // Long logs are split across records so no single frame grows without bound.
      let chunk: Uint8Array[] = [];
      tx.appends.push([key, chunk]);
      txBytes += key.length + 16;
      for (const entry of entries) {
        chunk.push(entry);
        txBytes += entry.length + 4;
        if (txBytes >= RECORD_TARGET_BYTES) {
          await flushTx();
          chunk = [];
          tx.appends.push([key, chunk]);
          txBytes += key.length + 16;
        }
      }
    }
    await flushTx();
    await push(encodeControl({ type: RecordType.SnapshotEnd, values: state.values.size, logs: state.logs.size }));
    await flush();
    await file.datasync();
  } finally {
    await file.close();
  }
  await fs.rename(tmpPath, join(dir, SNAPSHOT_FILE));
  await fs.syncDir(dir);
}

/** Reads `snapshot.bin`; undefined when there is none. Throws `StoreCorruptionError` unless it is complete. */
export async function readSnapshot(
  fs: StoreFs,
  dir: string,
): Promise<{ state: RawState; nextLogGeneration: number } | undefined> {
  const path = join(dir, SNAPSHOT_FILE);
  let file;
  try {
    file = await fs.open(path, 'r');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const state = emptyRawState();
  let nextLogGeneration: number | undefined;
  let end: { values: number; logs: number } | undefined;
  try {
    const scan = await scanFrames(file, (payload) => {
      const record = decodePayload(payload, path);
      if (end) throw new StoreCorruptionError(path, 'record after the trailer');
      if (nextLogGeneration === undefined) {
        if (record.type !== RecordType.SnapshotHeader) throw new StoreCorruptionError(path, 'missing header');
        nextLogGeneration = record.nextLogGeneration;
      } else if (record.type === RecordType.Transaction) applyRaw(state, record.tx);
      else if (record.type === RecordType.SnapshotEnd) end = record;
      else throw new StoreCorruptionError(path, `unexpected record type ${record.type}`);
    });
    if (scan.validEnd !== scan.fileSize)
      throw new StoreCorruptionError(path, `damaged record at offset ${scan.validEnd}`);
  } finally {
    await file.close();
  }
  if (nextLogGeneration === undefined || !end) throw new StoreCorruptionError(path, 'incomplete snapshot');
  if (end.values !== state.values.size || end.logs !== state.logs.size) {
    throw new StoreCorruptionError(path, 'trailer counts do not match the contents');
  }
  return { state, nextLogGeneration };
}

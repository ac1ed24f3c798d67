// Write-ahead log files are named by generation, `wal-0000000007.log`, and start with a header frame
// repeating the generation. A snapshot covers every generation below its `nextLogGeneration`; loading is
// that snapshot plus the newer logs in order.
import { join } from 'node:path';
import { StoreCorruptionError } from './errors.js';
import { scanFrames } from './frame-reader.js';
import { decodePayload, encodeControl, RecordType } from './record-codec.js';
import { applyRaw, emptyRawState, type RawState } from './raw-state.js';
import { readSnapshot } from './snapshot.js';
import type { StoreFile, StoreFs } from './store-fs.js';

const LOG_NAME = /^wal-(\d{10})\.log$/;

export function logFileName(generation: number): string {
  return `wal-${String(generation).padStart(10, '0')}.log`;
}

/** Generations of the log files in `dir`, ascending. */
export async function listLogGenerations(fs: StoreFs, dir: string): Promise<number[]> {
  const generations: number[] = [];
  for (const name of await fs.readdir(dir)) {
    const match = LOG_NAME.exec(name);
    if (match?.[1]) generations.push(Number(match[1]));
  }
  return generations.sort((a, b) => a - b);
}

export interface LogInfo {
  generation: number;
  /** End of the last intact record (after repair, the file size). */
  validEnd: number;
  /** Whether the file holds transactions, not only its header. */
  hasTransactions: boolean;
}

export interface DirState {
  state: RawState;
  /** First generation not covered by the snapshot (0 without one). */
  snapshotNextGeneration: number;
  /** Logs replayed, ascending; older leftovers already covered by the snapshot are not listed. */
  logs: LogInfo[];
}

export interface ReadOptions {
  /** Truncate a torn tail of the newest log instead of only ignoring it. */
  repair: boolean;
  /** Stop before this generation (compaction reads the sealed logs only). */
  beforeGeneration?: number;
  onWarning?: (message: string) => void;
}

/**
 * Rebuilds the state from the snapshot and logs. A damaged tail is tolerated only in the newest log read,
 * the one a crash can have interrupted; damage elsewhere throws `StoreCorruptionError`.
 */
export async function readDirState(fs: StoreFs, dir: string, options: ReadOptions): Promise<DirState> {
  const snapshot = await readSnapshot(fs, dir);
  const state = snapshot?.state ?? emptyRawState();
  const snapshotNextGeneration = snapshot?.nextLogGeneration ?? 0;
  const generations = (await listLogGenerations(fs, dir)).filter(
    (g) => g >= snapshotNextGeneration && (options.beforeGeneration === undefined || g < options.beforeGeneration),
  );
  const logs: LogInfo[] = [];
  for (const [index, generation] of generations.entries()) {
    const isNewest = index === generations.length - 1 && options.beforeGeneration === undefined;
    logs.push(await replayLog(fs, dir, generation, state, isNewest, options));
  }
  return { state, snapshotNextGeneration, logs };
}

async function replayLog(
  fs: StoreFs,
  dir: string,
  generation: number,
  state: RawState,
  isNewest: boolean,
  options: ReadOptions,
): Promise<LogInfo> {
  const path = join(dir, logFileName(generation));
  const file = await fs.open(path, options.repair && isNewest ? 'r+' : 'r');
  try {
    let sawHeader = false;
    let hasTransactions = false;
    const scan = await scanFrames(file, (payload) => {
      const record = decodePayload(payload, path);
      if (!sawHeader) {
        if (record.type !== RecordType.LogHeader || record.generation !== generation) {
          throw new StoreCorruptionError(path, 'missing or mismatched log header');
        }
        sawHeader = true;
      } else if (record.type === RecordType.Transaction) {
        applyRaw(state, record.tx);
        hasTransactions = true;
      } else throw new StoreCorruptionError(path, `unexpected record type ${record.type}`);
    });
    if (scan.validEnd === 0 && (await intactFramesFollowHeader(file, generation))) {
      throw new StoreCorruptionError(path, 'damaged log header followed by intact records');
    }
    if (scan.validEnd < scan.fileSize) {
      if (!isNewest) throw new StoreCorruptionError(path, `damaged record at offset ${scan.validEnd}`);
      if (options.repair) {
        options.onWarning?.(
          `discarding ${scan.fileSize - scan.validEnd} bytes of torn write at the end of ${path} (offset ${scan.validEnd})`,
        );
        await file.truncate(scan.validEnd);
        await file.datasync();
      }
    }
    return { generation, validEnd: scan.validEnd, hasTransactions };
  } finally {
    await file.close();
  }
}

/**
 * Whether intact frames follow where the header ends. A header that never became durable has nothing after it
 * (transactions are appended only once it is synced), so records behind an unreadable header mean damage, and
 * truncating them as a torn tail would lose acknowledged commits.
 */
async function intactFramesFollowHeader(file: StoreFile, generation: number): Promise<boolean> {
  const headerBytes = encodeControl({ type: RecordType.LogHeader, generation }).length;
  const after = await scanFrames(file, () => undefined, headerBytes);
  return after.validEnd > headerBytes;
}

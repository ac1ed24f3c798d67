// Group commit. A commit's frame joins a queue; one loop drains it, writing everything queued as a single
// write followed by one fdatasync, then settles every commit in that batch. Commits that arrive during a
// write+sync wait for the next batch, so N concurrent writers cost about one sync per round trip rather
// than N.
import { join } from 'node:path';
import { StoreWriteError } from './errors.js';
import { logFileName } from './log-files.js';
import { encodeControl, RecordType } from './record-codec.js';
import type { StoreFile, StoreFs } from './store-fs.js';

interface Pending {
  frame: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Counters for tests and benchmarks. */
export interface WriterStats {
  commits: number;
  /** Write+fdatasync cycles; each settles one batch. */
  syncs: number;
  bytesWritten: number;
  rotations: number;
}

export interface LogWriterOptions {
  fs: StoreFs;
  dir: string;
  /** Rotate to a fresh log once the active one is larger than this. */
  rotateAtBytes: number;
  /** Called with the first generation the new log starts after a rotation. */
  onRotated: (newGeneration: number) => void;
  onWarning: (message: string, error?: unknown) => void;
}

export class LogWriter {
  readonly stats: WriterStats = { commits: 0, syncs: 0, bytesWritten: 0, rotations: 0 };
  private queue: Pending[] = [];
  // Set and cleared synchronously inside drain(): clearing it in a .finally() callback would leave a
  // microtask gap in which a commit could be queued with nobody left to write it.
  private draining = false;
  private running: Promise<void> = Promise.resolve();
  private failure: StoreWriteError | undefined;
  private nextRotationCheck: number;

  constructor(
    private readonly options: LogWriterOptions,
    private file: StoreFile,
    private generationValue: number,
    /** End of durable data in the active log: where the next batch is written. */
    private offset: number,
  ) {
    this.nextRotationCheck = options.rotateAtBytes;
  }

  get generation(): number {
    return this.generationValue;
  }

  /** Creates log `generation` with its header, durably, and returns it open for appending. */
  static async createLog(fs: StoreFs, dir: string, generation: number): Promise<{ file: StoreFile; offset: number }> {
    const file = await fs.open(join(dir, logFileName(generation)), 'wx');
    try {
      const header = encodeControl({ type: RecordType.LogHeader, generation });
      await file.write(header, 0);
      await file.datasync();
      await fs.syncDir(dir);
      return { file, offset: header.length };
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
  }

  /** Queues a framed transaction; resolves once it is durable. */
  append(frame: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        this.running = this.drain();
      }
    });
  }

  /** Makes the next batch (an empty one if nothing else is queued) end with a rotation; resolves after it. */
  async rotateNow(): Promise<void> {
    this.nextRotationCheck = 0;
    await this.append(Buffer.alloc(0));
    await this.idle();
  }

  /** Resolves when every queued commit has settled. */
  async idle(): Promise<void> {
    while (this.draining) await this.running;
  }

  async close(): Promise<void> {
    await this.idle();
    await this.file.close();
  }

  private async drain(): Promise<void> {
    // The flag is cleared in the same synchronous step that finds the queue empty.
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        if (this.failure) {
          for (const p of batch) p.reject(this.failure);
          continue;
        }
        const error = await this.writeBatch(batch);
        for (const p of batch) {
          if (error) p.reject(error);
          else p.resolve();
        }
        if (!error && this.offset >= this.nextRotationCheck) await this.rotate();
      }
    } finally {
      this.draining = false;
    }
  }

  private async writeBatch(batch: Pending[]): Promise<StoreWriteError | undefined> {
    const data = batch.length === 1 ? batch[0]!.frame : Buffer.concat(batch.map((p) => p.frame));
    try {
      await this.file.write(data, this.offset);
    } catch (cause) {
      // Cut off whatever part of the batch reached the file, so a later batch written at the same offset
      // cannot leave rejected records readable behind it.
      try {
        await this.file.truncate(this.offset);
        return new StoreWriteError(`write-ahead log write failed: ${describe(cause)}`, false, { cause });
      } catch {
        return this.fail(cause, 'write');
      }
    }
    try {
      await this.file.datasync();
    } catch (cause) {
      // After a failed fsync the kernel may have dropped the dirty pages; nothing written since the last
      // good sync can be trusted, so stop accepting commits.
      return this.fail(cause, 'fsync');
    }
    this.offset += data.length;
    this.stats.commits += batch.filter((p) => p.frame.length > 0).length;
    this.stats.syncs += 1;
    this.stats.bytesWritten += data.length;
    return undefined;
  }

  private fail(cause: unknown, what: string): StoreWriteError {
    this.failure = new StoreWriteError(
      `write-ahead log ${what} failed: ${describe(cause)}; the store accepts no more commits, reopen it to recover`,
      true,
      { cause },
    );
    return this.failure;
  }

  private async rotate(): Promise<void> {
    const next = this.generationValue + 1;
    let created;
    try {
      created = await LogWriter.createLog(this.options.fs, this.options.dir, next);
    } catch (err) {
      // Keep appending to the current log; try again after it has grown a little more.
      this.nextRotationCheck = this.offset + Math.max(1, this.options.rotateAtBytes >> 3);
      this.options.onWarning(`could not start write-ahead log ${next}; will retry`, err);
      return;
    }
    const old = this.file;
    this.file = created.file;
    this.offset = created.offset;
    this.generationValue = next;
    this.nextRotationCheck = this.options.rotateAtBytes;
    this.stats.rotations += 1;
    await old.close().catch((err: unknown) => this.options.onWarning('closing a sealed log failed', err));
    this.options.onRotated(next);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

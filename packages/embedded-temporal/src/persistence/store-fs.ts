// The file operations the store performs, behind an interface so tests can count syncs and inject
// failures (disk full, failed fsync) without touching a real disk's behaviour.
import { open, readdir, rename, unlink, mkdir } from 'node:fs/promises';

/** An open file. Writes are positional because the store always knows its own end offset. */
export interface StoreFile {
  /** Writes all of `data` at `position`, looping over short writes. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Reads up to `length` bytes at `position` into `buffer`; returns the count read. */
  read(buffer: Uint8Array, position: number, length: number): Promise<number>;
  /** fdatasync: data plus the metadata needed to read it back (the size). */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** The directory-level operations; see {@link nodeStoreFs} for the real one. */
export interface StoreFs {
  /** `flags` as for `fs.open`: the store uses 'r', 'r+' and 'wx'. */
  open(path: string, flags: string): Promise<StoreFile>;
  readdir(dir: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
  /** fsync a directory so a rename or a new file name in it is durable. */
  syncDir(dir: string): Promise<void>;
}

/** {@link StoreFs} on `node:fs/promises`. */
export const nodeStoreFs: StoreFs = {
  async open(path, flags) {
    const handle = await open(path, flags);
    return {
      async write(data, position) {
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
          done += bytesWritten;
        }
      },
      async read(buffer, position, length) {
        return (await handle.read(buffer, 0, length, position)).bytesRead;
      },
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      size: async () => (await handle.stat()).size,
      close: () => handle.close(),
    };
  },
  readdir: (dir) => readdir(dir),
  rename: (from, to) => rename(from, to),
  unlink: (path) => unlink(path),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  async syncDir(dir) {
    // Windows cannot open a directory for fsync, and NTFS makes renames durable by itself.
    if (process.platform === 'win32') return;
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

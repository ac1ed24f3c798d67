import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { nodeStoreFs, type StoreFs } from '../../src/persistence/index.js';

/** A fresh directory under the OS temp dir, removed when the test ends. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'durable-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface FsHooks {
  /** Runs before each log/snapshot write; throw to simulate a failed write. */
  beforeWrite?: (path: string, data: Uint8Array) => Promise<void> | void;
  /** Runs before each fdatasync; throw to simulate a failed sync, await to hold it. */
  beforeDatasync?: (path: string) => Promise<void> | void;
}

/** Wraps the real file operations with counters and test hooks. */
export function instrumentedFs(hooks: FsHooks = {}): { fs: StoreFs; counts: { writes: number; datasyncs: number } } {
  const counts = { writes: 0, datasyncs: 0 };
  const fs: StoreFs = {
    ...nodeStoreFs,
    async open(path, flags) {
      const file = await nodeStoreFs.open(path, flags);
      return {
        ...file,
        async write(data, position) {
          await hooks.beforeWrite?.(path, data);
          counts.writes += 1;
          await file.write(data, position);
        },
        async datasync() {
          await hooks.beforeDatasync?.(path);
          counts.datasyncs += 1;
          await file.datasync();
        },
      };
    },
  };
  return { fs, counts };
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array | undefined): string | undefined =>
  data === undefined ? undefined : new TextDecoder().decode(data);

/** A syscall-style error, as node:fs would raise it. */
export function fsError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

// Commits per second of the file store with 1 and 64 concurrent writers, each commit shaped like a
// workflow-task completion: one ~600-byte state value and three ~200-byte history events.
// Run: node --import tsx packages/embedded-temporal/bench/store.bench.ts [seconds] [extra-fsync-ms] [dir]
// extra-fsync-ms adds that much latency to every fdatasync, to see how group commit behaves on a slow
// disk (a laptop SSD syncs in ~1 ms, cloud block storage in 2-10 ms, a spinning disk in ~10 ms).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { nodeStoreFs, openFileStore, type StoreFs } from '../src/persistence/index.js';

const seconds = Number(process.argv[2] ?? 3);
const extraSyncMs = Number(process.argv[3] ?? 0);
const baseDir = process.argv[4] ?? tmpdir();

const slowFs: StoreFs = {
  ...nodeStoreFs,
  async open(path, flags) {
    const file = await nodeStoreFs.open(path, flags);
    return {
      ...file,
      async datasync() {
        await delay(extraSyncMs);
        await file.datasync();
      },
    };
  },
};

async function run(writers: number): Promise<void> {
  const dir = await mkdtemp(join(baseDir, 'store-bench-'));
  try {
    const store = await openFileStore(dir, extraSyncMs > 0 ? { fs: slowFs } : {});
    await store.load();
    const event = Buffer.alloc(200, 7);
    const deadline = performance.now() + seconds * 1000;
    let next = 0;
    const writer = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const id = next++;
        await store.commit({
          put: [[`wf/${id}`, { workflowId: `wf-${id}`, status: 'Running', memo: 'm'.repeat(500) }]],
          append: [[`history/${id}`, [event, event, event]]],
        });
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: writers }, writer));
    const elapsed = (performance.now() - start) / 1000;
    const { commits, syncs, bytesWritten } = store.stats();
    await store.close();
    console.log(
      `${String(writers).padStart(2)} writer(s): ${Math.round(commits / elapsed)} commits/s, ` +
        `${Math.round(syncs / elapsed)} fsyncs/s, ${(commits / Math.max(1, syncs)).toFixed(1)} commits/fsync, ` +
        `${(bytesWritten / elapsed / 1024 / 1024).toFixed(1)} MiB/s`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`file store, ${seconds}s per case, in ${baseDir}, extra fsync latency ${extraSyncMs} ms`);
await run(1);
await run(64);

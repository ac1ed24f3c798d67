export type { DurableStore, StoreTransaction, StoredState } from './types.js';
export { openFileStore, type FileStore, type FileStoreOptions, type FileStoreStats } from './file-store.js';
export { createMemoryStore } from './memory-store.js';
export { StoreClosedError, StoreCorruptionError, StoreLockedError, StoreWriteError } from './errors.js';
export { nodeStoreFs, type StoreFile, type StoreFs } from './store-fs.js';
export { crc32 } from './crc32.js';

/** The durable-store contract the engine writes through (implemented in `../persistence/`). */
export type { DurableStore, StoreTransaction, StoredState } from '../persistence/index.js';

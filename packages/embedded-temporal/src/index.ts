export { startEmbeddedTemporal, type EmbeddedTemporal, type EmbeddedTemporalOptions } from './server.js';
export type { EngineLogger } from './engine/engine.js';

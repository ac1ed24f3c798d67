/**
 * The research worker as a library: configuration, the worker factory and the pieces `main.ts` wires up.
 * The process itself is `main.ts`.
 */
export { ConfigError, loadConfig } from './config.js';
export type { Config, TemporalConfig } from './config.js';
export { connectWithRetry } from './connection.js';
export { createLogger, temporalLogger } from './logger.js';
export { createWorker } from './worker.js';
export type { ResearchWorker } from './worker.js';
export { DEFAULT_BUNDLE_PATH, resolveWorkflowSource, withSourceCondition } from './workflow-source.js';
export type { WorkflowSource } from './workflow-source.js';

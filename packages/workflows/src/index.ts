/**
 * Workflow definitions registered by the worker. This module is bundled into Temporal's deterministic
 * sandbox: it may only import `@temporalio/workflow`, `@research/contracts` and activity types.
 */
export { research } from './research.js';

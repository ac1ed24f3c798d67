/**
 * Workflow definitions registered by the worker. This module is bundled into Temporal's deterministic
 * sandbox: it may only import `@temporalio/workflow`, `@research/contracts` and activity types.
 */
export { research } from './research.js';
export { INVALID_RESEARCH_INPUT, RESEARCH_STEP_FAILED } from './failures.js';

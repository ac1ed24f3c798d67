export * from './activities.js';
export * from './definitions.js';
export * from './durations.js';
export * from './failures.js';
export * from './names.js';
export * from './research.js';
export * from './retry-overrides.js';
export * from './stages.js';

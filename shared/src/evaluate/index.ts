export * from './input.js';
export * from './labels.js';
export * from './latency.js';
export * from './metrics-file.js';
export * from './predictions-file.js';
export * from './read-rows.js';
export * from './run.js';
export * from './summary.js';

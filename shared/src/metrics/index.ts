export * from './bootstrap.js';
export * from './calibration.js';

export * from './classification.js';
export * from './fairness.js';
export * from './names.js';
export * from './permutation-importance.js';
export type { MetricPlan } from './plan.js';
export * from './random.js';
export * from './ranking.js';
export * from './regression.js';
export * from './resample-kernel.js';
export * from './subset-rows.js';
export * from './summary.js';

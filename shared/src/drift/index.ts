export { type DetectOptions, detectDrift, type ReferenceSide } from './detect.js';
export {
  DRIFT_METHODS,
  type DriftMethod,
  defaultMethod,
  isDrifted,
  METHOD_INFO,
  parseMethod,
} from './methods.js';
export { checkPerformance, DEFAULT_DECAY_TOLERANCE, readStoredMetrics } from './performance.js';
export {
  DRIFT_MARKER_KIND,
  driftIssueMarker,
  driftMarkerKey,
  histogramChart,
  renderDriftIssue,
  renderDriftSummary,
} from './render.js';
export {
  type ColumnDrift,
  DRIFT_SCHEMA,
  type DriftReport,
  type Finding,
  type PerformanceCheck,
  sortColumns,
} from './report.js';
export { type DriftCheckOptions, type DriftCheckResult, runDriftCheck } from './run.js';

export { inferSchema } from './infer-schema.js';
export { type DataValidationReport, VALIDATION_REPORT_SCHEMA } from './report.js';
export {
  type Annotation,
  type DataValidateOptions,
  type DataValidateResult,
  runDataValidate,
  type SkewCheck,
  type SkewCheckInput,
  type SkewCheckResult,
  type SkewColumn,
} from './run-data-validate.js';
export { DATA_SCHEMA_ID, type DataSchema } from './schema.js';
export { type LoadedSchema, loadSchemaFile, parseSchemaYaml, renderSchemaYaml } from './schema-yaml.js';
export { FAIL_ON_VALUES, type FailOn, shouldFail } from './should-fail.js';
export { ANOMALY_KINDS, type Anomaly, type AnomalyKind, validateDataset } from './validate-dataset.js';

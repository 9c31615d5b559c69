export { adminStatus } from './admin.js';
export { type CanaryCriteria, decideCanary } from './canary.js';
export { type LoadedModel, loadModelFolder } from './loaded-model.js';
export type { ModelSourceSpec } from './model-source.js';
export { REQUEST_LOG_FILE, REQUEST_LOG_SCHEMA } from './request-log.js';
export { DEFAULT_SERVE_PORT, runServe, runServeDaemon, type ServeOptions } from './run-serve.js';
export { DEFAULT_LIMITS, type ModelServer, type ModelServerOptions, startModelServer } from './server.js';

export { AliasConflictError } from './alias-conflict.js';
export { type ModelFile, modelDigest, scanModel, sha256File } from './files.js';
export { evaluateGates, type Gate, parseRequire } from './gates.js';
export { type GitHubClient, GitHubRegistry, type GitHubRepo } from './github/github-registry.js';
export { LocalRegistry } from './local/local-registry.js';
export { renderModelCard } from './model-card.js';
export {
  formatModelReference,
  type ModelReference,
  parseModelReference,
  validateAliasName,
  validateModelName,
} from './names.js';
export { DEFAULT_LOCAL_REGISTRY, type OpenRegistryOptions, openRegistry, type RegistryDeps } from './open.js';
export {
  diffVersions,
  listModels,
  type ModelSummary,
  type SetAliasOptions,
  setAlias,
  showVersion,
  type VersionDetails,
  type VersionDiff,
} from './queries.js';
export { MODEL_CARD_FILE, RECORD_FILE, VERSION_RECORD_SCHEMA, type VersionRecord } from './record.js';
export { type RegisterDeps, type RegisterOptions, type RegisterResult, runRegister } from './register.js';
export type { AliasChange, AliasEntry, Registry, RegistryEvent, StoredVersion } from './registry.js';
export { type ResolvedModel, resolveModel, resolveVersionNumber } from './resolve.js';
export { IntegrityError, verifyModelFolder } from './verify.js';

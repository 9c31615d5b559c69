export { DeployFailure } from './deploy-failure.js';
export { type DeploymentsClient, GitHubDeployments, isProductionEnvironment } from './github-deployments.js';
export {
  DEPLOY_TARGETS,
  type DeployDeps,
  type DeployOptions,
  type DeployResult,
  type DeployStatus,
  type DeployTargetKind,
  defaultServerCommand,
  runDeploy,
} from './run-deploy.js';
export { readSmokeTest, runSmokeTest, SMOKE_TEST_SCHEMA, type SmokeResult } from './smoke-test.js';
export { findRunningServer, stopLocalServer } from './targets/local-server.js';

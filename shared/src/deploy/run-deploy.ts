/**
 * The deploy use case: resolve a registered version (files sha256-verified), record a GitHub
 * Deployment (one per attempt), put the version in place through a target, smoke-test it, and
 * then either move the `promote-alias` (compare-and-swap) or roll back to what served before (a
 * rollback is recorded as a Deployment of the restored version). A target that can load the
 * version beside the serving one (`stage`, the local server) has it smoke-tested there before it
 * takes any traffic; only a version that passed is then swapped in or run as a canary.
 *
 * Bad input (an unknown version, a tampered file, a smoke-test file that does not fit the model's
 * signature) is a UserError thrown before anything changes. A deploy that fails later (the server
 * does not come up, the new version does not load, the smoke test fails, the webhook does not
 * answer) is returned as status `failure` or `rolled_back` with a message for the caller to turn
 * into a failed step; production keeps serving the previous version and the alias does not move.
 */
import { userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import type { OnInvalid } from '../models/preprocessing.js';
import { AliasConflictError } from '../registry/alias-conflict.js';
import type { GitHubClient } from '../registry/github/github-registry.js';
import { LocalRegistry } from '../registry/local/local-registry.js';
import { parseModelReference, validateAliasName } from '../registry/names.js';
import { openRegistry } from '../registry/open.js';
import type { Registry } from '../registry/registry.js';
import { resolveModel } from '../registry/resolve.js';
import type { CanaryCriteria } from '../serve/canary.js';
import { expectedSignature } from '../serve/signature.js';
import { DeployFailure } from './deploy-failure.js';
import { type DeploymentsClient, GitHubDeployments, type RepoRef } from './github-deployments.js';
import { localServerPort, parsePorts } from './local-port.js';
import {
  checkSmokeTestAgainstSignature,
  readSmokeTest,
  runSmokeTest,
  type SmokeResult,
  type SmokeTestFile,
} from './smoke-test.js';
import { renderDeploySummary } from './summary.js';
import type { DeployOutcome, DeployTarget } from './target.js';
import { type KServeOptions, KServeTarget } from './targets/kserve.js';
import { LocalServerTarget } from './targets/local-server.js';
import { TfServingDirTarget } from './targets/tfserving-dir.js';
import { WebhookTarget } from './targets/webhook.js';

export type DeployTargetKind = 'local-server' | 'tfserving-dir' | 'webhook' | 'kserve';
export const DEPLOY_TARGETS: readonly DeployTargetKind[] = [
  'local-server',
  'tfserving-dir',
  'webhook',
  'kserve',
];

export interface DeployOptions {
  /** `name@alias`, `name/version` or `name@latest`. */
  model: string;
  target: DeployTargetKind;
  environment: string;
  /** local-server: where a new server listens; webhook: the webhook URL; tfserving-dir: the server watching `path` (optional, for the smoke test). */
  url?: string;
  /** local-server: `environment=port` pairs; an environment not listed gets its stable default port. */
  ports?: string[];
  /** tfserving-dir: base folder; local-server: state folder (default `.mlops/serve/<environment>`). */
  path?: string;
  /** A `mlops-smoke-test/v1` file. */
  smokeTest?: string;
  rollbackOnFailure: boolean;
  /** Alias moved to the deployed version on success (compare-and-swap). */
  promoteAlias?: string;
  /** The registry's folder (local backend) or `owner/repo` (github; its default folder means this repository). */
  registry: string;
  /** Where `model` is registered: local (default) or github (tags and releases, through `deps.github`). */
  registryBackend?: 'local' | 'github';
  webhookSecret?: string;
  workingDirectory: string;
  /** The workflow run, for the deployment's log_url and the registry event log. */
  runUrl?: string;
  /**
   * local-server only: roll out to the running server as a canary (a share of traffic, promoted or
   * rolled back by error rate and latency) instead of swapping at once. `maxDurationMs` bounds it.
   */
  canary?: CanaryCriteria & { maxDurationMs: number };
  /**
   * kserve only. `manifestPath` relative to the working directory; empty: `.mlops/kserve/<environment>/<name>.yaml`.
   */
  kserve?: Omit<KServeOptions, 'manifestPath'> & { manifestPath?: string };
  /** local-server: the new server's policy for unreadable feature values (mlops.yml `features.on-invalid`); default error. */
  onInvalid?: OnInvalid;
}

export interface DeployDeps {
  log: Log;
  /** An Octokit (GitHubClient) with deployments: write; without it no GitHub Deployment is recorded. */
  github?: DeploymentsClient;
  repo?: RepoRef;
  /** The GitHub API for `registryBackend: github` (contents: read is enough to read a release). */
  registryClient?: GitHubClient;
  /** The commit the deployment points to (GITHUB_SHA); default: the version's git sha, else `main`. */
  sha?: string;
  actor?: string;
  /** How the local-server target runs `mlops serve` (`--daemon-config FILE` is appended). */
  serverCommand?: string[];
  /** How long a new local server may take to become ready. */
  startTimeoutMs?: number;
  /** The startup lease of a new local server (tests shorten it; default 60 s). */
  serverLeaseMs?: number;
  /** Webhook retry pacing (tests shorten it). */
  webhook?: { timeoutMs?: number; attempts?: number; backoffMs?: number };
}

export type DeployStatus = 'success' | 'failure' | 'rolled_back';

export interface DeployResult {
  deploymentId: number | null;
  /** The manifest the target wrote (kserve), else null. */
  manifestPath: string | null;
  url: string;
  version: number;
  /** The version serving before this deploy, when known. */
  previousVersion: number | null;
  status: DeployStatus;
  /** One line for the step's error (failure, rolled_back) or log (success). */
  message: string;
  smoke: SmokeResult | null;
  notes: string[];
  summaryMarkdown: string;
}

function defaultActor(): string {
  return (
    process.env.GITHUB_ACTOR ||
    (() => {
      try {
        return userInfo().username;
      } catch {
        return 'unknown';
      }
    })()
  );
}

/** `mlops serve` as run by the CLI that is running now; the lead's CLI wires `--daemon-config`. */
export function defaultServerCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1] ?? 'mlops', 'serve'];
}

function makeTarget(
  options: DeployOptions,
  deps: DeployDeps,
  at: (p: string) => string,
  registry: Registry,
): DeployTarget {
  if (options.canary && options.target !== 'local-server') {
    throw new UserError('A canary needs the local-server target (its server splits the traffic).', {
      input: 'canary',
    });
  }
  switch (options.target) {
    case 'local-server':
      return new LocalServerTarget({
        path: at(options.path?.trim() || `.mlops/serve/${options.environment}`),
        url:
          options.url?.trim() ||
          `http://127.0.0.1:${localServerPort(options.environment, parsePorts(options.ports ?? []))}`,
        serverCommand: deps.serverCommand ?? defaultServerCommand(),
        startTimeoutMs: deps.startTimeoutMs,
        leaseMs: deps.serverLeaseMs,
        canary: options.canary,
        registry: registry instanceof LocalRegistry ? registry.root : undefined,
        onInvalid: options.onInvalid,
        log: deps.log,
      });
    case 'tfserving-dir':
      if (!options.path?.trim())
        throw new UserError(
          'The tfserving-dir target needs path: the base folder TF Serving or Triton watches.',
          { input: 'path' },
        );
      return new TfServingDirTarget({
        path: at(options.path.trim()),
        serverUrl: options.url?.trim() || undefined,
      });
    case 'webhook':
      if (!options.url?.trim())
        throw new UserError('The webhook target needs url: where to POST the version record.', {
          input: 'url',
        });
      return new WebhookTarget({
        url: options.url.trim(),
        secret: options.webhookSecret || undefined,
        ...deps.webhook,
      });
    case 'kserve': {
      if (!options.kserve)
        throw new UserError('The kserve target needs kserve-storage-uri.', { input: 'kserve-storage-uri' });
      // A dry run puts nothing in place, so it must not move an alias as if it had.
      if (options.kserve.dryRun && options.promoteAlias?.trim())
        throw new UserError(
          'kserve-dry-run applies nothing, so promote-alias cannot move; leave one of them out.',
          { input: 'promote-alias' },
        );
      const name = parseModelReference(options.model, 'model').name;
      return new KServeTarget({
        ...options.kserve,
        manifestPath: at(
          options.kserve.manifestPath?.trim() || `.mlops/kserve/${options.environment}/${name}.yaml`,
        ),
      });
    }
    default:
      throw new UserError(
        `Unknown target ${JSON.stringify(options.target)}: expected one of ${DEPLOY_TARGETS.join(', ')}.`,
        { input: 'target' },
      );
  }
}

export async function runDeploy(options: DeployOptions, deps: DeployDeps): Promise<DeployResult> {
  const { log } = deps;
  const at = (p: string) => (isAbsolute(p) ? p : resolve(options.workingDirectory, p));
  const environment = options.environment.trim();
  if (environment === '' || environment.length > 255)
    throw new UserError('environment must be a name of 1 to 255 characters.', { input: 'environment' });
  const promoteAlias = options.promoteAlias?.trim()
    ? validateAliasName(options.promoteAlias.trim(), 'promote-alias')
    : undefined;
  const reference = parseModelReference(options.model, 'model');
  const registry = openRegistry(
    {
      backend: options.registryBackend ?? 'local',
      registry: options.registry,
      workingDirectory: options.workingDirectory,
    },
    { octokit: deps.registryClient, repo: deps.repo },
  );
  const target = makeTarget(options, deps, at, registry);

  // Everything that can be checked before touching production is checked here.
  const resolved = await resolveModel(registry, reference);
  const { record } = resolved;
  target.check?.(record, environment);
  const expected = expectedSignature(record) ?? undefined;
  let smokeFile: SmokeTestFile | undefined;
  if (options.smokeTest?.trim()) {
    const file = at(options.smokeTest.trim());
    smokeFile = await readSmokeTest(file);
    checkSmokeTestAgainstSignature(smokeFile, expected?.inputs, file);
  }
  const aliasBefore = promoteAlias
    ? ((await registry.listAliases(record.name))[promoteAlias]?.version ?? null)
    : null;
  const label = `${record.name} v${record.version}`;
  const notes: string[] = [];

  let deployments: GitHubDeployments | undefined;
  let deploymentId: number | null = null;
  if (deps.github && deps.repo) {
    deployments = new GitHubDeployments(deps.github, deps.repo, log);
    try {
      deploymentId = await deployments.create({
        environment,
        model: record.name,
        version: record.version,
        ref: deps.sha || record.git_sha || 'main',
        description: `${label} via ${options.target}`,
      });
      await deployments.setStatus(deploymentId, 'in_progress', {
        description: `Deploying ${label}`,
        logUrl: options.runUrl,
      });
    } catch (error) {
      log.warning(
        `Could not record a GitHub deployment (${(error as Error).message}); deploying without one.`,
      );
      deployments = undefined;
      deploymentId = null;
    }
  } else {
    notes.push('No GitHub token or repository: the deployment is not recorded on GitHub.');
  }

  const finish = async (
    status: DeployStatus,
    message: string,
    outcome: DeployOutcome | undefined,
    smoke: SmokeResult | null,
    /** After a rollback: the version that serves again (recorded as a deployment of its own). */
    restoredVersion?: number,
  ): Promise<DeployResult> => {
    if (outcome && status !== 'rolled_back' && target.confirm) {
      try {
        await target.confirm();
      } catch (error) {
        status = 'failure';
        message = `${message} But: ${(error as Error).message}`;
      }
    }
    const url = outcome?.url ?? '';
    if (deployments && deploymentId !== null) {
      try {
        await deployments.setStatus(deploymentId, status === 'success' ? 'success' : 'failure', {
          description: message,
          environmentUrl: status === 'success' ? url : undefined,
          logUrl: options.runUrl,
        });
        if (status === 'success') {
          const marked = await deployments.deactivateOlder(environment, record.name, deploymentId);
          if (marked.length > 0) notes.push(`Marked older deployment(s) ${marked.join(', ')} inactive.`);
        }
        if (status === 'rolled_back' && restoredVersion !== undefined) {
          const restored = await deployments.recordRollback({
            environment,
            model: record.name,
            version: restoredVersion,
            ref: deps.sha || 'main',
            rolledBack: deploymentId,
            environmentUrl: url || undefined,
            logUrl: options.runUrl,
          });
          notes.push(
            `Recorded the rollback as GitHub deployment ${restored}: v${restoredVersion} is active again; deployment ${deploymentId} failed.`,
          );
        }
      } catch (error) {
        log.warning(`Could not update GitHub deployment ${deploymentId}: ${(error as Error).message}`);
      }
    }
    const previousVersion = outcome?.previousVersion ?? aliasBefore;
    const result: Omit<DeployResult, 'summaryMarkdown'> = {
      deploymentId,
      manifestPath: outcome?.manifestPath ?? null,
      url,
      version: record.version,
      previousVersion,
      status,
      message,
      smoke,
      notes: [...(outcome?.notes ?? []), ...notes],
    };
    // A failure is the caller's to report (the action prints it once, as the step's error).
    if (status === 'success') log.info(message);
    return {
      ...result,
      summaryMarkdown: renderDeploySummary({
        ...result,
        model: record.name,
        environment,
        target: options.target,
        alias: promoteAlias,
      }),
    };
  };

  const deployRequest = {
    name: record.name,
    version: record.version,
    path: resolved.path,
    record,
    environment,
    previousVersion: aliasBefore ?? undefined,
    log,
  };
  const smokeTestAt = (serverUrl: string) =>
    runSmokeTest({ url: serverUrl, model: record.name, version: record.version, expected }, smokeFile);
  const failedChecks = (result: SmokeResult) =>
    result.checks
      .filter((c) => !c.passed)
      .map((c) => `${c.name}: ${c.detail}`)
      .join('; ');

  // A target that can load the version beside the one serving has it smoke-tested there, at its
  // own /versions/<n>, before it takes any traffic: a version that fails never answers a client.
  let smoke: SmokeResult | null = null;
  try {
    const staged = target.stage ? await target.stage(deployRequest) : undefined;
    if (staged) {
      notes.push(staged.note);
      smoke = await smokeTestAt(staged.serverUrl);
      if (!smoke.passed) {
        let kept: string;
        if (options.rollbackOnFailure) {
          kept = `${await target.unstage!()}`;
        } else {
          kept = `rollback-on-failure is off, so it stays loaded beside it at /versions/${record.version} for a look, taking no traffic`;
        }
        return finish(
          'failure',
          `The smoke test of ${label} in ${environment} failed before it took any traffic (${failedChecks(smoke)}); ${kept}. Production is unchanged.`,
          undefined,
          smoke,
        );
      }
    }
  } catch (error) {
    if (!(error instanceof DeployFailure)) throw error;
    return finish(
      'failure',
      `Deploying ${label} to ${environment} failed; production is unchanged: ${error.message}`,
      undefined,
      smoke,
    );
  }
  const testedBeforeTraffic = smoke !== null;

  let outcome: DeployOutcome;
  try {
    outcome = await target.deploy(deployRequest);
  } catch (error) {
    if (!(error instanceof DeployFailure)) throw error;
    if (error.rolledBack)
      return finish(
        'rolled_back',
        `Deploying ${label} to ${environment} was rolled back: ${error.message}`,
        undefined,
        null,
        error.restoredVersion,
      );
    return finish(
      'failure',
      `Deploying ${label} to ${environment} failed; production is unchanged: ${error.message}`,
      undefined,
      null,
    );
  }

  if (testedBeforeTraffic) {
    // Already smoke-tested where it now serves from (the same loaded version, moved in).
  } else if (outcome.serverUrl) {
    smoke = await smokeTestAt(outcome.serverUrl);
  } else if (smokeFile) {
    notes.push(
      `The ${options.target} target has no server URL to smoke-test; set url to the server that serves ${options.path ?? 'it'}.`,
    );
  }

  if (smoke && !smoke.passed) {
    const failed = failedChecks(smoke);
    if (!options.rollbackOnFailure) {
      return finish(
        'failure',
        `The smoke test of ${label} in ${environment} failed (${failed}); rollback-on-failure is off, so ${label} stays in place.`,
        outcome,
        smoke,
      );
    }
    let undo: string;
    try {
      undo = await target.rollback();
    } catch (error) {
      return finish(
        'failure',
        `The smoke test of ${label} in ${environment} failed (${failed}) and the rollback failed too: ${(error as Error).message}`,
        outcome,
        smoke,
      );
    }
    return finish(
      'rolled_back',
      `The smoke test of ${label} in ${environment} failed (${failed}); rolled back: ${undo}.`,
      outcome,
      smoke,
      outcome.previousVersion !== undefined && outcome.previousVersion !== record.version
        ? outcome.previousVersion
        : undefined,
    );
  }

  if (promoteAlias) {
    try {
      const change = await registry.setAlias({
        name: record.name,
        alias: promoteAlias,
        version: record.version,
        expected: aliasBefore,
        actor: deps.actor ?? defaultActor(),
        runUrl: options.runUrl ?? null,
      });
      notes.push(
        `Alias '${promoteAlias}' moved from ${change.previous === null ? 'nothing' : `v${change.previous}`} to v${change.version}.`,
      );
    } catch (error) {
      if (!(error instanceof AliasConflictError)) throw error;
      return finish(
        'failure',
        `${label} is deployed to ${environment}, but the alias was not moved: ${error.message}`,
        outcome,
        smoke,
      );
    }
  }
  return finish(
    'success',
    `Deployed ${label} to ${environment} (${options.target}) at ${outcome.url}.`,
    outcome,
    smoke,
  );
}

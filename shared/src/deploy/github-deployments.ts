/**
 * GitHub Deployments for the deploy step: one deployment per attempt, so that the environment's
 * history shows every try (a redeploy of a version that was deployed before gets a new record,
 * rather than the old one going inactive -> in_progress -> failure, which hid the new attempt);
 * statuses `in_progress` then `success` or `failure`, with `environment_url` and `log_url`; on
 * success the environment's older deployments of the model that still show `success` are marked
 * `inactive` (GitHub's `auto_inactive` does this too for non-transient environments; doing it
 * explicitly covers the rest). A rollback is recorded as a deployment of its own: the attempt
 * that was rolled back ends `failure`, and a deployment of the restored version ends `success`
 * (active), its payload naming the attempt it undid.
 *
 * Written here rather than with GitHubHelper because the helper's createDeployment does not pass
 * `production_environment` and it has no listing of deployments and their statuses.
 */
import type { Log } from '../logging/index.js';
import type { GitHubClient } from '../platform/github/octokit.js';
import { clip, DEPLOYMENT_STATUS_DESCRIPTION } from '../report/github-limits.js';

/** The Octokit methods used; a GitHubClient fits. */
export interface DeploymentsClient {
  rest: {
    repos: Pick<
      GitHubClient['rest']['repos'],
      'createDeployment' | 'createDeploymentStatus' | 'listDeployments' | 'listDeploymentStatuses'
    >;
  };
}

export interface RepoRef {
  owner: string;
  repo: string;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

interface DeploymentPayload {
  mlops_model: string;
  mlops_version: number;
  /** On the record of a rollback: the deployment (attempt) that was rolled back. */
  mlops_rollback_of?: number;
}

function payloadOf(value: unknown): Partial<DeploymentPayload> {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as Partial<DeploymentPayload>;
    } catch {
      return {};
    }
  }
  return value !== null && typeof value === 'object' ? (value as Partial<DeploymentPayload>) : {};
}

/** The environments GitHub and users treat as production. */
export function isProductionEnvironment(environment: string): boolean {
  return /^(prod|production)$/i.test(environment);
}

export class GitHubDeployments {
  constructor(
    private readonly client: DeploymentsClient,
    private readonly repo: RepoRef,
    private readonly log: Log,
  ) {}

  /** A new deployment record for this attempt (never a reused one: see the module comment). */
  async create(input: {
    environment: string;
    model: string;
    version: number;
    ref: string;
    description: string;
    rollbackOf?: number;
  }): Promise<number> {
    const payload: DeploymentPayload = {
      mlops_model: input.model,
      mlops_version: input.version,
      ...(input.rollbackOf !== undefined ? { mlops_rollback_of: input.rollbackOf } : {}),
    };
    const { data } = await this.client.rest.repos.createDeployment({
      ...this.repo,
      ref: input.ref,
      environment: input.environment,
      description: clip(input.description, DEPLOYMENT_STATUS_DESCRIPTION),
      payload: payload as never,
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: isProductionEnvironment(input.environment),
    });
    if (!('id' in data))
      throw new Error(`GitHub did not create the deployment: ${JSON.stringify(data).slice(0, 200)}`);
    return data.id;
  }

  /**
   * Records that `rolledBack` was undone and `version` serves again: a deployment of its own that
   * ends `success` (so GitHub shows the restored version as the environment's active one).
   */
  async recordRollback(input: {
    environment: string;
    model: string;
    version: number;
    ref: string;
    rolledBack: number;
    environmentUrl?: string;
    logUrl?: string;
  }): Promise<number> {
    const id = await this.create({
      environment: input.environment,
      model: input.model,
      version: input.version,
      ref: input.ref,
      description: `Rollback of deployment ${input.rolledBack}: ${input.model} v${input.version} restored`,
      rollbackOf: input.rolledBack,
    });
    await this.setStatus(id, 'success', {
      description: `Restored ${input.model} v${input.version} after deployment ${input.rolledBack} was rolled back.`,
      environmentUrl: input.environmentUrl,
      logUrl: input.logUrl,
    });
    this.log.info(
      `Recorded the rollback as GitHub deployment ${id}: ${input.model} v${input.version} is active again.`,
    );
    return id;
  }

  async setStatus(
    id: number,
    state: DeploymentState,
    options: { description?: string; environmentUrl?: string; logUrl?: string } = {},
  ): Promise<void> {
    await this.client.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: id,
      state,
      description:
        options.description === undefined
          ? undefined
          : clip(options.description, DEPLOYMENT_STATUS_DESCRIPTION),
      ...(options.environmentUrl ? { environment_url: options.environmentUrl } : {}),
      ...(options.logUrl ? { log_url: options.logUrl } : {}),
      auto_inactive: state === 'success',
    });
  }

  /** Marks the environment's other deployments of `model` whose latest status is success inactive. */
  async deactivateOlder(environment: string, model: string, keep: number): Promise<number[]> {
    const marked: number[] = [];
    for (let page = 1; page <= 10; page++) {
      const { data } = await this.client.rest.repos.listDeployments({
        ...this.repo,
        environment,
        per_page: 100,
        page,
      });
      for (const deployment of data) {
        if (deployment.id === keep || payloadOf(deployment.payload).mlops_model !== model) continue;
        const { data: statuses } = await this.client.rest.repos.listDeploymentStatuses({
          ...this.repo,
          deployment_id: deployment.id,
          per_page: 1,
        });
        if (statuses[0]?.state === 'success') {
          await this.setStatus(deployment.id, 'inactive', {
            description: 'Superseded by a newer deployment.',
          });
          marked.push(deployment.id);
        }
      }
      if (data.length < 100) break;
    }
    return marked;
  }
}

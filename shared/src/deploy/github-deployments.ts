/**
 * GitHub Deployments for the deploy step: one deployment per (environment, model, version),
 * found again by its payload on re-runs; statuses `in_progress` then `success` or `failure`, with
 * `environment_url` and `log_url`; on success the environment's older deployments of the model
 * that still show `success` are marked `inactive` (GitHub's `auto_inactive` does this too for
 * non-transient environments; doing it explicitly covers the rest).
 *
 * Written here rather than with GitHubHelper because the helper's createDeployment does not pass
 * `production_environment` and it has no listing of deployments and their statuses.
 */
import type { Log } from '../logging/index.js';
import type { GitHubClient } from '../platform/github/octokit.js';

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

  private async find(environment: string, model: string, version: number): Promise<number | undefined> {
    for (let page = 1; page <= 10; page++) {
      const { data } = await this.client.rest.repos.listDeployments({
        ...this.repo,
        environment,
        per_page: 100,
        page,
      });
      const found = data.find((d) => {
        const payload = payloadOf(d.payload);
        return payload.mlops_model === model && payload.mlops_version === version;
      });
      if (found) return found.id;
      if (data.length < 100) return undefined;
    }
    return undefined;
  }

  /** The deployment for this environment and version, created when it does not exist yet. */
  async open(input: {
    environment: string;
    model: string;
    version: number;
    ref: string;
    description: string;
  }): Promise<number> {
    const existing = await this.find(input.environment, input.model, input.version);
    if (existing !== undefined) {
      this.log.info(
        `Reusing GitHub deployment ${existing} of ${input.model} v${input.version} to ${input.environment}.`,
      );
      return existing;
    }
    const payload: DeploymentPayload = { mlops_model: input.model, mlops_version: input.version };
    const { data } = await this.client.rest.repos.createDeployment({
      ...this.repo,
      ref: input.ref,
      environment: input.environment,
      description: input.description.slice(0, 140),
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

  async setStatus(
    id: number,
    state: DeploymentState,
    options: { description?: string; environmentUrl?: string; logUrl?: string } = {},
  ): Promise<void> {
    await this.client.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: id,
      state,
      description: options.description?.slice(0, 140),
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

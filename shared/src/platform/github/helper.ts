import type { Log } from '../../logging/index.js';
import {
  CHECK_RUN_TITLE,
  COMMIT_STATUS_DESCRIPTION,
  clip,
  DEPLOYMENT_STATUS_DESCRIPTION,
} from '../../report/github-limits.js';
import type { GitHubClient } from './octokit.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

/** A write either happened or was refused because the token is read-only (fork PRs). */
export type WriteOutcome<T> = { ok: true; value: T } | { ok: false; readOnly: true; message: string };

export interface PullRequestRef {
  number: number;
  headSha: string;
  labels: string[];
  url?: string;
}

/** The parts of a workflow event this layer reads (`github.context` fits). */
export interface EventContext {
  eventName: string;
  /** GITHUB_SHA: on pull_request the merge commit, which is why the head sha is read from the payload. */
  sha: string;
  // biome-ignore lint/suspicious/noExplicitAny: webhook payloads are untyped JSON.
  payload: Record<string, any>;
}

/** Whose markers count: one account (a personal token's), or any bot account (GITHUB_TOKEN, apps). */
/** The account GITHUB_TOKEN writes as. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export type AuthorTrust = { login: string };

export interface StickyComment {
  id: number;
  body: string;
  url: string;
}

export interface CheckRunInput {
  name: string;
  headSha: string;
  conclusion: 'success' | 'failure' | 'neutral' | 'action_required';
  title: string;
  summary: string;
  text?: string;
  detailsUrl?: string;
}

export interface ArtifactRef {
  id: number;
  name: string;
  runId: number;
  headSha?: string;
  sizeInBytes: number;
}

/**
 * GitHub's answer to a write with a token that may not write: a fork PR's GITHUB_TOKEN, or a job
 * whose `permissions:` leave the scope out. Both are configuration, not failures of the step.
 */
export function isPermissionError(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  const message = (error as { message?: string }).message ?? '';
  return (
    status === 403 &&
    !/rate limit/i.test(message) &&
    /not accessible by|must have (admin|push|write)|permission/i.test(message)
  );
}

/**
 * The GitHub calls the actions make, each paginated where GitHub pages and each write reporting a
 * read-only token as an outcome instead of throwing.
 */
export class GitHubHelper {
  constructor(
    readonly octokit: GitHubClient,
    readonly repo: RepoRef,
    readonly log: Log,
  ) {}

  private async write<T>(what: string, call: () => Promise<T>): Promise<WriteOutcome<T>> {
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      if (isPermissionError(error)) {
        const message = `The token cannot ${what} (${(error as Error).message}); this is expected for pull requests from forks.`;
        this.log.warning(message);
        return { ok: false, readOnly: true, message };
      }
      throw error;
    }
  }

  // --- who writes ---------------------------------------------------------------------------

  private author?: Promise<AuthorTrust>;

  /**
   * Whose comments and issues carry this suite's markers: exactly the account this token writes
   * as. A personal token names it through `GET /user`; an installation token (GITHUB_TOKEN, a
   * GitHub App's) cannot, but GraphQL's `viewer` names its bot (`github-actions[bot]`,
   * `<app>[bot]`); failing that, `github-actions[bot]`, which GITHUB_TOKEN writes as. Anyone can
   * paste a marker into a comment, and any bot (renovate[bot], …) is not us: only what this exact
   * login wrote is updated, or has its hidden state read back.
   */
  trustedAuthor(): Promise<AuthorTrust> {
    this.author ??= this.octokit.rest.users.getAuthenticated().then(
      ({ data }) => ({ login: data.login }),
      async (error: unknown) => {
        const status = (error as { status?: number }).status;
        if (status !== 403) throw error;
        try {
          const answer = await this.octokit.graphql<{ viewer: { login: string } }>('{ viewer { login } }');
          if (typeof answer.viewer?.login === 'string' && answer.viewer.login !== '')
            return { login: answer.viewer.login };
        } catch (graphqlError) {
          this.log.debug(`GraphQL viewer lookup failed: ${(graphqlError as Error).message}`);
        }
        return { login: ACTIONS_BOT_LOGIN };
      },
    );
    return this.author;
  }

  private async isTrusted(user: { login?: string; type?: string } | null | undefined): Promise<boolean> {
    const trust = await this.trustedAuthor();
    return user?.login === trust.login;
  }

  /** Of the items carrying `marker`, the first one the trusted author wrote; the others are reported. */
  private async firstTrusted<
    T extends { body?: string | null; user?: { login?: string; type?: string } | null },
  >(items: T[], marker: string, where: (item: T) => string): Promise<T | undefined> {
    for (const item of items) {
      if (!item.body?.includes(marker)) continue;
      if (await this.isTrusted(item.user)) return item;
      this.log.warning(
        `${where(item)} by ${item.user?.login ?? 'an unknown account'} carries this suite's marker but was not written by this token's account: left alone.`,
      );
    }
    return undefined;
  }

  // --- comments -------------------------------------------------------------------------------

  /** The first comment on the issue/PR that carries `marker` and was written by the trusted author, searching every page. */
  async findStickyComment(issueNumber: number, marker: string): Promise<StickyComment | undefined> {
    for await (const page of this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: issueNumber,
      per_page: 100,
    })) {
      const found = await this.firstTrusted(page.data, marker, (c) => `Comment ${c.html_url}`);
      if (found) return { id: found.id, body: found.body ?? '', url: found.html_url };
    }
    return undefined;
  }

  /** Updates the comment carrying `marker`, or creates it: one comment per marker, however often it runs. */
  async upsertStickyComment(
    issueNumber: number,
    marker: string,
    body: string,
    /** The comment a `findStickyComment` of this run already found (null: found none), to list the comments once. */
    found?: StickyComment | null,
  ): Promise<WriteOutcome<StickyComment & { created: boolean }>> {
    if (!body.includes(marker)) throw new Error('sticky comment body must contain its marker');
    const existing =
      found === undefined ? await this.findStickyComment(issueNumber, marker) : (found ?? undefined);
    return this.write('comment on the pull request', async () => {
      if (existing) {
        const { data } = await this.octokit.rest.issues.updateComment({
          ...this.repo,
          comment_id: existing.id,
          body,
        });
        return { id: data.id, body: data.body ?? '', url: data.html_url, created: false };
      }
      const { data } = await this.octokit.rest.issues.createComment({
        ...this.repo,
        issue_number: issueNumber,
        body,
      });
      return { id: data.id, body: data.body ?? '', url: data.html_url, created: true };
    });
  }

  // --- checks and statuses --------------------------------------------------------------------

  async createCheckRun(input: CheckRunInput): Promise<WriteOutcome<{ id: number; url: string }>> {
    return this.write('create a check run', async () => {
      const { data } = await this.octokit.rest.checks.create({
        ...this.repo,
        name: input.name,
        head_sha: input.headSha,
        status: 'completed',
        conclusion: input.conclusion,
        details_url: input.detailsUrl,
        output: { title: clip(input.title, CHECK_RUN_TITLE), summary: input.summary, text: input.text },
      });
      return { id: data.id, url: data.html_url ?? '' };
    });
  }

  async setCommitStatus(input: {
    sha: string;
    state: 'success' | 'failure' | 'pending' | 'error';
    context: string;
    description: string;
    targetUrl?: string;
  }): Promise<WriteOutcome<{ id: number }>> {
    return this.write('set a commit status', async () => {
      const { data } = await this.octokit.rest.repos.createCommitStatus({
        ...this.repo,
        sha: input.sha,
        state: input.state,
        context: input.context,
        description: clip(input.description, COMMIT_STATUS_DESCRIPTION),
        target_url: input.targetUrl,
      });
      return { id: data.id };
    });
  }

  // --- pull requests --------------------------------------------------------------------------

  /**
   * The PR an event is about, with its head sha and current labels: the payload on
   * `pull_request`; `commits/{sha}/pulls` on `push`; on `workflow_run` the run's PR list, or
   * (empty for forks) the open PR whose head is the run's head sha.
   */
  async findPullRequest(event: EventContext): Promise<PullRequestRef | undefined> {
    const payload = event.payload;
    let found: { number: number; headSha: string; url?: string } | undefined;
    if (payload.pull_request) {
      found = {
        number: payload.pull_request.number,
        headSha: payload.pull_request.head?.sha ?? event.sha,
        url: payload.pull_request.html_url,
      };
    } else if (event.eventName === 'workflow_run' && payload.workflow_run) {
      const run = payload.workflow_run;
      const listed = (run.pull_requests ?? []).find(
        (pr: { number: number; head?: { sha?: string } }) => pr.head?.sha === run.head_sha,
      );
      found = listed
        ? { number: listed.number, headSha: run.head_sha }
        : await this.findOpenPullByHeadSha(run.head_sha, run.head_repository?.owner?.login, run.head_branch);
    } else {
      const sha = payload.after && !/^0+$/.test(payload.after) ? payload.after : event.sha;
      const { data } = await this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        ...this.repo,
        commit_sha: sha,
      });
      const pr =
        data.find((candidate) => candidate.state === 'open' && candidate.head.sha === sha) ??
        data.find((candidate) => candidate.state === 'open');
      found = pr ? { number: pr.number, headSha: sha, url: pr.html_url } : undefined;
    }
    if (!found) return undefined;
    return { ...found, labels: await this.labels(found.number) };
  }

  private async findOpenPullByHeadSha(
    sha: string,
    headOwner?: string,
    headBranch?: string,
  ): Promise<{ number: number; headSha: string; url?: string } | undefined> {
    const filter = headOwner && headBranch ? { head: `${headOwner}:${headBranch}` } : {};
    for (const attempt of [filter, {}]) {
      for await (const page of this.octokit.paginate.iterator(this.octokit.rest.pulls.list, {
        ...this.repo,
        state: 'open',
        per_page: 100,
        ...attempt,
      })) {
        const pr = page.data.find((candidate) => candidate.head.sha === sha);
        if (pr) return { number: pr.number, headSha: sha, url: pr.html_url };
      }
      if (Object.keys(attempt).length === 0) break;
    }
    return undefined;
  }

  async labels(issueNumber: number): Promise<string[]> {
    const labels = await this.octokit.paginate(this.octokit.rest.issues.listLabelsOnIssue, {
      ...this.repo,
      issue_number: issueNumber,
      per_page: 100,
    });
    return labels.map((label) => label.name);
  }

  async addLabels(issueNumber: number, labels: string[]): Promise<WriteOutcome<void>> {
    return this.write('add labels', async () => {
      await this.octokit.rest.issues.addLabels({ ...this.repo, issue_number: issueNumber, labels });
    });
  }

  // --- issues ---------------------------------------------------------------------------------

  /** The open issue with `label` whose body holds `marker`, opened by the trusted author (one alert issue per model and label). */
  async findIssueByMarker(
    label: string,
    marker: string,
  ): Promise<{ number: number; body: string } | undefined> {
    for await (const page of this.octokit.paginate.iterator(this.octokit.rest.issues.listForRepo, {
      ...this.repo,
      labels: label,
      state: 'open',
      per_page: 100,
    })) {
      const issue = await this.firstTrusted(
        page.data.filter((candidate) => !candidate.pull_request),
        marker,
        (i) => `Issue #${i.number}`,
      );
      if (issue) return { number: issue.number, body: issue.body ?? '' };
    }
    return undefined;
  }

  async createIssue(
    title: string,
    body: string,
    labels: string[],
  ): Promise<WriteOutcome<{ number: number; url: string }>> {
    return this.write('open an issue', async () => {
      const { data } = await this.octokit.rest.issues.create({ ...this.repo, title, body, labels });
      return { number: data.number, url: data.html_url };
    });
  }

  async updateIssue(
    issueNumber: number,
    update: {
      body?: string;
      title?: string;
      state?: 'open' | 'closed';
      /** Why it was closed: `completed` (fixed) or `not_planned` (e.g. an alert that never confirmed). */
      stateReason?: 'completed' | 'not_planned';
    },
  ): Promise<WriteOutcome<void>> {
    const { stateReason, ...fields } = update;
    return this.write('update an issue', async () => {
      await this.octokit.rest.issues.update({
        ...this.repo,
        issue_number: issueNumber,
        ...fields,
        ...(stateReason ? { state_reason: stateReason } : {}),
      });
    });
  }

  async commentOnIssue(issueNumber: number, body: string): Promise<WriteOutcome<{ id: number }>> {
    return this.write('comment on an issue', async () => {
      const { data } = await this.octokit.rest.issues.createComment({
        ...this.repo,
        issue_number: issueNumber,
        body,
      });
      return { id: data.id };
    });
  }

  // --- dispatches -----------------------------------------------------------------------------

  /** `repository_dispatch` and `workflow_dispatch` are the events a GITHUB_TOKEN may start workflows with. */
  async repositoryDispatch(
    eventType: string,
    clientPayload: Record<string, unknown>,
  ): Promise<WriteOutcome<void>> {
    return this.write('send a repository_dispatch', async () => {
      await this.octokit.rest.repos.createDispatchEvent({
        ...this.repo,
        event_type: eventType,
        client_payload: clientPayload,
      });
    });
  }

  async workflowDispatch(
    workflow: string,
    ref: string,
    inputs: Record<string, string>,
  ): Promise<WriteOutcome<void>> {
    return this.write('dispatch a workflow', async () => {
      await this.octokit.rest.actions.createWorkflowDispatch({
        ...this.repo,
        workflow_id: workflow,
        ref,
        inputs,
      });
    });
  }

  // --- deployments ----------------------------------------------------------------------------

  async createDeployment(input: {
    ref: string;
    environment: string;
    description?: string;
    payload?: Record<string, unknown>;
  }): Promise<WriteOutcome<{ id: number }>> {
    return this.write('create a deployment', async () => {
      const { data } = await this.octokit.rest.repos.createDeployment({
        ...this.repo,
        ref: input.ref,
        environment: input.environment,
        description: input.description,
        payload: input.payload as never,
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
      });
      if (!('id' in data)) throw new Error(`GitHub did not create the deployment: ${JSON.stringify(data)}`);
      return { id: data.id };
    });
  }

  async setDeploymentStatus(
    deploymentId: number,
    state: 'in_progress' | 'success' | 'failure' | 'error' | 'inactive' | 'queued' | 'pending',
    options: { description?: string; environmentUrl?: string; logUrl?: string; autoInactive?: boolean } = {},
  ): Promise<WriteOutcome<{ id: number }>> {
    return this.write('set a deployment status', async () => {
      const { data } = await this.octokit.rest.repos.createDeploymentStatus({
        ...this.repo,
        deployment_id: deploymentId,
        state,
        description:
          options.description === undefined
            ? undefined
            : clip(options.description, DEPLOYMENT_STATUS_DESCRIPTION),
        environment_url: options.environmentUrl,
        log_url: options.logUrl,
        auto_inactive: options.autoInactive,
      });
      return { id: data.id };
    });
  }

  // --- artifacts (for `branch:` baselines) ----------------------------------------------------

  /**
   * The newest artifact called `name` from the latest successful run on `branch`: a baseline is
   * what the branch last built green, not whatever ran last.
   */
  async latestSuccessfulArtifact(branch: string, name: string): Promise<ArtifactRef | undefined> {
    const { data: runs } = await this.octokit.rest.actions.listWorkflowRunsForRepo({
      ...this.repo,
      branch,
      status: 'success',
      per_page: 20,
    });
    for (const run of runs.workflow_runs) {
      if (run.event === 'pull_request' || run.event === 'pull_request_target') continue;
      const artifacts = await this.octokit.paginate(this.octokit.rest.actions.listWorkflowRunArtifacts, {
        ...this.repo,
        run_id: run.id,
        name,
        per_page: 100,
      });
      const artifact = artifacts.find((candidate) => candidate.name === name && !candidate.expired);
      if (artifact) {
        return {
          id: artifact.id,
          name: artifact.name,
          runId: run.id,
          headSha: run.head_sha,
          sizeInBytes: artifact.size_in_bytes,
        };
      }
    }
    return undefined;
  }

  /** The branches whose runs left an unexpired artifact called `name`, for "what exists" messages. */
  async branchesWithArtifact(name: string): Promise<string[]> {
    const artifacts = await this.octokit.paginate(this.octokit.rest.actions.listArtifactsForRepo, {
      ...this.repo,
      name,
      per_page: 100,
    });
    const branches = artifacts
      .filter((artifact) => !artifact.expired)
      .map((artifact) => artifact.workflow_run?.head_branch)
      .filter((branch): branch is string => typeof branch === 'string' && branch !== '');
    return [...new Set(branches)].sort();
  }

  /** The artifact's zip archive (GitHub answers with a redirect to blob storage, which fetch follows). */
  async downloadArtifactZip(artifactId: number): Promise<Buffer> {
    const response = await this.octokit.rest.actions.downloadArtifact({
      ...this.repo,
      artifact_id: artifactId,
      archive_format: 'zip',
    });
    return Buffer.from(response.data as ArrayBuffer);
  }
}

/**
 * A GitHub REST API emulator for tests: an HTTP server on 127.0.0.1 that keeps repositories in
 * memory and answers the endpoints the suite calls, with GitHub's status codes, messages,
 * pagination `Link` headers, token permissions and injectable faults. Response bodies are built
 * from our state and completed from the official OpenAPI schemas (see openapi.ts); tests check
 * them against the same schemas.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fillRequired, responseSchema, validateRequest } from './openapi.js';
import { storedZip } from './zip.js';

export type TokenPermission = 'write' | 'read';

export interface GitHubEmulatorOptions {
  owner?: string;
  repo?: string;
  /** token -> permission. Default: `write-token` writes, `read-token` reads only (a fork PR). */
  tokens?: Record<string, TokenPermission>;
  /**
   * token -> login, for tokens that act as a person (personal access tokens): their writes are
   * authored by that account and `GET /user` names it. Other tokens act as installation tokens
   * (GITHUB_TOKEN): they write as `github-actions[bot]` and `GET /user` answers 403, as GitHub does.
   */
  users?: Record<string, string>;
  /**
   * token -> app slug, for a GitHub App's installation tokens: they write as `<slug>[bot]`, `GET
   * /user` answers 403, and GraphQL's `viewer { login }` names the bot, as GitHub does.
   */
  apps?: Record<string, string>;
}

export interface Fault {
  /** HTTP status to answer with; omit for a delay-only fault (a slow response). */
  status?: 500 | 502 | 403 | 404 | 422;
  /** How many matching requests it affects (default 1). */
  times?: number;
  method?: string;
  /** Matched against the request path (no query). */
  path?: RegExp;
  /** 403 secondary rate limit: GitHub's message and a `retry-after` header (seconds). */
  secondaryRateLimit?: boolean;
  retryAfter?: number;
  message?: string;
  delayMs?: number;
  /**
   * Apply the request, then answer with `status` anyway: the write happened, but the client was
   * told it failed (a proxy's 502 after GitHub stored an upload).
   */
  afterApplying?: boolean;
}

export interface RecordedResponse {
  method: string;
  /** The OpenAPI path template the request matched. */
  template: string;
  status: number;
  body: unknown;
}

interface User {
  login: string;
  id: number;
}

export interface IssueState {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  user: User;
  isPull: boolean;
  created_at: string;
  updated_at: string;
}

export interface PullState {
  number: number;
  headSha: string;
  headRef: string;
  headOwner: string;
  baseRef: string;
  mergeSha: string;
  state: 'open' | 'closed';
}

export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
}

export interface RepoState {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  issues: Map<number, IssueState>;
  pulls: Map<number, PullState>;
  comments: Map<number, CommentState>;
  checkRuns: Map<number, Record<string, unknown>>;
  statuses: Record<string, unknown>[];
  deployments: Map<number, Record<string, unknown>>;
  deploymentStatuses: Map<number, Record<string, unknown>[]>;
  releases: Map<number, Record<string, unknown>>;
  assets: Map<number, { meta: Record<string, unknown>; data: Buffer; releaseId: number }>;
  refs: Map<string, string>;
  tags: Map<string, Record<string, unknown>>;
  dispatches: { event_type: string; client_payload: unknown }[];
  workflowDispatches: { workflow: string; ref: string; inputs: unknown }[];
  workflowRuns: Map<number, Record<string, unknown>>;
  artifacts: Map<number, { meta: Record<string, unknown>; zip: Buffer }>;
  /** Extra commit -> PR associations for `commits/{sha}/pulls` (a PR's head commits are implied). */
  commitPulls: Map<string, number[]>;
}

export interface EmulatorState {
  repos: Map<string, RepoState>;
  responses: RecordedResponse[];
  /** Request bodies refused because they break the operation's OpenAPI request schema. */
  requestErrors: string[];
  requests: { method: string; path: string; token?: string }[];
  repo(owner?: string, name?: string): RepoState;
  /** Seed helpers: create data directly, without going through the API. */
  addPullRequest(input: {
    headSha: string;
    headRef?: string;
    headOwner?: string;
    baseRef?: string;
    title?: string;
    labels?: string[];
  }): PullState;
  addComment(issueNumber: number, body: string, login?: string): CommentState;
  addWorkflowRun(input: {
    branch: string;
    headSha: string;
    conclusion?: 'success' | 'failure';
    event?: string;
  }): number;
  addArtifact(runId: number, name: string, files: Record<string, string | Buffer>): number;
}

export interface GitHubEmulator {
  url: string;
  state: EmulatorState;
  inject(fault: Fault): void;
  close(): Promise<void>;
}

const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';
const DOCS = 'https://docs.github.com/rest';

/** Characters as GitHub counts them (Ruby's String#length): code points, so an emoji is one. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** An issue or comment body, refused as GitHub does past 65,536 characters. */
function bodyWithin(text: string, resource: 'Issue' | 'IssueComment'): string {
  if (codePoints(text) > 65536) {
    throw new HttpError(422, 'Validation Failed', {
      errors: [
        {
          resource,
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
    });
  }
  return text;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Handler = (request: {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  raw: Buffer;
  headers: IncomingMessage['headers'];
  repo: RepoState;
  user: User;
}) =>
  | { status: number; body?: unknown; headers?: Record<string, string>; raw?: Buffer; template?: string }
  | undefined;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const tokens = options.tokens ?? { 'write-token': 'write', 'read-token': 'read' };
  let nextId = 1000;
  const id = () => nextId++;
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const faults: (Fault & { remaining: number })[] = [];
  let baseUrl = '';

  const bot: User = { login: 'github-actions[bot]', id: 41898282 };
  const userJson = (user: User) => ({
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    type: user.login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
    html_url: `https://github.localhost/${user.login}`,
  });

  const repos = new Map<string, RepoState>();
  const makeRepo = (owner: string, name: string): RepoState => ({
    owner,
    name,
    id: id(),
    defaultBranch: 'main',
    issues: new Map(),
    pulls: new Map(),
    comments: new Map(),
    checkRuns: new Map(),
    statuses: [],
    deployments: new Map(),
    deploymentStatuses: new Map(),
    releases: new Map(),
    assets: new Map(),
    refs: new Map([['refs/heads/main', 'a'.repeat(40)]]),
    tags: new Map(),
    dispatches: [],
    workflowDispatches: [],
    workflowRuns: new Map(),
    artifacts: new Map(),
    commitPulls: new Map(),
  });
  const defaultOwner = options.owner ?? 'octo-org';
  const defaultRepo = options.repo ?? 'models';
  repos.set(`${defaultOwner}/${defaultRepo}`, makeRepo(defaultOwner, defaultRepo));

  const state: EmulatorState = {
    repos,
    responses: [],
    requestErrors: [],
    requests: [],
    repo(owner = defaultOwner, name = defaultRepo) {
      const repo = repos.get(`${owner}/${name}`);
      if (!repo) throw new Error(`no repo ${owner}/${name}`);
      return repo;
    },
    addPullRequest(input) {
      const repo = state.repo();
      const number = nextIssueNumber(repo);
      const time = now();
      repo.issues.set(number, {
        number,
        title: input.title ?? `PR ${number}`,
        body: '',
        state: 'open',
        labels: input.labels ?? [],
        user: { login: 'contributor', id: 7 },
        isPull: true,
        created_at: time,
        updated_at: time,
      });
      const pull: PullState = {
        number,
        headSha: input.headSha,
        headRef: input.headRef ?? `feature-${number}`,
        headOwner: input.headOwner ?? repo.owner,
        baseRef: input.baseRef ?? 'main',
        mergeSha: sha(`merge-${number}-${input.headSha}`),
        state: 'open',
      };
      repo.pulls.set(number, pull);
      return pull;
    },
    addComment(issueNumber, body, login = 'reviewer') {
      const repo = state.repo();
      const time = now();
      const comment = {
        id: id(),
        issueNumber,
        body,
        user: { login, id: 9 },
        created_at: time,
        updated_at: time,
      };
      repo.comments.set(comment.id, comment);
      return comment;
    },
    addWorkflowRun(input) {
      const repo = state.repo();
      const runId = id();
      repo.workflowRuns.set(runId, {
        id: runId,
        name: 'ci',
        head_branch: input.branch,
        head_sha: input.headSha,
        event: input.event ?? 'push',
        status: 'completed',
        conclusion: input.conclusion ?? 'success',
        run_number: runId,
        created_at: now(),
        updated_at: now(),
      });
      return runId;
    },
    addArtifact(runId, name, files) {
      const repo = state.repo();
      const artifactId = id();
      const zip = storedZip(files);
      repo.artifacts.set(artifactId, {
        zip,
        meta: {
          id: artifactId,
          node_id: `A_${artifactId}`,
          name,
          size_in_bytes: zip.length,
          url: `${baseUrl}/repos/${repo.owner}/${repo.name}/actions/artifacts/${artifactId}`,
          archive_download_url: `${baseUrl}/repos/${repo.owner}/${repo.name}/actions/artifacts/${artifactId}/zip`,
          expired: false,
          created_at: now(),
          updated_at: now(),
          expires_at: '2099-01-01T00:00:00Z',
          workflow_run: { id: runId, head_branch: repo.workflowRuns.get(runId)?.head_branch as string },
        },
      });
      return artifactId;
    },
  };

  function nextIssueNumber(repo: RepoState): number {
    return Math.max(0, ...repo.issues.keys()) + 1;
  }

  // --- JSON shapes ------------------------------------------------------------------------------

  const repoUrl = (repo: RepoState) => `${baseUrl}/repos/${repo.owner}/${repo.name}`;
  const htmlRepo = (repo: RepoState) => `https://github.localhost/${repo.owner}/${repo.name}`;
  const repoJson = (repo: RepoState) => ({
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner: userJson({ login: repo.owner, id: 1 }),
    private: false,
    html_url: htmlRepo(repo),
    url: repoUrl(repo),
    default_branch: repo.defaultBranch,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  });
  const labelJson = (name: string) => ({
    id: Number.parseInt(createHash('sha1').update(name).digest('hex').slice(0, 8), 16),
    node_id: `L_${name}`,
    url: `${baseUrl}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null,
  });
  const commentJson = (repo: RepoState, comment: CommentState) => ({
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${repoUrl(repo)}/issues/comments/${comment.id}`,
    html_url: `${htmlRepo(repo)}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoUrl(repo)}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userJson(comment.user),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: 'NONE',
  });
  const issueJson = (repo: RepoState, issue: IssueState) => ({
    id: issue.number + 500000,
    node_id: `I_${issue.number}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map(labelJson),
    user: userJson(issue.user),
    url: `${repoUrl(repo)}/issues/${issue.number}`,
    html_url: `${htmlRepo(repo)}/${issue.isPull ? 'pull' : 'issues'}/${issue.number}`,
    repository_url: repoUrl(repo),
    comments: [...repo.comments.values()].filter((comment) => comment.issueNumber === issue.number).length,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.state === 'closed' ? issue.updated_at : null,
    author_association: 'NONE',
    locked: false,
    ...(issue.isPull
      ? {
          pull_request: {
            url: `${repoUrl(repo)}/pulls/${issue.number}`,
            html_url: `${htmlRepo(repo)}/pull/${issue.number}`,
            diff_url: null,
            patch_url: null,
          },
        }
      : {}),
  });
  const pullJson = (repo: RepoState, pull: PullState) => {
    const issue = repo.issues.get(pull.number)!;
    const branch = (ref: string, sha: string, owner: string) => ({
      label: `${owner}:${ref}`,
      ref,
      sha,
      user: userJson({ login: owner, id: 2 }),
      repo: {
        ...repoJson(repo),
        ...(owner === repo.owner ? {} : { full_name: `${owner}/${repo.name}`, fork: true }),
      },
    });
    return {
      id: pull.number + 900000,
      node_id: `PR_${pull.number}`,
      number: pull.number,
      state: pull.state,
      title: issue.title,
      body: issue.body,
      user: userJson(issue.user),
      labels: issue.labels.map(labelJson),
      url: `${repoUrl(repo)}/pulls/${pull.number}`,
      html_url: `${htmlRepo(repo)}/pull/${pull.number}`,
      head: branch(pull.headRef, pull.headSha, pull.headOwner),
      base: branch(pull.baseRef, repo.refs.get(`refs/heads/${pull.baseRef}`) ?? 'b'.repeat(40), repo.owner),
      merge_commit_sha: pull.mergeSha,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      locked: false,
      draft: false,
      author_association: 'NONE',
    };
  };

  // --- routes -------------------------------------------------------------------------------------

  const routes: Route[] = [];
  const route = (method: string, template: string, handler: Handler, prefix = '') => {
    const names: string[] = [];
    const source = template
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name);
        // `ref` may carry slashes (tags/x); everything else is one segment.
        return name === 'ref' ? '(.+)' : '([^/]+)';
      });
    routes.push({ method, template, pattern: new RegExp(`^${prefix}${source}$`), names, handler });
  };
  const R = '/repos/{owner}/{repo}';
  const issueOf = (repo: RepoState, value: string) => {
    const issue = repo.issues.get(Number(value));
    if (!issue) throw new HttpError(404, 'Not Found');
    return issue;
  };
  const requireString = (body: Record<string, unknown>, field: string) => {
    if (typeof body[field] !== 'string' || body[field] === '') {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Body', field, code: 'missing_field' }],
      });
    }
    return body[field] as string;
  };
  const paged = <T>(items: T[], query: URLSearchParams, path: string) => {
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30)));
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (target: number, rel: string) => {
      const params = new URLSearchParams(query);
      params.set('per_page', String(perPage));
      params.set('page', String(target));
      return `<${baseUrl}${path}?${params}>; rel="${rel}"`;
    };
    const links = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : undefined,
    };
  };

  route('GET', R, ({ repo }) => ({ status: 200, body: repoJson(repo) }));

  // Issue comments.
  route('GET', `${R}/issues/{issue_number}/comments`, ({ repo, params, query }) => {
    issueOf(repo, params.issue_number!);
    const comments = [...repo.comments.values()]
      .filter((comment) => comment.issueNumber === Number(params.issue_number))
      .sort((a, b) => a.id - b.id)
      .map((comment) => commentJson(repo, comment));
    return paged(comments, query, `/repos/${repo.owner}/${repo.name}/issues/${params.issue_number}/comments`);
  });
  /** A comment's `body`, refused as GitHub does past 65,536 characters. */
  const commentBody = (body: Record<string, unknown>): string =>
    bodyWithin(requireString(body, 'body'), 'IssueComment');
  route('POST', `${R}/issues/{issue_number}/comments`, ({ repo, params, body, user }) => {
    issueOf(repo, params.issue_number!);
    const text = commentBody(body);
    const time = now();
    const comment = {
      id: id(),
      issueNumber: Number(params.issue_number),
      body: text,
      user,
      created_at: time,
      updated_at: time,
    };
    repo.comments.set(comment.id, comment);
    return { status: 201, body: commentJson(repo, comment) };
  });
  const commentOf = (repo: RepoState, value: string) => {
    const comment = repo.comments.get(Number(value));
    if (!comment) throw new HttpError(404, 'Not Found');
    return comment;
  };
  route('GET', `${R}/issues/comments/{comment_id}`, ({ repo, params }) => ({
    status: 200,
    body: commentJson(repo, commentOf(repo, params.comment_id!)),
  }));
  route('PATCH', `${R}/issues/comments/{comment_id}`, ({ repo, params, body }) => {
    const comment = commentOf(repo, params.comment_id!);
    const text = commentBody(body);
    comment.body = text;
    comment.updated_at = now();
    return { status: 200, body: commentJson(repo, comment) };
  });
  route('DELETE', `${R}/issues/comments/{comment_id}`, ({ repo, params }) => {
    commentOf(repo, params.comment_id!);
    repo.comments.delete(Number(params.comment_id));
    return { status: 204 };
  });

  // Issues and labels.
  route('GET', `${R}/issues`, ({ repo, query }) => {
    const wanted = (query.get('labels') ?? '').split(',').filter(Boolean);
    const stateFilter = query.get('state') ?? 'open';
    const issues = [...repo.issues.values()]
      .filter((issue) => stateFilter === 'all' || issue.state === stateFilter)
      .filter((issue) => wanted.every((label) => issue.labels.includes(label)))
      .sort((a, b) => b.number - a.number)
      .map((issue) => issueJson(repo, issue));
    return paged(issues, query, `/repos/${repo.owner}/${repo.name}/issues`);
  });
  route('POST', `${R}/issues`, ({ repo, body, user }) => {
    const title = requireString(body, 'title');
    const number = nextIssueNumber(repo);
    const time = now();
    const issue: IssueState = {
      number,
      title,
      body: typeof body.body === 'string' ? bodyWithin(body.body, 'Issue') : '',
      state: 'open',
      labels: Array.isArray(body.labels) ? body.labels.map(String) : [],
      user,
      isPull: false,
      created_at: time,
      updated_at: time,
    };
    repo.issues.set(number, issue);
    return { status: 201, body: issueJson(repo, issue) };
  });
  route('GET', `${R}/issues/{issue_number}`, ({ repo, params }) => ({
    status: 200,
    body: issueJson(repo, issueOf(repo, params.issue_number!)),
  }));
  route('PATCH', `${R}/issues/{issue_number}`, ({ repo, params, body }) => {
    const issue = issueOf(repo, params.issue_number!);
    if (typeof body.title === 'string') issue.title = body.title;
    if (typeof body.body === 'string') issue.body = bodyWithin(body.body, 'Issue');
    if (body.state === 'open' || body.state === 'closed') issue.state = body.state;
    if (Array.isArray(body.labels)) issue.labels = body.labels.map(String);
    issue.updated_at = now();
    return { status: 200, body: issueJson(repo, issue) };
  });
  route('GET', `${R}/issues/{issue_number}/labels`, ({ repo, params, query }) => {
    const issue = issueOf(repo, params.issue_number!);
    return paged(
      issue.labels.map(labelJson),
      query,
      `/repos/${repo.owner}/${repo.name}/issues/${issue.number}/labels`,
    );
  });
  route('POST', `${R}/issues/{issue_number}/labels`, ({ repo, params, body }) => {
    const issue = issueOf(repo, params.issue_number!);
    const labels = Array.isArray(body.labels) ? body.labels : Array.isArray(body) ? body : [];
    for (const label of labels.map(String)) if (!issue.labels.includes(label)) issue.labels.push(label);
    return { status: 200, body: issue.labels.map(labelJson) };
  });
  route('DELETE', `${R}/issues/{issue_number}/labels/{name}`, ({ repo, params }) => {
    const issue = issueOf(repo, params.issue_number!);
    if (!issue.labels.includes(params.name!)) throw new HttpError(404, 'Label does not exist');
    issue.labels = issue.labels.filter((label) => label !== params.name);
    return { status: 200, body: issue.labels.map(labelJson) };
  });

  // Pull requests.
  route('GET', `${R}/pulls`, ({ repo, query }) => {
    const stateFilter = query.get('state') ?? 'open';
    const head = query.get('head');
    const pulls = [...repo.pulls.values()]
      .filter((pull) => stateFilter === 'all' || pull.state === stateFilter)
      .filter((pull) => !head || `${pull.headOwner}:${pull.headRef}` === head)
      .sort((a, b) => b.number - a.number)
      .map((pull) => pullJson(repo, pull));
    return paged(pulls, query, `/repos/${repo.owner}/${repo.name}/pulls`);
  });
  route('GET', `${R}/pulls/{pull_number}`, ({ repo, params }) => {
    const pull = repo.pulls.get(Number(params.pull_number));
    if (!pull) throw new HttpError(404, 'Not Found');
    return { status: 200, body: pullJson(repo, pull) };
  });
  route('GET', `${R}/commits/{commit_sha}/pulls`, ({ repo, params, query }) => {
    const extra = repo.commitPulls.get(params.commit_sha!) ?? [];
    const pulls = [...repo.pulls.values()]
      .filter((pull) => pull.headSha === params.commit_sha || extra.includes(pull.number))
      .map((pull) => pullJson(repo, pull));
    return paged(pulls, query, `/repos/${repo.owner}/${repo.name}/commits/${params.commit_sha}/pulls`);
  });

  // Checks and statuses.
  const checkRunJson = (repo: RepoState, run: Record<string, unknown>) => ({
    ...run,
    node_id: `CR_${run.id}`,
    url: `${repoUrl(repo)}/check-runs/${run.id}`,
    html_url: `${htmlRepo(repo)}/runs/${run.id}`,
    details_url: run.details_url ?? null,
    external_id: run.external_id ?? '',
    app: null,
    pull_requests: [],
  });
  /**
   * A check run's `output.summary` or `output.text` as GitHub checks it: first the schema's
   * `maxLength: 65535` in characters ("Only 65535 characters are allowed; N were supplied."),
   * then the model's limit in UTF-8 bytes ("summary exceeds a maximum bytesize of 65535").
   */
  const checkOutputText = (output: Record<string, unknown>, field: 'summary' | 'text'): string | null => {
    const text = output[field];
    if (typeof text !== 'string') return null;
    const characters = codePoints(text);
    if (characters > 65535) {
      throw new HttpError(
        422,
        `Invalid request.\n\nOnly 65535 characters are allowed; ${characters} were supplied.`,
      );
    }
    if (Buffer.byteLength(text, 'utf8') > 65535) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [
          {
            resource: 'CheckRun',
            code: 'custom',
            field,
            message: `${field} exceeds a maximum bytesize of 65535`,
          },
        ],
      });
    }
    return text;
  };
  const checkOutput = (value: unknown) => {
    const output = (value ?? {}) as Record<string, unknown>;
    const summary = checkOutputText(output, 'summary');
    const text = checkOutputText(output, 'text');
    return {
      title: (output.title as string) ?? null,
      summary: summary || null,
      text,
      annotations_count: 0,
      annotations_url: `${baseUrl}/annotations`,
    };
  };
  route('POST', `${R}/check-runs`, ({ repo, body }) => {
    const name = requireString(body, 'name');
    const headSha = requireString(body, 'head_sha');
    const conclusion = (body.conclusion as string) ?? null;
    const run = {
      id: id(),
      name,
      head_sha: headSha,
      status: conclusion ? 'completed' : ((body.status as string) ?? 'queued'),
      conclusion,
      started_at: now(),
      completed_at: conclusion ? now() : null,
      details_url: body.details_url,
      output: checkOutput(body.output),
      check_suite: { id: 1 },
    };
    repo.checkRuns.set(run.id, run);
    return { status: 201, body: checkRunJson(repo, run) };
  });
  route('PATCH', `${R}/check-runs/{check_run_id}`, ({ repo, params, body }) => {
    const run = repo.checkRuns.get(Number(params.check_run_id));
    if (!run) throw new HttpError(404, 'Not Found');
    if (body.conclusion) {
      run.conclusion = body.conclusion;
      run.status = 'completed';
      run.completed_at = now();
    } else if (body.status) run.status = body.status;
    if (body.output) run.output = checkOutput(body.output);
    return { status: 200, body: checkRunJson(repo, run) };
  });
  route('POST', `${R}/statuses/{sha}`, ({ repo, params, body, user }) => {
    const stateValue = requireString(body, 'state');
    if (!['error', 'failure', 'pending', 'success'].includes(stateValue)) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Status', field: 'state', code: 'invalid' }],
      });
    }
    if (typeof body.description === 'string' && codePoints(body.description) > 140) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [
          {
            resource: 'Status',
            code: 'custom',
            field: 'description',
            message: 'description is too long (maximum is 140 characters)',
          },
        ],
      });
    }
    const status = {
      id: id(),
      node_id: `S_${nextId}`,
      sha: params.sha,
      state: stateValue,
      context: (body.context as string) ?? 'default',
      description: (body.description as string) ?? null,
      target_url: (body.target_url as string) ?? null,
      url: `${repoUrl(repo)}/statuses/${params.sha}`,
      avatar_url: null,
      creator: userJson(user),
      created_at: now(),
      updated_at: now(),
    };
    repo.statuses.push(status);
    return { status: 201, body: status };
  });
  route('GET', `${R}/commits/{ref}/statuses`, ({ repo, params, query }) =>
    paged(
      repo.statuses.filter((status) => status.sha === params.ref).reverse(),
      query,
      `/repos/${repo.owner}/${repo.name}/commits/${params.ref}/statuses`,
    ),
  );

  // Deployments.
  route('POST', `${R}/deployments`, ({ repo, body, user }) => {
    const ref = requireString(body, 'ref');
    const deployment = {
      id: id(),
      node_id: `D_${nextId}`,
      sha: repo.refs.get(`refs/heads/${ref}`) ?? (/^[0-9a-f]{40}$/.test(ref) ? ref : sha(ref)),
      ref,
      task: (body.task as string) ?? 'deploy',
      payload: body.payload ?? {},
      environment: (body.environment as string) ?? 'production',
      description: (body.description as string) ?? null,
      creator: userJson(user),
      created_at: now(),
      updated_at: now(),
      url: '',
      statuses_url: '',
      repository_url: repoUrl(repo),
      transient_environment: Boolean(body.transient_environment),
      production_environment: (body.environment ?? 'production') === 'production',
    };
    deployment.url = `${repoUrl(repo)}/deployments/${deployment.id}`;
    deployment.statuses_url = `${deployment.url}/statuses`;
    repo.deployments.set(deployment.id, deployment);
    repo.deploymentStatuses.set(deployment.id, []);
    return { status: 201, body: deployment };
  });
  route('GET', `${R}/deployments`, ({ repo, query }) => {
    const environment = query.get('environment');
    const list = [...repo.deployments.values()]
      .filter((deployment) => !environment || deployment.environment === environment)
      .reverse();
    return paged(list, query, `/repos/${repo.owner}/${repo.name}/deployments`);
  });
  route('POST', `${R}/deployments/{deployment_id}/statuses`, ({ repo, params, body, user }) => {
    const deploymentId = Number(params.deployment_id);
    const deployment = repo.deployments.get(deploymentId);
    if (!deployment) throw new HttpError(404, 'Not Found');
    const stateValue = requireString(body, 'state');
    const status = {
      id: id(),
      node_id: `DS_${nextId}`,
      state: stateValue,
      description: (body.description as string) ?? '',
      environment: deployment.environment,
      environment_url: (body.environment_url as string) ?? '',
      log_url: (body.log_url as string) ?? '',
      target_url: (body.log_url as string) ?? '',
      creator: userJson(user),
      created_at: now(),
      updated_at: now(),
      deployment_url: deployment.url,
      repository_url: repoUrl(repo),
      url: `${deployment.url}/statuses/${nextId}`,
    };
    repo.deploymentStatuses.get(deploymentId)!.push(status);
    // GitHub marks earlier non-transient deployments of the environment inactive on success.
    if (stateValue === 'success' && body.auto_inactive !== false) {
      for (const [otherId, other] of repo.deployments) {
        if (otherId === deploymentId || other.environment !== deployment.environment) continue;
        const statuses = repo.deploymentStatuses.get(otherId)!;
        if (statuses.at(-1)?.state === 'success')
          statuses.push({ ...statuses.at(-1)!, id: id(), state: 'inactive' });
      }
    }
    return { status: 201, body: status };
  });
  route('GET', `${R}/deployments/{deployment_id}/statuses`, ({ repo, params, query }) => {
    const statuses = repo.deploymentStatuses.get(Number(params.deployment_id));
    if (!statuses) throw new HttpError(404, 'Not Found');
    return paged(
      [...statuses].reverse(),
      query,
      `/repos/${repo.owner}/${repo.name}/deployments/${params.deployment_id}/statuses`,
    );
  });

  // Releases and assets.
  const releaseJson = (repo: RepoState, release: Record<string, unknown>) => ({
    ...release,
    assets: [...repo.assets.values()]
      .filter((asset) => asset.releaseId === release.id)
      .map((asset) => asset.meta),
  });
  route('POST', `${R}/releases`, ({ repo, body, user }) => {
    const tag = requireString(body, 'tag_name');
    if ([...repo.releases.values()].some((release) => release.tag_name === tag)) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
      });
    }
    const releaseId = id();
    const release = {
      id: releaseId,
      node_id: `RE_${releaseId}`,
      tag_name: tag,
      target_commitish: (body.target_commitish as string) ?? repo.defaultBranch,
      name: (body.name as string) ?? tag,
      body: (body.body as string) ?? null,
      draft: Boolean(body.draft),
      prerelease: Boolean(body.prerelease),
      created_at: now(),
      published_at: body.draft ? null : now(),
      author: userJson(user),
      url: `${repoUrl(repo)}/releases/${releaseId}`,
      html_url: `${htmlRepo(repo)}/releases/tag/${encodeURIComponent(tag)}`,
      assets_url: `${repoUrl(repo)}/releases/${releaseId}/assets`,
      upload_url: `${baseUrl}/uploads/repos/${repo.owner}/${repo.name}/releases/${releaseId}/assets{?name,label}`,
      tarball_url: null,
      zipball_url: null,
    };
    repo.releases.set(releaseId, release);
    return { status: 201, body: releaseJson(repo, release) };
  });
  const releaseOf = (repo: RepoState, value: string) => {
    const release = repo.releases.get(Number(value));
    if (!release) throw new HttpError(404, 'Not Found');
    return release;
  };
  route('PATCH', `${R}/releases/{release_id}`, ({ repo, params, body }) => {
    const release = releaseOf(repo, params.release_id!);
    for (const key of ['name', 'body', 'tag_name', 'prerelease'] as const)
      if (body[key] !== undefined) release[key] = body[key];
    if (body.draft !== undefined) {
      release.draft = Boolean(body.draft);
      release.published_at = release.draft ? null : now();
    }
    return { status: 200, body: releaseJson(repo, release) };
  });
  route('GET', `${R}/releases/{release_id}`, ({ repo, params }) => ({
    status: 200,
    body: releaseJson(repo, releaseOf(repo, params.release_id!)),
  }));
  route('GET', `${R}/releases`, ({ repo, query }) =>
    paged(
      [...repo.releases.values()].reverse().map((release) => releaseJson(repo, release)),
      query,
      `/repos/${repo.owner}/${repo.name}/releases`,
    ),
  );
  route('GET', `${R}/releases/tags/{tag}`, ({ repo, params }) => {
    // Drafts are not found by tag, as on GitHub.
    const release = [...repo.releases.values()].find(
      (candidate) => candidate.tag_name === params.tag && !candidate.draft,
    );
    if (!release) throw new HttpError(404, 'Not Found');
    return { status: 200, body: releaseJson(repo, release) };
  });
  route('GET', `${R}/releases/{release_id}/assets`, ({ repo, params, query }) => {
    releaseOf(repo, params.release_id!);
    const assets = [...repo.assets.values()]
      .filter((asset) => asset.releaseId === Number(params.release_id))
      .map((asset) => asset.meta);
    return paged(assets, query, `/repos/${repo.owner}/${repo.name}/releases/${params.release_id}/assets`);
  });
  route('GET', `${R}/releases/assets/{asset_id}`, ({ repo, params, headers }) => {
    const asset = repo.assets.get(Number(params.asset_id));
    if (!asset) throw new HttpError(404, 'Not Found');
    if (String(headers.accept ?? '').includes('application/octet-stream')) {
      return { status: 200, raw: asset.data, headers: { 'content-type': 'application/octet-stream' } };
    }
    return { status: 200, body: asset.meta };
  });
  route('DELETE', `${R}/releases/assets/{asset_id}`, ({ repo, params }) => {
    if (!repo.assets.delete(Number(params.asset_id))) throw new HttpError(404, 'Not Found');
    return { status: 204 };
  });
  route(
    'POST',
    `${R}/releases/{release_id}/assets`,
    ({ repo, params, query, raw, headers, user }) => {
      const release = releaseOf(repo, params.release_id!);
      const name = query.get('name');
      if (!name)
        throw new HttpError(422, 'Validation Failed', {
          errors: [{ resource: 'ReleaseAsset', field: 'name', code: 'missing' }],
        });
      if (
        [...repo.assets.values()].some((asset) => asset.releaseId === release.id && asset.meta.name === name)
      ) {
        throw new HttpError(422, 'Validation Failed', {
          errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
        });
      }
      const assetId = id();
      const meta = {
        id: assetId,
        node_id: `RA_${assetId}`,
        name,
        label: query.get('label') ?? '',
        state: 'uploaded',
        content_type: String(headers['content-type'] ?? 'application/octet-stream'),
        size: raw.length,
        digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
        download_count: 0,
        created_at: now(),
        updated_at: now(),
        uploader: userJson(user),
        url: `${repoUrl(repo)}/releases/assets/${assetId}`,
        browser_download_url: `${htmlRepo(repo)}/releases/download/${encodeURIComponent(String(release.tag_name))}/${encodeURIComponent(name)}`,
      };
      repo.assets.set(assetId, { meta, data: raw, releaseId: release.id as number });
      return { status: 201, body: meta };
    },
    '/uploads',
  );

  // Git refs and tags.
  const refJson = (repo: RepoState, ref: string, target: string) => ({
    ref,
    node_id: `REF_${ref}`,
    url: `${repoUrl(repo)}/git/${ref}`,
    object: {
      type: repo.tags.has(target) ? 'tag' : 'commit',
      sha: target,
      url: `${repoUrl(repo)}/git/commits/${target}`,
    },
  });
  route('POST', `${R}/git/refs`, ({ repo, body }) => {
    const ref = requireString(body, 'ref');
    const target = requireString(body, 'sha');
    if (!/^refs\/.+\/.+/.test(ref)) throw new HttpError(422, 'Reference name is invalid');
    if (repo.refs.has(ref)) throw new HttpError(422, 'Reference already exists');
    repo.refs.set(ref, target);
    return { status: 201, body: refJson(repo, ref, target) };
  });
  route('GET', `${R}/git/ref/{ref}`, ({ repo, params }) => {
    const ref = `refs/${params.ref}`;
    const target = repo.refs.get(ref);
    if (!target) throw new HttpError(404, 'Not Found');
    return { status: 200, body: refJson(repo, ref, target) };
  });
  route('GET', `${R}/git/matching-refs/{ref}`, ({ repo, params, query }) => {
    const prefix = `refs/${params.ref}`;
    const refs = [...repo.refs.entries()]
      .filter(([ref]) => ref.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ref, target]) => refJson(repo, ref, target));
    return paged(refs, query, `/repos/${repo.owner}/${repo.name}/git/matching-refs/${params.ref}`);
  });
  route('POST', `${R}/git/tags`, ({ repo, body }) => {
    const tagName = requireString(body, 'tag');
    const object = requireString(body, 'object');
    const tagSha = sha(`${tagName}\n${object}\n${body.message}\n${nextId}`);
    const tag = {
      node_id: `T_${tagSha}`,
      sha: tagSha,
      tag: tagName,
      message: (body.message as string) ?? '',
      url: `${repoUrl(repo)}/git/tags/${tagSha}`,
      tagger: {
        name: 'github-actions[bot]',
        email: '41898282+github-actions[bot]@users.noreply.github.com',
        date: now(),
      },
      object: {
        sha: object,
        type: (body.type as string) ?? 'commit',
        url: `${repoUrl(repo)}/git/commits/${object}`,
      },
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
    repo.tags.set(tagSha, tag);
    return { status: 201, body: tag };
  });
  route('GET', `${R}/git/tags/{tag_sha}`, ({ repo, params }) => {
    const tag = repo.tags.get(params.tag_sha!);
    if (!tag) throw new HttpError(404, 'Not Found');
    return { status: 200, body: tag };
  });

  // Dispatches.
  route('POST', `${R}/dispatches`, ({ repo, body }) => {
    const eventType = requireString(body, 'event_type');
    repo.dispatches.push({ event_type: eventType, client_payload: body.client_payload ?? {} });
    return { status: 204 };
  });
  route('POST', `${R}/actions/workflows/{workflow_id}/dispatches`, ({ repo, params, body }) => {
    const ref = requireString(body, 'ref');
    repo.workflowDispatches.push({ workflow: params.workflow_id!, ref, inputs: body.inputs ?? {} });
    return { status: 204 };
  });

  // Actions runs and artifacts.
  const runJson = (repo: RepoState, run: Record<string, unknown>) => ({
    ...run,
    node_id: `WR_${run.id}`,
    url: `${repoUrl(repo)}/actions/runs/${run.id}`,
    html_url: `${htmlRepo(repo)}/actions/runs/${run.id}`,
    artifacts_url: `${repoUrl(repo)}/actions/runs/${run.id}/artifacts`,
    workflow_id: 1,
    pull_requests: [],
    repository: repoJson(repo),
    head_repository: repoJson(repo),
  });
  route('GET', `${R}/actions/runs`, ({ repo, query }) => {
    const branch = query.get('branch');
    const status = query.get('status');
    const runs = [...repo.workflowRuns.values()]
      .filter((run) => !branch || run.head_branch === branch)
      .filter((run) => !status || run.conclusion === status || run.status === status)
      .sort((a, b) => (b.id as number) - (a.id as number))
      .map((run) => runJson(repo, run));
    const page = paged(runs, query, `/repos/${repo.owner}/${repo.name}/actions/runs`);
    return { ...page, body: { total_count: runs.length, workflow_runs: page.body } };
  });
  const artifactList = (repo: RepoState, query: URLSearchParams, path: string, runId?: number) => {
    const name = query.get('name');
    const artifacts = [...repo.artifacts.values()]
      .map((artifact) => artifact.meta)
      .filter((meta) => runId === undefined || (meta.workflow_run as { id: number }).id === runId)
      .filter((meta) => !name || meta.name === name)
      .reverse();
    const page = paged(artifacts, query, path);
    return { ...page, body: { total_count: artifacts.length, artifacts: page.body } };
  };
  route('GET', `${R}/actions/artifacts`, ({ repo, query }) =>
    artifactList(repo, query, `/repos/${repo.owner}/${repo.name}/actions/artifacts`),
  );
  route('GET', `${R}/actions/runs/{run_id}/artifacts`, ({ repo, params, query }) =>
    artifactList(
      repo,
      query,
      `/repos/${repo.owner}/${repo.name}/actions/runs/${params.run_id}/artifacts`,
      Number(params.run_id),
    ),
  );
  route('GET', `${R}/actions/artifacts/{artifact_id}/{archive_format}`, ({ repo, params }) => {
    if (!repo.artifacts.has(Number(params.artifact_id))) throw new HttpError(404, 'Not Found');
    // GitHub redirects to a short-lived blob URL that needs no token.
    return {
      status: 302,
      headers: { location: `${baseUrl}/_blobs/artifacts/${repo.owner}/${repo.name}/${params.artifact_id}` },
    };
  });

  // --- server -------------------------------------------------------------------------------------

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      ...headers,
    });
    response.end(payload);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void handle(request, response, Buffer.concat(chunks)).catch((error) => {
        send(response, 500, { message: `emulator bug: ${(error as Error).stack}` });
      });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse, raw: Buffer) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const path = url.pathname;
    const authorization = String(request.headers.authorization ?? '');
    const token = authorization.replace(/^(token|bearer)\s+/i, '') || undefined;
    state.requests.push({ method, path, token: token ? '***' : undefined });

    const blob = /^\/_blobs\/artifacts\/([^/]+)\/([^/]+)\/(\d+)$/.exec(path);
    if (blob) {
      const artifact = repos.get(`${blob[1]}/${blob[2]}`)?.artifacts.get(Number(blob[3]));
      if (!artifact) return send(response, 404, { message: 'BlobNotFound' });
      response.writeHead(200, { 'content-type': 'application/zip', 'content-length': artifact.zip.length });
      response.end(artifact.zip);
      return;
    }

    const fault = faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (!candidate.method || candidate.method === method) &&
        (!candidate.path || candidate.path.test(path)),
    );
    const failAfter = fault?.afterApplying ? fault : undefined;
    if (fault && !failAfter) {
      fault.remaining -= 1;
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.secondaryRateLimit) {
        return send(
          response,
          403,
          { message: SECONDARY_MESSAGE, documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api` },
          { 'retry-after': String(fault.retryAfter ?? 1) },
        );
      }
      if (fault.status) {
        return send(
          response,
          fault.status,
          {
            message: fault.message ?? (fault.status >= 500 ? 'Server Error' : 'Injected failure'),
            documentation_url: DOCS,
          },
          fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
        );
      }
    }

    const permission = token ? tokens[token] : undefined;
    if (!permission) return send(response, 401, { message: 'Bad credentials', documentation_url: DOCS });
    const person = token ? options.users?.[token] : undefined;
    const app = token ? options.apps?.[token] : undefined;
    const user: User = person
      ? { login: person, id: 5000 + person.length }
      : app
        ? { login: `${app}[bot]`, id: 9000 + app.length }
        : bot;

    // GraphQL, only the query the suite sends: who the token writes as.
    if (method === 'POST' && path === '/graphql') {
      const query = String((JSON.parse(raw.toString('utf8') || '{}') as { query?: string }).query ?? '');
      if (!/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query))
        return send(response, 400, { message: 'This emulator answers only { viewer { login } }' });
      return send(response, 200, { data: { viewer: { login: user.login } } });
    }

    if (method === 'GET' && path === '/user') {
      if (!person) {
        return send(response, 403, {
          message: 'Resource not accessible by integration',
          documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
          status: '403',
        });
      }
      const body = fillRequired(responseSchema('GET', '/user', 200), userJson(user));
      state.responses.push({ method, template: '/user', status: 200, body });
      return send(response, 200, body);
    }

    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      candidate.names.forEach((name, index) => {
        params[name] = decodeURIComponent(match[index + 1]!);
      });
      const repo = repos.get(`${params.owner}/${params.repo}`);
      if (!repo) return send(response, 404, { message: 'Not Found', documentation_url: DOCS });
      if (method !== 'GET' && permission === 'read') {
        return send(response, 403, {
          message: 'Resource not accessible by integration',
          documentation_url: DOCS,
          status: '403',
        });
      }
      let body: Record<string, unknown> = {};
      const isUpload = path.startsWith('/uploads/');
      if (!isUpload && raw.length > 0) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return send(response, 400, { message: 'Problems parsing JSON', documentation_url: DOCS });
        }
      }
      // GitHub checks a JSON body against the operation's schema before acting on it.
      if (!isUpload && raw.length > 0) {
        const problems = validateRequest(method, candidate.template, body);
        if (problems.length > 0) {
          state.requestErrors.push(...problems);
          return send(response, 422, {
            message: `Invalid request.\n\n${problems.join('\n')}`,
            documentation_url: DOCS,
            status: '422',
          });
        }
      }
      try {
        const result = candidate.handler({
          params,
          query: url.searchParams,
          body,
          raw,
          headers: request.headers,
          repo,
          user,
        });
        if (failAfter) {
          failAfter.remaining -= 1;
          return send(response, failAfter.status ?? 502, {
            message: failAfter.message ?? 'Server Error',
            documentation_url: DOCS,
          });
        }
        if (!result) return send(response, 404, { message: 'Not Found' });
        if (result.raw) {
          response.writeHead(result.status, result.headers);
          response.end(result.raw);
          return;
        }
        const schema =
          result.body === undefined ? undefined : responseSchema(method, candidate.template, result.status);
        const filled = result.body === undefined ? undefined : fillRequired(schema, result.body);
        state.responses.push({ method, template: candidate.template, status: result.status, body: filled });
        return send(response, result.status, filled, result.headers);
      } catch (error) {
        if (error instanceof HttpError) {
          return send(response, error.status, {
            message: error.message,
            documentation_url: DOCS,
            ...error.extra,
          });
        }
        throw error;
      }
    }
    return send(response, 404, { message: 'Not Found', documentation_url: DOCS });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    state,
    inject(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

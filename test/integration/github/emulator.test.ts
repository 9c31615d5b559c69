import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fillRequired,
  responseSchema,
  validateRequest,
  validateResponse,
} from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { helperFor, REPO, sha } from './fixtures.js';

let emulator: GitHubEmulator;
beforeAll(async () => {
  emulator = await startGitHubEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function schemaProblems() {
  return emulator.state.responses.flatMap((response) =>
    validateResponse(response.method, response.template, response.status, response.body),
  );
}

describe('GitHub emulator', () => {
  it('validation against the OpenAPI description does catch a wrong body', () => {
    const comment = fillRequired(
      responseSchema('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}', 200),
      {
        id: 1,
        body: 'x',
      },
    ) as Record<string, unknown>;
    expect(
      validateResponse('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}', 200, comment),
    ).toEqual([]);
    expect(
      validateResponse('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}', 200, {
        ...comment,
        id: 'one',
      }),
    ).not.toEqual([]);
    const { user: _dropped, ...withoutUser } = comment;
    expect(
      validateResponse('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}', 200, withoutUser),
    ).not.toEqual([]);
  });

  it('checks request bodies against the OpenAPI request schemas and refuses a wrong one with 422', async () => {
    const template = '/repos/{owner}/{repo}/issues';
    expect(validateRequest('POST', template, { title: 'Drift', labels: ['drift'] })).toEqual([]);
    expect(validateRequest('POST', template, { body: 'no title' })).toEqual([
      "POST /repos/{owner}/{repo}/issues request: / must have required property 'title'",
    ]);
    expect(
      validateRequest('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', { state: 'done' }),
    ).not.toEqual([]);
    const before = emulator.state.requestErrors.length;
    const refused = await fetch(`${emulator.url}/repos/octo-org/models/issues`, {
      method: 'POST',
      headers: { authorization: 'token write-token', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x', labels: 'drift' }),
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /^Invalid request\.\n\n.*\/labels must be array/,
    );
    expect(emulator.state.requestErrors.length).toBe(before + 1);
    expect([...emulator.state.repo().issues.values()].some((i) => i.title === 'x')).toBe(false);
  });

  it('rejects unknown tokens and read-only writes the way GitHub does', async () => {
    const unknown = await fetch(`${emulator.url}/repos/octo-org/models`, {
      headers: { authorization: 'token nope' },
    });
    expect(unknown.status).toBe(401);
    const { helper } = helperFor(emulator, 'read-token');
    expect((await helper.octokit.rest.repos.get(REPO)).data.full_name).toBe('octo-org/models');
    const outcome = await helper.createIssue('drift', 'body', ['drift']);
    expect(outcome).toMatchObject({ ok: false, readOnly: true });
  });

  it('serves issues by label and marker, labels, and closes issues', async () => {
    const requestErrorsBefore = emulator.state.requestErrors.length;
    const { helper } = helperFor(emulator);
    const marker = '<!-- mlops:drift-check:churn -->';
    const created = await helper.createIssue('Drift in churn', `${marker}\nreport`, ['drift']);
    expect(created.ok).toBe(true);
    await helper.createIssue('Other', 'no marker', ['drift']);
    const found = await helper.findIssueByMarker('drift', marker);
    expect(found?.number).toBe(created.ok ? created.value.number : -1);
    await helper.addLabels(found!.number, ['model:churn']);
    expect(await helper.labels(found!.number)).toEqual(['drift', 'model:churn']);
    await helper.commentOnIssue(found!.number, 'Drift is gone.');
    await helper.updateIssue(found!.number, { state: 'closed' });
    expect(await helper.findIssueByMarker('drift', marker)).toBeUndefined();
    expect(schemaProblems()).toEqual([]);
    expect(emulator.state.requestErrors.slice(requestErrorsBefore)).toEqual([]);
  });

  it('adopts only alert issues its own account opened, not one a person opened with the same marker', async () => {
    const github = await startGitHubEmulator({
      tokens: { 'write-token': 'write', 'mallory-token': 'write' },
      users: { 'mallory-token': 'mallory' },
    });
    try {
      const marker = '<!-- mlops:drift:churn -->';
      const { helper: mallory } = helperFor(github, 'mallory-token');
      const planted = await mallory.createIssue('Drift in churn', `${marker}\nall clear`, ['drift']);
      expect(planted.ok).toBe(true);
      const { helper, log } = helperFor(github);
      expect(await helper.findIssueByMarker('drift', marker)).toBeUndefined();
      expect(log.lines.map((l) => l.message).join('\n')).toMatch(
        /Issue #\d+ by mallory carries this suite's marker/,
      );
      const ours = await helper.createIssue('Drift in churn', `${marker}\nreport`, ['drift']);
      expect((await helper.findIssueByMarker('drift', marker))?.number).toBe(
        ours.ok ? ours.value.number : -1,
      );
    } finally {
      await github.close();
    }
  });

  it('records dispatches, deployments with statuses, and commit statuses', async () => {
    const { helper } = helperFor(emulator);
    await helper.repositoryDispatch('retrain', { model: 'churn' });
    await helper.workflowDispatch('train.yml', 'main', { model: 'churn' });
    expect(emulator.state.repo().dispatches).toEqual([
      { event_type: 'retrain', client_payload: { model: 'churn' } },
    ]);
    expect(emulator.state.repo().workflowDispatches[0]).toMatchObject({ workflow: 'train.yml', ref: 'main' });

    const first = await helper.createDeployment({ ref: 'main', environment: 'production' });
    const second = await helper.createDeployment({ ref: 'main', environment: 'production' });
    if (!first.ok || !second.ok) throw new Error('deployment not created');
    await helper.setDeploymentStatus(first.value.id, 'success');
    await helper.setDeploymentStatus(second.value.id, 'in_progress');
    await helper.setDeploymentStatus(second.value.id, 'success');
    const statuses = emulator.state.repo().deploymentStatuses;
    expect(statuses.get(first.value.id)!.map((status) => status.state)).toEqual(['success', 'inactive']);

    const status = await helper.setCommitStatus({
      sha: sha(1),
      state: 'failure',
      context: 'mlops/compare-baseline',
      description: 'd'.repeat(300),
    });
    expect(status.ok).toBe(true);
    expect(schemaProblems()).toEqual([]);
  });

  it('creates refs once (422 "Reference already exists"), tag objects, releases and uploaded assets', async () => {
    const { helper } = helperFor(emulator);
    const { octokit } = helper;
    const { data: tag } = await octokit.rest.git.createTag({
      ...REPO,
      tag: 'churn@v1.0.0',
      message: 'churn v1',
      object: sha(5),
      type: 'commit',
    });
    await octokit.rest.git.createRef({ ...REPO, ref: 'refs/tags/churn@v1.0.0', sha: tag.sha });
    await expect(
      octokit.rest.git.createRef({ ...REPO, ref: 'refs/tags/churn@v1.0.0', sha: tag.sha }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('Reference already exists'),
    });
    await octokit.rest.git.createRef({ ...REPO, ref: 'refs/tags/churn#production#1', sha: tag.sha });
    const matching = await octokit.paginate(octokit.rest.git.listMatchingRefs, {
      ...REPO,
      ref: 'tags/churn',
    });
    expect(matching.map((ref) => ref.ref)).toEqual([
      'refs/tags/churn#production#1',
      'refs/tags/churn@v1.0.0',
    ]);
    const { data: ref } = await octokit.rest.git.getRef({ ...REPO, ref: 'tags/churn#production#1' });
    expect(ref.object).toMatchObject({ sha: tag.sha, type: 'tag' });
    expect((await octokit.rest.git.getTag({ ...REPO, tag_sha: tag.sha })).data.object.sha).toBe(sha(5));

    const { data: draft } = await octokit.rest.repos.createRelease({
      ...REPO,
      tag_name: 'churn@v1.0.0',
      draft: true,
    });
    const uploadBase = draft.upload_url.slice(0, draft.upload_url.indexOf('/repos/'));
    const payload = Buffer.from('model bytes \u0000\u0001');
    await octokit.rest.repos.uploadReleaseAsset({
      ...REPO,
      release_id: draft.id,
      name: 'model.onnx',
      data: payload as unknown as string,
      baseUrl: uploadBase,
      headers: { 'content-type': 'application/octet-stream', 'content-length': payload.length },
    });
    await expect(octokit.rest.repos.getReleaseByTag({ ...REPO, tag: 'churn@v1.0.0' })).rejects.toMatchObject({
      status: 404,
    });
    await octokit.rest.repos.updateRelease({ ...REPO, release_id: draft.id, draft: false });
    const { data: release } = await octokit.rest.repos.getReleaseByTag({ ...REPO, tag: 'churn@v1.0.0' });
    expect(release.assets.map((asset) => asset.name)).toEqual(['model.onnx']);
    const download = await octokit.rest.repos.getReleaseAsset({
      ...REPO,
      asset_id: release.assets[0]!.id,
      headers: { accept: 'application/octet-stream' },
    });
    expect(Buffer.from(download.data as unknown as ArrayBuffer).equals(payload)).toBe(true);
    expect(schemaProblems()).toEqual([]);
  });

  it('answers injected 404, 422 and slow responses', async () => {
    const { helper } = helperFor(emulator);
    emulator.inject({ status: 404, method: 'GET', path: /\/repos\/octo-org\/models$/ });
    await expect(helper.octokit.rest.repos.get(REPO)).rejects.toMatchObject({ status: 404 });
    emulator.inject({ status: 422, method: 'POST', path: /\/dispatches$/ });
    await expect(helper.repositoryDispatch('x', {})).rejects.toMatchObject({ status: 422 });
    emulator.inject({ delayMs: 300, method: 'GET', path: /\/repos\/octo-org\/models$/ });
    const started = Date.now();
    await helper.octokit.rest.repos.get(REPO);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

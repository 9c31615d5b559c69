import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { RunEnvironment } from './types.js';

/** Reads the runner's GITHUB_* / RUNNER_* variables; everything is optional outside a runner. */
export function readRunEnvironment(env: NodeJS.ProcessEnv = process.env): RunEnvironment {
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_REPOSITORY || undefined;
  const runUrl =
    repository && env.GITHUB_RUN_ID
      ? `${serverUrl}/${repository}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    repository,
    sha: env.GITHUB_SHA || undefined,
    ref: env.GITHUB_REF || undefined,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    payload: readPayload(env.GITHUB_EVENT_PATH),
    runUrl,
    actor: env.GITHUB_ACTOR || undefined,
    serverUrl,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    tempDir: env.RUNNER_TEMP || tmpdir(),
    toolCache: env.RUNNER_TOOL_CACHE || undefined,
  };
}

function readPayload(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

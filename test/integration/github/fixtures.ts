import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { GitHubHelper } from '../../../shared/src/platform/github/helper.js';
import { createOctokit } from '../../../shared/src/platform/github/octokit.js';
import type { GitHubEmulator } from '../../emulators/github/server.js';

export const REPO = { owner: 'octo-org', repo: 'models' };

/** A real Octokit (throttling + retry) against the emulator; retry-after seconds last 5 ms here. */
export function helperFor(emulator: GitHubEmulator, token = 'write-token') {
  const log = memoryLog();
  const octokit = createOctokit({
    token,
    baseUrl: emulator.url,
    log,
    retryAfterUnitMs: 5,
    // Each helper paces its writes on its own, so tests do not wait on each other's 1-3 s spacing.
    throttleId: randomUUID(),
  });
  return { helper: new GitHubHelper(octokit, REPO, log), log };
}

export function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'mlops-compare-'));
}

type Metrics = Record<string, number | { value: number | null; ci?: [number, number]; n?: number }>;

/** Writes an mlops-metrics/v1 file and returns its file name (relative to `dir`). */
export function writeMetrics(
  dir: string,
  name: string,
  metrics: Metrics,
  options: { task?: string; schema?: string; slices?: Record<string, Metrics> } = {},
): string {
  const toEntry = (value: Metrics[string]) => (typeof value === 'number' ? { value, n: 500 } : value);
  const document = {
    schema: options.schema ?? 'mlops-metrics/v1',
    task: options.task ?? 'binary_classification',
    model: { name: 'churn', path: 'model.onnx', digest: 'sha256:0' },
    metrics: Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, toEntry(value)])),
    slices: Object.fromEntries(
      Object.entries(options.slices ?? {}).map(([slice, values]) => [
        slice,
        { metrics: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, toEntry(value)])) },
      ]),
    ),
  };
  writeFileSync(join(dir, name), JSON.stringify(document));
  return name;
}

export function prEvent(number: number, headSha: string) {
  return {
    eventName: 'pull_request',
    // GITHUB_SHA on pull_request is the merge commit; the head sha must come from the payload.
    sha: 'f'.repeat(40),
    payload: { pull_request: { number, head: { sha: headSha } } },
  };
}

export const sha = (seed: number) => seed.toString(16).padStart(40, '0');

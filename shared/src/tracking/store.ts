import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import {
  claimTag,
  type GitHubClient,
  type GitHubRepo,
  matchingRefs,
} from '../registry/github/github-registry.js';
import { type NewRunRecord, parseRunRecord, type RunRecord, validateExperimentName } from './record.js';

/** The local tracking store sits beside the local registry's default folder. */
export const DEFAULT_LOCAL_TRACKING = '.mlops/runs';
const MAX_ATTEMPTS = 1000;

/**
 * Append-only run records, numbered per experiment. Appending claims the next number with the
 * registry's compare-and-swap (a name that must not exist yet), so concurrent writers never
 * overwrite each other: the loser of a number retries with the next.
 */
export interface RunStore {
  readonly kind: 'local' | 'github';
  readonly location: string;
  append(record: NewRunRecord): Promise<RunRecord>;
  listExperiments(): Promise<string[]>;
  /** Ascending by number. */
  listRuns(experiment: string): Promise<RunRecord[]>;
}

/**
 *     <root>/<experiment>/<number>.json     one record, never rewritten
 *     <root>/.staging/                      records being written
 *
 * A record is written in full under .staging, then hard-linked to its number: link(2) fails with
 * EEXIST when the number is taken, atomically, even over NFS, so a reader never sees a partial
 * record and two writers never share a number.
 */
export class LocalRunStore implements RunStore {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  async append(record: NewRunRecord): Promise<RunRecord> {
    const dir = join(this.root, validateExperimentName(record.experiment));
    const staging = join(this.root, '.staging');
    await mkdir(dir, { recursive: true });
    await mkdir(staging, { recursive: true });
    const staged = join(staging, `${record.run_id}-${randomBytes(4).toString('hex')}.json`);
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const number = Math.max(0, ...(await this.numbers(dir))) + 1;
        const numbered: RunRecord = { ...record, number };
        await writeFile(staged, `${JSON.stringify(numbered, null, 2)}\n`);
        try {
          await link(staged, join(dir, `${number}.json`));
          return numbered;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
      throw new UserError(`Could not claim a run number in ${dir} after ${MAX_ATTEMPTS} attempts.`);
    } finally {
      await rm(staged, { force: true });
    }
  }

  private async numbers(dir: string): Promise<number[]> {
    const entries = await readdir(dir).catch(() => [] as string[]);
    return entries
      .filter((name) => /^[1-9][0-9]*\.json$/.test(name))
      .map((name) => Number.parseInt(name, 10));
  }

  async listExperiments(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  }

  async listRuns(experiment: string): Promise<RunRecord[]> {
    const dir = join(this.root, validateExperimentName(experiment));
    const numbers = (await this.numbers(dir)).sort((a, b) => a - b);
    const records: RunRecord[] = [];
    for (const number of numbers) {
      const file = join(dir, `${number}.json`);
      try {
        records.push(parseRunRecord(await readFile(file, 'utf8'), file));
      } catch (error) {
        throw new UserError(`The run record ${file} is damaged: ${(error as Error).message}.`, { file });
      }
    }
    return distinctRuns(records);
  }
}

/**
 * One record per run id, the lowest number kept. Publishing skips a record already stored, but two
 * publishers racing with the same record can both claim a number; readers then see it once.
 */
export function distinctRuns(records: RunRecord[]): RunRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    if (seen.has(record.run_id)) return false;
    seen.add(record.run_id);
    return true;
  });
}

/** The tag of a run record in the GitHub store: `mlops-run/<experiment>/<number>`. */
export const runTag = (experiment: string, number: number) => `mlops-run/${experiment}/${number}`;

/**
 * Run records in a GitHub repository, beside the registry's tags: each record is the message of
 * the annotated tag `mlops-run/<experiment>/<n>` on the commit that was trained. Creating the ref
 * is the compare-and-swap, as for registry versions.
 */
export class GitHubRunStore implements RunStore {
  readonly kind = 'github' as const;

  constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: GitHubRepo,
  ) {}

  get location(): string {
    return `${this.repo.owner}/${this.repo.repo}`;
  }

  private refs(prefix: string): Promise<{ ref: string; sha: string }[]> {
    return matchingRefs(this.octokit, this.repo, prefix);
  }

  private async numbered(experiment: string): Promise<Map<number, string>> {
    const pattern = new RegExp(`^refs/tags/mlops-run/${experiment}/([1-9][0-9]*)$`);
    const out = new Map<number, string>();
    for (const ref of await this.refs(`tags/mlops-run/${experiment}/`)) {
      const match = pattern.exec(ref.ref);
      if (match) out.set(Number(match[1]), ref.sha);
    }
    return out;
  }

  private async commit(codeSha: string | null): Promise<string> {
    if (codeSha) return codeSha;
    const { data: repository } = await this.octokit.rest.repos.get({ ...this.repo });
    const { data: ref } = await this.octokit.rest.git.getRef({
      ...this.repo,
      ref: `heads/${repository.default_branch}`,
    });
    return ref.object.sha;
  }

  async append(record: NewRunRecord): Promise<RunRecord> {
    const experiment = validateExperimentName(record.experiment);
    const commit = await this.commit(record.code_sha);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const number = Math.max(0, ...(await this.numbered(experiment)).keys()) + 1;
      const numbered: RunRecord = { ...record, number };
      const tag = runTag(experiment, number);
      if (await claimTag(this.octokit, this.repo, tag, JSON.stringify(numbered), commit)) return numbered;
    }
    throw new UserError(`Could not claim a run number in ${this.location} after ${MAX_ATTEMPTS} attempts.`);
  }

  async listExperiments(): Promise<string[]> {
    const names = new Set<string>();
    for (const ref of await this.refs('tags/mlops-run/')) {
      const match = /^refs\/tags\/mlops-run\/([^/]+)\/[1-9][0-9]*$/.exec(ref.ref);
      if (match) names.add(match[1]);
    }
    return [...names].sort();
  }

  async listRuns(experiment: string): Promise<RunRecord[]> {
    const numbered = await this.numbered(validateExperimentName(experiment));
    const records: RunRecord[] = [];
    for (const [number, sha] of [...numbered].sort((a, b) => a[0] - b[0])) {
      const { data } = await this.octokit.rest.git.getTag({ ...this.repo, tag_sha: sha });
      const tag = runTag(experiment, number);
      try {
        records.push(parseRunRecord(data.message, tag));
      } catch (error) {
        throw new UserError(
          `The run record ${tag} in ${this.location} is damaged: ${(error as Error).message}.`,
        );
      }
    }
    return distinctRuns(records);
  }
}

export interface OpenRunStoreOptions {
  backend: 'local' | 'github';
  /** local: a folder (default .mlops/runs); github: unused (the repository is deps.repo). */
  location?: string;
  workingDirectory: string;
}

export function openRunStore(
  options: OpenRunStoreOptions,
  deps: { octokit?: GitHubClient; repo?: GitHubRepo } = {},
): RunStore {
  if (options.backend === 'github') {
    if (!deps.octokit || !deps.repo)
      throw new UserError('The github tracking store needs a GitHub token (input github-token).', {
        input: 'github-token',
      });
    return new GitHubRunStore(deps.octokit, deps.repo);
  }
  const root = options.location?.trim() || DEFAULT_LOCAL_TRACKING;
  return new LocalRunStore(isAbsolute(root) ? root : resolve(options.workingDirectory, root));
}

/**
 * Appends a record, saying where it went. A store that cannot be written is a warning: the run it
 * describes (a trained model, an evaluation) stands without its record.
 */
export async function appendOrWarn(
  store: RunStore | undefined,
  record: NewRunRecord,
  log: Log,
): Promise<RunRecord | undefined> {
  if (!store) return undefined;
  try {
    const stored = await store.append(record);
    log.info(`Recorded as run ${stored.experiment}#${stored.number} in ${store.location}.`);
    return stored;
  } catch (error) {
    log.warning(`Could not record the run in ${store.location}: ${(error as Error).message}`);
    return undefined;
  }
}

/** What publishing a set of records did: each one appended now, or found already stored. */
export interface PublishOutcome {
  appended: RunRecord[];
  alreadyStored: RunRecord[];
}

/**
 * Appends records that are not in the store yet, matched by run id: publishing the same records
 * twice (a re-run job, the same artifact pushed from two steps) stores each once.
 */
export async function publishRunRecords(store: RunStore, records: NewRunRecord[]): Promise<PublishOutcome> {
  const outcome: PublishOutcome = { appended: [], alreadyStored: [] };
  const stored = new Map<string, Map<string, RunRecord>>();
  for (const record of records) {
    const experiment = validateExperimentName(record.experiment);
    let byId = stored.get(experiment);
    if (!byId) {
      const existing = (await store.listExperiments()).includes(experiment)
        ? await store.listRuns(experiment)
        : [];
      byId = new Map(existing.map((run) => [run.run_id, run]));
      stored.set(experiment, byId);
    }
    const found = byId.get(record.run_id);
    if (found) {
      outcome.alreadyStored.push(found);
      continue;
    }
    const appended = await store.append(record);
    byId.set(appended.run_id, appended);
    outcome.appended.push(appended);
  }
  return outcome;
}

import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { Database } from '../data/database.js';
import { listFiles } from '../data/open-dataset.js';
import { type DatasetProfile, PROFILE_SCHEMA } from '../data/profile-format.js';
import { mergeProfiles } from '../data/profile-merge.js';
import { UserError } from '../errors/index.js';
import { writeFileAtomicSync } from '../files/atomic-write.js';
import type { Log } from '../logging/index.js';
import { escapeMarkdown, markdownTable } from '../report/markdown.js';

/** One job of a sharded profile run: a GitHub Actions matrix `include` entry. */
export interface ShardPlanEntry {
  /** 1-based. */
  shard: number;
  of: number;
  /** The shard's file, as the profile job passes it to `data` (relative to the working directory when inside it). */
  data: string;
}

/** GitHub runs at most this many jobs from one matrix. */
export const MAX_MATRIX_JOBS = 256;

/**
 * The plan for profiling a dataset in parallel: one shard per file that `data` (a glob) matches,
 * in name order. The runner lists the files; it reads none of them.
 */
export async function planShards(
  data: string,
  workingDirectory: string,
  log: Log,
): Promise<ShardPlanEntry[]> {
  const wd = resolve(workingDirectory);
  const db = await Database.open();
  let files: string[];
  try {
    files = await listFiles(db, isAbsolute(data) ? data : resolve(wd, data));
  } finally {
    db.close();
  }
  if (files.length > MAX_MATRIX_JOBS) {
    throw new UserError(
      `'${data}' matches ${files.length} files; a job matrix holds at most ${MAX_MATRIX_JOBS} jobs. Combine files, or plan per folder.`,
      { input: 'data' },
    );
  }
  const plan = files.map((file, index) => {
    const inside = relative(wd, file);
    return {
      shard: index + 1,
      of: files.length,
      data: inside.startsWith('..') || isAbsolute(inside) ? file : inside,
    };
  });
  log.info(`Planned ${plan.length} shards of '${data}': ${plan.map((p) => p.data).join(', ')}`);
  return plan;
}

/** Reads a `plan` output back, checking its shape so a hand-edited one fails here, not later. */
export function parseShardPlan(text: string): ShardPlanEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`merge-plan is not JSON: ${(error as Error).message}`, { input: 'merge-plan' });
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        Number.isInteger(e.shard) &&
        Number.isInteger(e.of) &&
        typeof e.data === 'string',
    );
  if (!valid) {
    throw new UserError(
      'merge-plan must be the plan output of a data-validate step with plan-shards: true ([{"shard": 1, "of": N, "data": "..."}, ...]).',
      { input: 'merge-plan' },
    );
  }
  return parsed as ShardPlanEntry[];
}

export interface MergeShardsOptions {
  /** Profile files or globs, one per item. */
  profiles: string[];
  /** When given, every shard it lists must have exactly one profile, and no other profile may come. */
  plan?: ShardPlanEntry[];
  profilePath: string;
  workingDirectory: string;
}

export interface MergeShardsResult {
  profile: DatasetProfile;
  profilePath: string;
  shards: number;
  summaryMarkdown: string;
}

/**
 * Merges shard profiles into the profile of the whole dataset (see `mergeProfiles` for which
 * fields stay exact). A shard missing, profiled twice, or not in the plan fails the step by name:
 * a merged profile silently short of a shard would be a wrong reference for every later check.
 */
export async function mergeShardProfiles(options: MergeShardsOptions, log: Log): Promise<MergeShardsResult> {
  const wd = resolve(options.workingDirectory);
  const db = await Database.open();
  const files: string[] = [];
  try {
    for (const item of options.profiles) {
      for (const file of await listFiles(db, isAbsolute(item) ? item : resolve(wd, item)))
        if (!files.includes(file)) files.push(file);
    }
  } catch (error) {
    if (error instanceof UserError) throw new UserError(error.message, { input: 'merge-profiles' });
    throw error;
  } finally {
    db.close();
  }
  const profiles: { file: string; profile: DatasetProfile }[] = [];
  for (const file of files) profiles.push({ file, profile: await readProfile(file) });

  const bySource = new Map<string, string>();
  for (const { file, profile } of profiles) {
    const earlier = bySource.get(profile.source.path);
    if (earlier) {
      throw new UserError(
        `Shard '${profile.source.path}' was profiled twice ('${earlier}' and '${file}'); merging both would count its rows twice.`,
        { input: 'merge-profiles' },
      );
    }
    bySource.set(profile.source.path, file);
  }
  if (options.plan) {
    const missing = options.plan.filter((entry) => !bySource.has(entry.data));
    if (missing.length > 0) {
      throw new UserError(
        `${missing.length} of ${options.plan.length} planned shards have no profile among merge-profiles: ${missing.map((m) => `shard ${m.shard} (${m.data})`).join(', ')}. Did its job fail, or its artifact not download?`,
        { input: 'merge-profiles' },
      );
    }
    const planned = new Set(options.plan.map((entry) => entry.data));
    const extra = profiles.filter(({ profile }) => !planned.has(profile.source.path));
    if (extra.length > 0) {
      throw new UserError(
        `merge-profiles has profiles of data the plan does not list: ${extra.map((e) => `'${e.profile.source.path}' (${e.file})`).join(', ')}.`,
        { input: 'merge-profiles' },
      );
    }
  }
  if (profiles.length === 0)
    throw new UserError('merge-profiles matched no profile.', { input: 'merge-profiles' });
  // In plan order (or name order): merging is order-independent for every exact field.
  const order = options.plan?.map((entry) => bySource.get(entry.data)!) ?? files;
  const sorted = order.map((file) => profiles.find((p) => p.file === file)!.profile);
  const merged = sorted.slice(1).reduce(mergeProfiles, sorted[0]);
  const profilePath = isAbsolute(options.profilePath)
    ? options.profilePath
    : resolve(wd, options.profilePath);
  writeFileAtomicSync(profilePath, `${JSON.stringify(merged, null, 2)}\n`);
  log.info(
    `Merged ${profiles.length} shard profiles: ${merged.rows} rows, ${merged.columns.length} columns; profile: ${options.profilePath}`,
  );
  const approximate = merged.columns
    .filter((c) => c.numeric && !c.numeric.quantiles_exact)
    .map((c) => c.name);
  const summaryMarkdown = [
    '### Merged data profile',
    markdownTable(
      ['', ''],
      [
        ['shards', String(profiles.length)],
        ['rows', String(merged.rows)],
        ['columns', String(merged.columns.length)],
        ['profile', escapeMarkdown(options.profilePath)],
      ],
    ),
    approximate.length > 0
      ? `Quantiles of ${approximate.map((name) => escapeMarkdown(name)).join(', ')} are read from the merged histograms (error under one bin width); counts, extremes, histograms and complete value frequencies are exact.`
      : '',
  ]
    .filter((part) => part !== '')
    .join('\n\n');
  return { profile: merged, profilePath, shards: profiles.length, summaryMarkdown: `${summaryMarkdown}\n` };
}

async function readProfile(file: string): Promise<DatasetProfile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError(`Profile '${file}' is not valid JSON: ${(error as Error).message}`, {
      file,
      input: 'merge-profiles',
    });
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== PROFILE_SCHEMA) {
    throw new UserError(`'${file}' is not an ${PROFILE_SCHEMA} profile (schema '${String(schema)}').`, {
      file,
      input: 'merge-profiles',
    });
  }
  return parsed as DatasetProfile;
}

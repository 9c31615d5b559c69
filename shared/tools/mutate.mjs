#!/usr/bin/env node
/**
 * `npm run mutate [-- <folder>...] [-- --changed [<base>]]`: Stryker over the domain folders,
 * one folder at a time, incrementally (test/mutation/<folder>.incremental.json), then the score
 * per folder in test/mutation/scores.md.
 *
 * --changed [base]: only the mutation-tested source files that differ from `base` (default
 * main) or are uncommitted, each folder with its own tests: the run to do before committing.
 * --scores: only rewrite test/mutation/scores.md from the results of earlier runs.
 *
 * The scores come from the committed incremental files (test/mutation/<folder>.incremental.json,
 * one per folder, written by every run), completed per source file by a local report
 * (reports/mutation/<folder>.json, git-ignored). A folder with neither keeps its committed row and
 * its listed survivors, so that a fresh clone, or a run of one folder, never drops another's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { folderOf, MUTATION_FOLDERS } from './mutation-folders.mjs';

const SCORES = 'test/mutation/scores.md';
const incrementalFile = (name) => `test/mutation/${name}.incremental.json`;
const reportFile = (name) => `reports/mutation/${name}.json`;

const args = process.argv.slice(2);
if (args.includes('--scores')) {
  // Only rewrite test/mutation/scores.md from the reports already there.
  writeScores();
  process.exit(0);
}
const changedAt = args.indexOf('--changed');
/** folder -> list of files to mutate (undefined: the folder's whole mutate list) */
const plan = new Map();

if (changedAt >= 0) {
  const base = args[changedAt + 1] && !args[changedAt + 1].startsWith('-') ? args[changedAt + 1] : 'main';
  const git = (...a) => execFileSync('git', a, { encoding: 'utf8' }).split('\n').filter(Boolean);
  const files = new Set([
    ...git('diff', '--name-only', `${base}...HEAD`),
    ...git('diff', '--name-only', 'HEAD'),
    ...git('ls-files', '--others', '--exclude-standard'),
  ]);
  for (const file of files) {
    const folder = folderOf(file);
    if (!folder || !existsSync(file)) continue;
    // The folder's own entries for the file, line ranges included (not the whole file).
    const entries = MUTATION_FOLDERS[folder].mutate.filter((m) => m.replace(/:\d+-\d+$/, '') === file);
    plan.set(folder, [...(plan.get(folder) ?? []), ...entries]);
  }
  if (plan.size === 0) {
    console.log(`No mutation-tested source file changed since ${base}.`);
    process.exit(0);
  }
} else {
  const named = args.filter((a) => !a.startsWith('-'));
  for (const name of named.length > 0 ? named : Object.keys(MUTATION_FOLDERS)) {
    if (!MUTATION_FOLDERS[name]) {
      console.error(`Unknown folder '${name}': expected one of ${Object.keys(MUTATION_FOLDERS).join(', ')}.`);
      process.exit(2);
    }
    plan.set(name, undefined);
  }
}

let failed = false;
for (const [name, files] of plan) {
  console.log(`\n== mutation testing: ${name}${files ? ` (${files.join(', ')})` : ''}`);
  const strykerArgs = ['stryker', 'run', 'stryker.config.mjs'];
  if (files) strykerArgs.push('--mutate', files.join(','));
  // A run over some of a folder's files writes only those files' results: keep the others'.
  const before = readJson(incrementalFile(name));
  const result = spawnSync('npx', strykerArgs, {
    stdio: 'inherit',
    // Stryker's sandbox (.stryker-tmp) is not the suite's folder, so the engine resolver would not
    // find DuckDB's pinned package there: name this checkout's node_modules explicitly.
    env: { ...process.env, MUTATE_FOLDER: name, MLOPS_ENGINE_SOURCE_DUCKDB: process.cwd() },
  });
  if (result.status !== 0) failed = true;
  const after = readJson(incrementalFile(name));
  if (before && after) {
    for (const [path, file] of Object.entries(before.files)) after.files[path] ??= file;
    writeFileSync(incrementalFile(name), `${JSON.stringify(after)}\n`);
  }
}
writeScores();
process.exit(failed ? 1 : 0);

function readJson(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/**
 * The last result per mutated source file of one folder: the committed incremental file,
 * completed by the local report for files it lacks. Undefined when neither exists here.
 */
function folderResults(name) {
  const files = new Map();
  for (const result of [readJson(incrementalFile(name)), readJson(reportFile(name))]) {
    for (const [path, file] of Object.entries(result?.files ?? {})) {
      if (!files.has(path)) files.set(path, file);
    }
  }
  return files.size > 0 ? files : undefined;
}

/** The committed scores.md's row per folder and surviving-mutant rows per folder. */
function committedScores() {
  const rows = new Map();
  const survivors = new Map();
  if (!existsSync(SCORES)) return { rows, survivors };
  for (const line of readFileSync(SCORES, 'utf8').split('\n')) {
    const cell = line.match(/^\| ([^|]+?) \|/)?.[1];
    if (!cell) continue;
    if (MUTATION_FOLDERS[cell]) rows.set(cell, line);
    const folder = folderOf(cell.replace(/:\d+$/, ''));
    if (folder) survivors.set(folder, [...(survivors.get(folder) ?? []), line]);
  }
  return { rows, survivors };
}

/** test/mutation/scores.md: every folder's last result, merged with the committed rows. */
function writeScores() {
  const committed = committedScores();
  const rows = [];
  const survivors = [];
  for (const name of Object.keys(MUTATION_FOLDERS)) {
    const files = folderResults(name);
    if (!files) {
      if (committed.rows.has(name)) rows.push(committed.rows.get(name));
      survivors.push(...(committed.survivors.get(name) ?? []));
      continue;
    }
    const count = {
      Killed: 0,
      Timeout: 0,
      Survived: 0,
      NoCoverage: 0,
      CompileError: 0,
      RuntimeError: 0,
      Ignored: 0,
    };
    for (const [path, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      // The incremental file holds no source: the line is read from the checkout.
      const source = file.source ?? (existsSync(path) ? readFileSync(path, 'utf8') : '');
      const lines = source.split('\n');
      const mutants = [...file.mutants].sort(
        (a, b) =>
          a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column,
      );
      for (const mutant of mutants) {
        count[mutant.status] = (count[mutant.status] ?? 0) + 1;
        if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
        const line = mutant.location.start.line;
        const code = (lines[line - 1] ?? '').trim().replace(/\|/g, '\\|').slice(0, 100);
        const replacement = String(mutant.replacement ?? '')
          .replace(/\s+/g, ' ')
          .replace(/\|/g, '\\|')
          .slice(0, 60);
        survivors.push(
          `| ${path}:${line} | ${mutant.mutatorName} | \`${replacement}\` | \`${code}\` | ${mutant.status} |`,
        );
      }
    }
    const detected = count.Killed + count.Timeout;
    const valid = detected + count.Survived + count.NoCoverage;
    const score = valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)}%`;
    const names = [...files.keys()]
      .sort()
      .map((f) => f.split('/').pop())
      .join(', ');
    rows.push(
      `| ${name} | ${names} | ${score} | ${count.Killed} | ${count.Timeout} | ${count.Survived} | ${count.NoCoverage} | ${count.CompileError} | ${count.Ignored} |`,
    );
  }
  const text = [
    '# Mutation scores',
    '',
    'Written by `npm run mutate` (shared/tools/mutate.mjs) from the last run of each folder',
    '(test/mutation/<folder>.incremental.json). Score = (killed + timeout) / (killed + timeout +',
    'survived + no coverage). Static mutants (module-level constants) are ignored; the boundary',
    'tests pin those values.',
    '',
    '| folder | files mutated | score | killed | timeout | survived | no coverage | compile error | ignored (static) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Surviving mutants',
    '',
    'Each is killed by a new test or explained in test/mutation/README.md.',
    '',
    '| where | mutator | replacement | code | status |',
    '|---|---|---|---|---|',
    ...survivors,
    '',
  ].join('\n');
  writeFileSync(SCORES, text);
  console.log(`\n${text}`);
}

#!/usr/bin/env node
/**
 * `npm run mutate [-- <folder>...] [-- --changed [<base>]]`: Stryker over the domain folders,
 * one folder at a time, incrementally (test/mutation/<folder>.incremental.json), then the score
 * per folder in test/mutation/scores.md.
 *
 * --changed [base]: only the mutation-tested source files that differ from `base` (default
 * main) or are uncommitted, each folder with its own tests: the run to do before committing.
 * --scores: only rewrite test/mutation/scores.md from the reports of earlier runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { folderOf, MUTATION_FOLDERS } from './mutation-folders.mjs';

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
    if (folder && existsSync(file)) plan.set(folder, [...(plan.get(folder) ?? []), file]);
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
  const result = spawnSync('npx', strykerArgs, {
    stdio: 'inherit',
    // Stryker's sandbox (.stryker-tmp) is not the suite's folder, so the engine resolver would not
    // find DuckDB's pinned package there: name this checkout's node_modules explicitly.
    env: { ...process.env, MUTATE_FOLDER: name, MLOPS_ENGINE_SOURCE_DUCKDB: process.cwd() },
  });
  if (result.status !== 0) failed = true;
}
writeScores();
process.exit(failed ? 1 : 0);

/** test/mutation/scores.md from every folder's latest JSON report (reports/mutation/<folder>.json). */
function writeScores() {
  const rows = [];
  const survivors = [];
  for (const name of Object.keys(MUTATION_FOLDERS)) {
    const path = `reports/mutation/${name}.json`;
    if (!existsSync(path)) continue;
    const report = JSON.parse(readFileSync(path, 'utf8'));
    const count = {
      Killed: 0,
      Timeout: 0,
      Survived: 0,
      NoCoverage: 0,
      CompileError: 0,
      RuntimeError: 0,
      Ignored: 0,
    };
    for (const [path, file] of Object.entries(report.files)) {
      const lines = file.source.split('\n');
      for (const mutant of file.mutants) {
        count[mutant.status] = (count[mutant.status] ?? 0) + 1;
        if (mutant.status !== 'Survived' && mutant.status !== 'NoCoverage') continue;
        const line = mutant.location.start.line;
        const code = lines[line - 1].trim().replace(/\|/g, '\\|').slice(0, 100);
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
    const files = Object.keys(report.files)
      .map((f) => f.split('/').pop())
      .join(', ');
    rows.push(
      `| ${name} | ${files} | ${score} | ${count.Killed} | ${count.Timeout} | ${count.Survived} | ${count.NoCoverage} | ${count.CompileError} | ${count.Ignored} |`,
    );
  }
  const text = [
    '# Mutation scores',
    '',
    'Written by `npm run mutate` (shared/tools/mutate.mjs) from the last run of each folder.',
    'Score = (killed + timeout) / (killed + timeout + survived + no coverage). Static mutants',
    '(module-level constants) are ignored; the boundary tests pin those values.',
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
  writeFileSync('test/mutation/scores.md', text);
  console.log(`\n${text}`);
}

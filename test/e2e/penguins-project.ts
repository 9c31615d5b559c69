/**
 * A user's project for end-to-end tests: the penguins data from vega-datasets split (seeded) into
 * data/train.csv and data/test.csv, like the repository the example workflows expect.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadPenguins,
  PENGUIN_FEATURES,
  PENGUIN_TARGET,
  toCsv as penguinCsv,
  seededShuffle,
} from '../../shared/src/demo/penguins.js';
import { REPO_ROOT } from '../harness/runner.js';

type Row = Record<string, string | number | null>;

export const PENGUIN_COLUMNS = [PENGUIN_TARGET, ...PENGUIN_FEATURES];

export function toCsv(rows: Row[]): string {
  return penguinCsv(rows, PENGUIN_COLUMNS);
}

export interface PenguinSplit {
  train: Row[];
  test: Row[];
}

export function penguinSplit(seed = 11): PenguinSplit {
  const rows = seededShuffle(loadPenguins(), seed);
  const cut = Math.round(rows.length * 0.7);
  return { train: rows.slice(0, cut), test: rows.slice(cut) };
}

/** Training rows whose labels were scrambled: what a broken data change in a PR looks like. */
export function scrambledLabels(rows: Row[], seed = 5): Row[] {
  const labels = seededShuffle(
    rows.map((r) => r.species),
    seed,
  );
  return rows.map((r, i) => ({ ...r, species: labels[i] }));
}

export function writeProject(
  split: PenguinSplit,
  dir = mkdtempSync(join(tmpdir(), 'mlops-project-')),
): string {
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data/train.csv'), toCsv(split.train));
  writeFileSync(join(dir, 'data/test.csv'), toCsv(split.test));
  return dir;
}

/** Runs the built CLI in a project folder, as a person at a terminal would. */
export function mlops(dir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/cli.js'), ...args], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

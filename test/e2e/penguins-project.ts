/**
 * A user's project for end-to-end tests: the penguins data from vega-datasets split (seeded) into
 * data/train.csv and data/test.csv, like the repository the example workflows expect.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/runner.js';

type Row = Record<string, string | number | null>;

export const PENGUIN_COLUMNS = [
  'species',
  'island',
  'beak_length_mm',
  'beak_depth_mm',
  'flipper_length_mm',
  'body_mass_g',
  'sex',
];

function penguins(): Row[] {
  const raw = JSON.parse(
    readFileSync(join(REPO_ROOT, 'node_modules/vega-datasets/data/penguins.json'), 'utf8'),
  ) as Row[];
  return raw
    .filter((r) => r['Beak Length (mm)'] !== null)
    .map((r) => ({
      species: r.Species,
      island: r.Island,
      beak_length_mm: r['Beak Length (mm)'],
      beak_depth_mm: r['Beak Depth (mm)'],
      flipper_length_mm: r['Flipper Length (mm)'],
      body_mass_g: r['Body Mass (g)'],
      sex: r.Sex === '.' ? null : r.Sex,
    }));
}

/** mulberry32: a tiny seeded generator, so every run splits the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: T[], seed: number): T[] {
  const next = random(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function toCsv(rows: Row[]): string {
  const cell = (v: Row[string]) => (v === null || v === undefined ? '' : String(v));
  return `${[PENGUIN_COLUMNS.join(','), ...rows.map((r) => PENGUIN_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

export interface PenguinSplit {
  train: Row[];
  test: Row[];
}

export function penguinSplit(seed = 11): PenguinSplit {
  const rows = shuffled(penguins(), seed);
  const cut = Math.round(rows.length * 0.7);
  return { train: rows.slice(0, cut), test: rows.slice(cut) };
}

/** Training rows whose labels were scrambled: what a broken data change in a PR looks like. */
export function scrambledLabels(rows: Row[], seed = 5): Row[] {
  const labels = shuffled(
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
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/mlops.js'), ...args], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

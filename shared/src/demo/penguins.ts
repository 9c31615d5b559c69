import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suiteRoot } from '../engines/locate.js';
import { UserError } from '../errors/index.js';

type Row = Record<string, string | number | null>;

export const PENGUIN_FEATURES = [
  'island',
  'beak_length_mm',
  'beak_depth_mm',
  'flipper_length_mm',
  'body_mass_g',
  'sex',
];
export const PENGUIN_TARGET = 'species';

/** The penguins dataset from the vega-datasets npm package, with snake_case columns. */
export function loadPenguins(): Row[] {
  // The package's exports map hides data/, so the file is read from the suite's own node_modules
  // (never from the working directory's, which may hold anything).
  const root = suiteRoot();
  const file = root && join(root, 'node_modules/vega-datasets/data/penguins.json');
  if (!file || !existsSync(file))
    throw new UserError("The demo needs the 'vega-datasets' package: run 'npm ci' in the repository first.");
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Row[];
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

/** A seeded shuffle (mulberry32), so a split is the same on every machine. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function toCsv(rows: readonly Row[], columns: readonly string[]): string {
  const cell = (v: Row[string]) => {
    if (v === null || v === undefined) return '';
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

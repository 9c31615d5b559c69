import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');

export type Row = Record<string, unknown>;

export function readRows(file: string): Row[] {
  return JSON.parse(readFileSync(join(DATA, file), 'utf8')) as Row[];
}

/** Seattle weather as row objects (the CSV has no quoting or empty cells). */
export function readSeattle(): Row[] {
  const [header, ...lines] = readFileSync(join(DATA, 'seattle-weather.csv'), 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, i === 0 || i === 5 ? cells[i] : Number(cells[i])]));
  });
}

/** A deterministic split: rows whose index mod 10 is below 7 go to the first part. */
export function split70(rows: Row[]): [Row[], Row[]] {
  return [rows.filter((_, i) => i % 10 < 7), rows.filter((_, i) => i % 10 >= 7)];
}

export function writeJson(dir: string, name: string, rows: Row[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(rows));
  return path;
}

/** CSV with quoting where needed; `null` and `undefined` become empty cells. */
export function writeCsv(
  dir: string,
  name: string,
  rows: Row[],
  columns = Object.keys(rows[0] ?? {}),
): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const path = join(dir, name);
  writeFileSync(
    path,
    `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`,
  );
  return path;
}

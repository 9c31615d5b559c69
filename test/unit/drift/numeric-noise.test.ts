/**
 * A random holdout of one table is not drift, for numeric columns too. Above 1,000 reference
 * values Evidently's choice for a continuous column is the normed Wasserstein distance at 0.1; on
 * seeded random 80/20 splits of vega's seattle-weather.csv (1,169 and 292 rows) that distance
 * reached 0.1 on about a fifth of the numeric columns (10 of 32 here) and the dataset drifted
 * (2 of 4) on 3 of these 8 seeds (scipy over 400 random splits: 19.7% of columns, 21.5% of splits;
 * with the rule 2.2% and 1.3%). The noise rule (detect.ts `noiseTest`) counts such a distance only when the two-sample
 * KS test beside it also rejects; a real shift stays caught, on the sketch path and the exact one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import type { ColumnDrift } from '../../../shared/src/drift/report.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { normals, random, SEATTLE, seattleSubset, tempDir, writeCsv } from './helpers.js';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const NUMERIC = ['precipitation', 'temp_max', 'temp_min', 'wind'];

// One line is one row (no quoted line breaks).
const [header, ...rows] = readFileSync(SEATTLE, 'utf8').trimEnd().split(/\r?\n/);

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const u = random(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function write(dir: string, name: string, lines: readonly string[]): string {
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, `${[header, ...lines].join('\n')}\n`);
  return path;
}

describe('the noise rule on numeric columns (Wasserstein distance confirmed by KS)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    expect(rows.length).toBe(1461);
  });

  const check = (reference: string, current: string, name: string, extra: Record<string, unknown> = {}) =>
    runDriftCheck(
      {
        reference,
        current,
        columns: NUMERIC,
        method: 'auto',
        driftShare: 0.5,
        reportPath: join(dir, `${name}.json`),
        workingDirectory: dir,
        ...extra,
      },
      silentLog,
    );

  it('seattle-weather random 80/20 splits: column flags at about alpha, dataset drift at most once in 8', async () => {
    const flagged: Record<number, string[]> = {};
    let overThreshold = 0;
    for (const seed of SEEDS) {
      const order = shuffled(rows, seed);
      const cut = rows.length - Math.round(0.2 * rows.length);
      const reference = write(dir, `ref-${seed}`, order.slice(0, cut));
      const current = write(dir, `cur-${seed}`, order.slice(cut));
      const result = await check(reference, current, `seed-${seed}`);
      flagged[seed] = result.driftedColumns;
      for (const c of result.report.columns) {
        expect(c.method, c.name).toBe('wasserstein');
        if (c.statistic < c.threshold) continue;
        overThreshold++;
        // Over the threshold: the KS decided, and said so.
        expect(c.test?.method, `seed ${seed} ${c.name}`).toBe('ks');
        expect(c.drifted).toBe(c.test!.p_value <= 0.05);
        if (!c.drifted) {
          expect(result.report.findings.some((f) => f.kind === 'within_noise' && f.column === c.name)).toBe(
            true,
          );
        }
      }
      // The sketch's KS gives the exact path's verdicts and p-values (these columns hold few
      // distinct values per sketch bin: the interval is a point).
      const exact = await check(reference, current, `seed-${seed}-exact`, { exact: true });
      const byName = new Map(exact.report.columns.map((c) => [c.name, c]));
      for (const c of result.report.columns) {
        const e = byName.get(c.name)!;
        expect(e.drifted, `seed ${seed} ${c.name}`).toBe(c.drifted);
        if (c.test) expect(c.test.p_value).toBeCloseTo(e.test!.p_value, 10);
      }
    }
    const total = Object.values(flagged).reduce((s, d) => s + d.length, 0);
    const datasetDrift = Object.values(flagged).filter((d) => d.length >= NUMERIC.length / 2).length;
    // The old rule flagged every column over the threshold: 10 of 32 here, dataset drift on seeds
    // 1, 3 and 8. At alpha 0.05 about 1.6 of 32 tests reject under the null (temp_min and
    // temp_max together, as they are correlated: seed 8 is such a split, KS p = 0.006 and 0.049).
    expect(overThreshold, JSON.stringify(flagged)).toBeGreaterThanOrEqual(8);
    expect(total, JSON.stringify(flagged)).toBeLessThanOrEqual(3);
    expect(datasetDrift, JSON.stringify(flagged)).toBeLessThanOrEqual(1);
  }, 180_000);

  it('a real shift is still caught: summer days against the whole table', async () => {
    const summer = await seattleSubset(dir, 'summer', 'month(w.date) IN (6, 7, 8)');
    const result = await check(SEATTLE, summer, 'summer');
    expect(result.driftDetected).toBe(true);
    const col = (name: string) => result.report.columns.find((c) => c.name === name)!;
    for (const name of ['temp_max', 'temp_min']) {
      expect(col(name).method).toBe('wasserstein');
      expect(col(name).drifted).toBe(true);
      expect(col(name).test!.p_value).toBeLessThan(1e-30);
    }
  }, 60_000);

  it('a 0.2 sd shift of a large continuous sample is drifted on the sketch path, its KS bounded', async () => {
    const reference = writeCsv(dir, 'normal-ref', { x: normals(11, 20_000) });
    const shifted = writeCsv(dir, 'normal-shift', { x: normals(12, 5_000, 0.2) });
    const run = (current: string, name: string, extra: Record<string, unknown> = {}) =>
      runDriftCheck(
        {
          reference,
          current,
          method: 'auto',
          driftShare: 0.5,
          reportPath: join(dir, `${name}.json`),
          workingDirectory: dir,
          ...extra,
        },
        silentLog,
      );
    const x = (r: Awaited<ReturnType<typeof run>>): ColumnDrift => r.report.columns[0];
    const shift = x(await run(shifted, 'shift'));
    expect(shift.path).toBe('sketch');
    expect(shift.statistic).toBeGreaterThan(0.15);
    expect(shift.drifted).toBe(true);
    expect(shift.test!.method).toBe('ks');
    const exactShift = x(await run(shifted, 'shift-exact', { exact: true }));
    // Rejecting, the sketch reports the p-value of its lower bound on D: at least the exact one.
    expect(shift.test!.p_value).toBeGreaterThanOrEqual(exactShift.test!.p_value);
    expect(shift.test!.p_value).toBeLessThan(1e-10);
    expect(shift.test!.statistic!).toBeLessThanOrEqual(exactShift.test!.statistic! + 1e-12);

    // 150 values of the same distribution: the distance passes 0.1 by chance on some seeds; the
    // sketch's KS interval gives the exact path's verdict, its p-value on the verdict's side.
    let withinNoise = 0;
    for (const seed of [13, 14, 15, 16, 17, 18]) {
      const same = writeCsv(dir, `normal-same-${seed}`, { x: normals(seed, 150) });
      const noise = x(await run(same, `same-${seed}`));
      const exactNoise = x(await run(same, `same-${seed}-exact`, { exact: true }));
      expect(noise.drifted, `seed ${seed}`).toBe(exactNoise.drifted);
      if (noise.statistic < noise.threshold || noise.drifted) continue;
      withinNoise++;
      expect(noise.path).toBe('sketch');
      expect(noise.test!.p_value).toBeGreaterThan(0.05);
      expect(noise.test!.p_value).toBeLessThanOrEqual(exactNoise.test!.p_value + 1e-12);
      expect(noise.note).toMatch(/within the sampling noise of 20000 and 150 values/);
    }
    expect(withinNoise).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('a method the user names keeps its rule alone', async () => {
    const order = shuffled(rows, 2);
    const cut = rows.length - Math.round(0.2 * rows.length);
    const result = await check(
      write(dir, 'ref-named', order.slice(0, cut)),
      write(dir, 'cur-named', order.slice(cut)),
      'named',
      { method: 'wasserstein' },
    );
    const over = result.report.columns.filter((c) => c.statistic >= c.threshold);
    expect(over.length).toBeGreaterThan(0);
    for (const c of over) {
      expect(c.drifted, c.name).toBe(true);
      expect(c.test).toBeUndefined();
    }
  }, 60_000);
});

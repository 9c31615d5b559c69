import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPairedRows } from '../../../shared/src/compare/paired-rows.js';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { Database, quoteLiteral } from '../../../shared/src/data/database.js';
import { runEvaluate } from '../../../shared/src/evaluate/run.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { pairedBootstrapDelta } from '../../../shared/src/metrics/index.js';
import { workdir } from '../../integration/github/fixtures.js';

/**
 * Two real evaluate runs per scenario over predictions CSVs on the same 4,000 test rows. The
 * baseline model is right on 85% of them; the "better" model fixes 80 of its mistakes and makes
 * 30 new ones (+1.25 points of accuracy). Scored separately, each accuracy has a standard error of
 * about 0.56 points, so the CI of the difference (SE ~0.8) cannot see a 1.25-point change; on the
 * same rows only the 110 rows where the models disagree vary, and the change is obvious.
 */
const N = 4000;
const THRESHOLDS = 'accuracy: {tolerance: 0.005}';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Model {
  yTrue: number[];
  correct: boolean[];
}

function baselineModel(): Model {
  const next = random(7);
  const yTrue = Array.from({ length: N }, () => (next() < 0.5 ? 1 : 0));
  const correct = yTrue.map(() => next() < 0.85);
  return { yTrue, correct };
}

/** The same rows with `fix` of the model's mistakes put right and `breakCount` right answers made wrong. */
function changed(model: Model, fix: number, breakCount: number, seed: number): Model {
  const next = random(seed);
  const wrong = model.correct.flatMap((ok, i) => (ok ? [] : [i]));
  const right = model.correct.flatMap((ok, i) => (ok ? [i] : []));
  const pick = (rows: number[], k: number) => {
    const copy = [...rows];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, k);
  };
  const correct = [...model.correct];
  for (const i of pick(wrong, fix)) correct[i] = true;
  for (const i of pick(right, breakCount)) correct[i] = false;
  return { yTrue: model.yTrue, correct };
}

/** y_true, y_pred and the positive-class probability (on the predicted side of 0.5). */
function writePredictionsCsv(path: string, model: Model, seed: number, rows = N): void {
  const next = random(seed);
  const lines = ['y_true,y_pred,y_score'];
  for (let i = 0; i < rows; i++) {
    const yTrue = model.yTrue[i]!;
    const yPred = model.correct[i] ? yTrue : 1 - yTrue;
    const confidence = 0.5 + 0.49 * next();
    lines.push(`${yTrue},${yPred},${(yPred === 1 ? confidence : 1 - confidence).toFixed(6)}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** evaluate on a predictions CSV; returns the metrics.json path. */
async function evaluate(dir: string, name: string, model: Model, seed: number, rows = N): Promise<string> {
  mkdirSync(join(dir, name), { recursive: true });
  writePredictionsCsv(join(dir, `${name}.csv`), model, seed, rows);
  const result = await runEvaluate(
    {
      predictions: `${name}.csv`,
      metrics: ['accuracy', 'roc_auc'],
      confidence: 0.95,
      bootstrap: 1000,
      seed: 1,
      latency: false,
      output: `${name}/metrics.json`,
      // One side Parquet (evaluate's default), the other CSV: pairing must not care.
      predictionsOutput: name === 'baseline' ? `${name}/predictions.csv` : undefined,
      workingDirectory: dir,
    },
    silentLog,
  );
  return result.metricsPath;
}

async function compare(
  dir: string,
  current: string,
  baseline: string,
  paired: boolean,
  thresholds = THRESHOLDS,
) {
  const log = memoryLog();
  const result = await runCompareBaseline(
    {
      current,
      baseline,
      thresholds,
      significance: 0.05,
      failOnRegression: true,
      reportPath: 'out/compare.json',
      workingDirectory: dir,
      modelKey: 'churn',
    },
    {
      log,
      pairedRows: paired ? () => loadPairedRows(join(dir, current), join(dir, baseline), { log }) : undefined,
    },
  );
  const accuracy = result.diff.rows.find((row) => row.metric === 'accuracy')!;
  return { result, accuracy, log };
}

describe('loadPairedRows with compare-baseline on two real evaluate runs', () => {
  const dir = workdir();
  const base = baselineModel();
  const better = changed(base, 80, 30, 11);
  const noisy = changed(base, 40, 45, 12);

  beforeAll(async () => {
    await evaluate(dir, 'baseline', base, 101);
    await evaluate(dir, 'better', better, 102);
    await evaluate(dir, 'noisy', noisy, 103);
  }, 60_000);

  it('pairs row i of both files and reproduces each side’s metrics', async () => {
    const log = memoryLog();
    const paired = await loadPairedRows(
      join(dir, 'better/metrics.json'),
      join(dir, 'baseline/metrics.json'),
      {
        log,
      },
    );
    expect(paired).toBeDefined();
    expect(paired!.resamples).toBe(1000);
    expect(paired!.current.data.yTrue).toEqual(paired!.baseline.data.yTrue);
    const delta = pairedBootstrapDelta(paired!.current, paired!.baseline, 'accuracy', {
      resamples: 200,
      seed: 0,
      confidence: 0.95,
    });
    const stored = (name: string) =>
      JSON.parse(readFileSync(join(dir, name, 'metrics.json'), 'utf8')).metrics.accuracy.value;
    expect(delta.current).toBeCloseTo(stored('better'), 12);
    expect(delta.baseline).toBeCloseTo(stored('baseline'), 12);
    expect(delta.delta).toBeCloseTo(50 / N, 12);
  });

  it('calls a small real improvement significant where the CI-of-difference test cannot', async () => {
    const ci = await compare(dir, 'better/metrics.json', 'baseline/metrics.json', false);
    expect(ci.accuracy.test!.method).toBe('ci-of-difference');
    expect(ci.accuracy.test!.pValue).toBeGreaterThan(0.05);
    expect(ci.accuracy.verdict).toBe('within tolerance');

    const paired = await compare(dir, 'better/metrics.json', 'baseline/metrics.json', true);
    expect(paired.accuracy.test!.method).toBe('paired-bootstrap');
    expect(paired.accuracy.test!.pValue).toBeLessThan(0.01);
    expect(paired.accuracy.test!.interval[0]).toBeGreaterThan(0);
    expect(paired.accuracy.verdict).toBe('improved');
    // Reference: the normal interval of a paired difference of proportions, from the 80 fixed and
    // 30 broken rows alone: SE = sqrt((b + c) - (b - c)^2 / n) / n.
    const se = Math.sqrt(110 - 50 ** 2 / N) / N;
    const [lo, hi] = paired.accuracy.test!.interval;
    expect(lo).toBeCloseTo(50 / N - 1.959964 * se, 3);
    expect(hi).toBeCloseTo(50 / N + 1.959964 * se, 3);
  });

  it('catches the same change as a regression the CI test would wave through', async () => {
    const ci = await compare(dir, 'baseline/metrics.json', 'better/metrics.json', false);
    expect(ci.accuracy.verdict).toBe('not significant');
    expect(ci.result.passed).toBe(true);

    const paired = await compare(dir, 'baseline/metrics.json', 'better/metrics.json', true);
    expect(paired.accuracy.test!.method).toBe('paired-bootstrap');
    expect(paired.accuracy.verdict).toBe('regressed');
    expect(paired.result.passed).toBe(false);
    expect(paired.result.regressions).toEqual(['accuracy']);
  });

  it('does not call a noise-level drop significant', async () => {
    // No tolerance at all: any drop breaks the change bound, so only the test keeps it from gating.
    const paired = await compare(
      dir,
      'noisy/metrics.json',
      'baseline/metrics.json',
      true,
      'accuracy: {tolerance: 0}',
    );
    expect(paired.accuracy.delta).toBeCloseTo(-5 / N, 12);
    expect(paired.accuracy.test!.method).toBe('paired-bootstrap');
    expect(paired.accuracy.test!.pValue).toBeGreaterThan(0.3);
    expect(paired.accuracy.verdict).toBe('not significant');
    expect(paired.result.passed).toBe(true);
  });

  it('joins on row_id, not file order', async () => {
    const shuffledDir = join(dir, 'shuffled');
    cpSync(join(dir, 'baseline'), shuffledDir, { recursive: true });
    const db = await Database.open();
    try {
      const file = join(shuffledDir, 'predictions.csv');
      await db.run(
        `COPY (SELECT * FROM read_csv(${quoteLiteral(file)}) ORDER BY hash(row_id)) TO ${quoteLiteral(`${file}.tmp`)} (HEADER, DELIMITER ',')`,
      );
      renameSync(`${file}.tmp`, file);
    } finally {
      db.close();
    }
    const metrics = JSON.parse(readFileSync(join(shuffledDir, 'metrics.json'), 'utf8'));
    metrics.predictions.path = 'predictions.csv'; // relative: to the metrics file's folder
    writeFileSync(join(shuffledDir, 'metrics.json'), JSON.stringify(metrics));
    const firstIds = readFileSync(join(shuffledDir, 'predictions.csv'), 'utf8').split('\n').slice(1, 4);
    expect(firstIds.map((line) => line.split(',')[0])).not.toEqual(['0', '1', '2']);

    const paired = await loadPairedRows(join(dir, 'better/metrics.json'), join(shuffledDir, 'metrics.json'), {
      log: silentLog,
    });
    const reference = await loadPairedRows(
      join(dir, 'better/metrics.json'),
      join(dir, 'baseline/metrics.json'),
      {
        log: silentLog,
      },
    );
    expect(paired!.baseline).toEqual(reference!.baseline);
  });

  it('finds a moved predictions file relative to its metrics file, and takes parsed documents', async () => {
    const moved = join(dir, 'moved');
    cpSync(join(dir, 'better'), moved, { recursive: true });
    const document = JSON.parse(readFileSync(join(moved, 'metrics.json'), 'utf8'));
    // evaluate writes the path relative to metrics.json, so the folder can travel as an artifact.
    expect(document.predictions.path).toBe('predictions.parquet');
    const paired = await loadPairedRows({ document, dir: moved }, join(dir, 'baseline/metrics.json'), {
      log: silentLog,
      resamples: 300,
      seed: 5,
    });
    expect(paired).toMatchObject({ resamples: 300, seed: 5 });
    expect(paired!.current.data.yTrue.length).toBe(N);
  });

  it("never follows a predictions path out of the metrics file's folder", async () => {
    const moved = join(dir, 'hostile');
    cpSync(join(dir, 'better'), moved, { recursive: true });
    const document = JSON.parse(readFileSync(join(moved, 'metrics.json'), 'utf8'));
    // A stale absolute path (another job's file on a self-hosted runner), a way up, a symlink out.
    symlinkSync(join(dir, 'baseline/predictions.csv'), join(moved, 'link.csv'));
    for (const [path, why] of [
      ['/etc/passwd', /absolute path outside/],
      [join(dir, 'better/predictions.parquet'), /absolute path outside/],
      ['../../x', /leads outside/],
      ['link.csv', /symbolic link/],
    ] as const) {
      const log = memoryLog();
      document.predictions.path = path;
      const paired = await loadPairedRows({ document, dir: moved }, join(dir, 'baseline/metrics.json'), {
        log,
      });
      expect(paired).toBeUndefined();
      const warnings = log.lines.filter((line) => line.level === 'warning').map((line) => line.message);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^Refused the current per-row predictions: .*predictions\.path/);
      expect(warnings[0]).toMatch(why);
      expect(warnings[0]).toContain(JSON.stringify(path));
    }
  });
});

describe('loadPairedRows falls back to the CI test', () => {
  const dir = workdir();
  const base = baselineModel();

  async function expectFallback(current: string, baseline: string, reason: RegExp) {
    const log = memoryLog();
    expect(await loadPairedRows(current, baseline, { log })).toBeUndefined();
    const warnings = log.lines.filter((line) => line.level === 'warning').map((line) => line.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    return warnings[0]!;
  }

  it('when the baseline was scored on fewer rows', async () => {
    const current = await evaluate(dir, 'full', base, 1);
    const fewer = await evaluate(dir, 'fewer', base, 2, N - 100);
    await expectFallback(
      current,
      fewer,
      /^not the same test rows: falling back to the CI test \(.*4000.*3900/,
    );
  });

  it('when the rows have other labels (another test split of the same size)', async () => {
    const other = { ...base, yTrue: base.yTrue.map((y, i) => (i % 97 === 0 ? 1 - y : y)) };
    const current = await evaluate(dir, 'same', base, 3);
    const relabelled = await evaluate(dir, 'relabelled', other, 4);
    const warning = await expectFallback(
      current,
      relabelled,
      /^not the same test rows: falling back to the CI test/,
    );
    expect(warning).toContain('y_true differs on 42 of 4000 rows (first at row_id 0)');
  });

  it('when a metrics file has no per-row predictions, or they are gone', async () => {
    const current = await evaluate(dir, 'kept', base, 5);
    const handWritten = join(dir, 'hand.json');
    writeFileSync(
      handWritten,
      JSON.stringify({
        schema: 'mlops-metrics/v1',
        task: 'classification',
        metrics: { accuracy: { value: 0.8 } },
      }),
    );
    await expectFallback(current, handWritten, /baseline metrics file .* names no per-row predictions/);

    const lost = await evaluate(dir, 'lost', base, 6);
    rmSync(join(dir, 'lost', 'predictions.csv'), { force: true });
    rmSync(join(dir, 'lost', 'predictions.parquet'), { force: true });
    await expectFallback(current, lost, /baseline per-row predictions file is not there/);
  });

  it('when one side is a regression', async () => {
    const current = await evaluate(dir, 'classifier', base, 7);
    const csv = join(dir, 'regression.csv');
    writeFileSync(
      csv,
      `y_true,y_pred\n${base.yTrue.map((y, i) => `${y + 0.5},${y + (i % 3) * 0.1}`).join('\n')}\n`,
    );
    const regression = await runEvaluate(
      {
        predictions: csv,
        task: 'regression',
        confidence: 0.95,
        bootstrap: 0,
        seed: 0,
        latency: false,
        output: 'regression/metrics.json',
        workingDirectory: dir,
      },
      silentLog,
    );
    await expectFallback(current, regression.metricsPath, /classification.*regression/);
  });
});

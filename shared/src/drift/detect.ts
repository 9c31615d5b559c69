/**
 * Per-column drift over two datasets in DuckDB (or a stored reference profile and a dataset):
 * plan the columns, pick each column's method (Evidently's defaults unless overridden), compute
 * only what that method needs in SQL, and return the columns with findings for every column that
 * could not be compared, so bad input never reads as "no drift".
 */

import { identifierReason, physicalKind } from '../data/column-kind.js';
import { BoundValues, type Database } from '../data/database.js';
import type { Dataset, DatasetColumn } from '../data/open-dataset.js';
import type { ColumnProfile, DatasetProfile } from '../data/profile-format.js';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import { ksPValue } from '../stats/ks.js';
import { WASSERSTEIN_STD_FLOOR } from '../stats/wasserstein.js';
import { type BinnedPair, binnedKs, binnedPair, coarseCounts, normedBinnedWasserstein } from './binned.js';
import {
  chooseMethod,
  companionTest,
  mayBeIdentifier,
  mayBeWasserstein,
  noiseTest,
  reachesThreshold,
  withinNoise,
} from './choice.js';
import {
  type CountTable,
  categoryCounts,
  equalWidthEdges,
  MergedEcdf,
  numpyQuantile,
  quantileRanks,
} from './ecdf.js';
import { type ColumnInputs, runMethod } from './evaluate.js';
import {
  type DriftColumnType,
  type DriftMethod,
  isDrifted,
  METHOD_INFO,
  type MethodChoice,
} from './methods.js';
import type { Bin, ColumnDrift, ColumnRole, Finding, SideSummary } from './report.js';
import { type CountedColumn, countSide, type SideCounts } from './side-counts.js';
import {
  driftTypeOfDuckType,
  driftTypeOfProfileColumn,
  literalCategoryCountsSql,
  profileNumericRelation,
  profileSideStats,
  type SideStats,
} from './sources.js';

export type ReferenceSide =
  | { kind: 'dataset'; dataset: Dataset }
  | { kind: 'profile'; profile: DatasetProfile; path: string };

export interface ColumnOverride {
  method?: string;
  threshold?: number;
}

export interface DetectOptions {
  columns?: string[];
  method: MethodChoice;
  threshold?: number;
  perColumn?: Record<string, { method?: MethodChoice; threshold?: number }>;
  prediction?: string;
  target?: string;
  /**
   * TFDV's comparators instead of Evidently's choice: L-infinity distance for categorical columns,
   * Jensen–Shannon divergence (log2) for numeric ones, each with the test beside it (`test`).
   */
  tfdv?: boolean;
  /** Columns left out of the comparison (the caller says why). */
  exclude?: string[];
  /**
   * Compare identifier-like columns too (column-kind.ts's `identifierReason`, decided on the
   * reference side). Default: left out with an `identifier` finding, unless `columns` or
   * `perColumn` names them, which asks for them explicitly.
   */
  compareIdentifiers?: boolean;
  /** Current-side columns that are not data (a request log's bookkeeping): never warned about. */
  quietCurrent?: (column: string) => boolean;
  /**
   * The current data is the model server's request log. It holds what clients sent, which
   * includes every model input (the server refuses a row without one), and never the label: a
   * reference column it lacks is therefore not a lost input, and is reported without counting as
   * drifted, unless `columns` names it.
   */
  requestLog?: boolean;
  /**
   * Exact statistics for every column (true). Otherwise a numeric column compared with the
   * Wasserstein distance (Evidently's choice above 1,000 reference values, or asked for) between
   * two datasets is computed on the binned sketch (binned.ts) with its error bound in the report,
   * and recomputed exactly when the bound reaches across the threshold.
   */
  exact?: boolean;
}

export interface DetectResult {
  columns: ColumnDrift[];
  /** Columns that should have been compared but could not (missing, type changed, all missing). */
  broken: string[];
  findings: Finding[];
  /** Feature columns left out as identifiers (`identifierOnReference`), with why. */
  identifiers: { column: string; reason: string }[];
}

/** Evidently switches from category frequencies to 30 equal-width bins above 20 distinct numbers. */
const DIVERGENCE_BINS = 30;
const DIVERGENCE_CATEGORY_MAX_DISTINCT = 20;
const CHART_BINS = 10;
const CHART_CATEGORIES = 8;
const PSI_QUANTILES = Array.from({ length: 9 }, (_, i) => (i + 1) / 10);

interface Planned {
  name: string;
  role: ColumnRole;
  type: DriftColumnType;
  referenceType: string;
  currentType: string;
  profile?: ColumnProfile;
}

/** Value counts of each side, counted before `detectDrift` (see `countDatasetSide`). */
export interface PreparedCounts {
  reference?: SideCounts;
  current?: SideCounts;
}

/**
 * The columns of a dataset that drift could compare under `options`: its numeric and categorical
 * columns, limited to `columns`, prediction and target when `columns` is given.
 */
export function driftColumns(
  columns: readonly DatasetColumn[],
  options: Pick<DetectOptions, 'columns' | 'prediction' | 'target'>,
): CountedColumn[] {
  const wanted = wantedColumns(options);
  const counted: CountedColumn[] = [];
  for (const c of columns) {
    const type = driftTypeOfDuckType(c.type);
    if (type !== null && (!wanted || wanted.has(c.name)))
      counted.push({ name: c.name, duckType: c.type, type });
  }
  return counted;
}

/**
 * The columns whose values can change the result: the selected ones, compared or not (a date
 * column, say: a late bad value there makes it text, which changes how it is compared). Columns
 * outside `columns` are never looked at, so a bad value in them cannot change the result.
 */
export function readColumns(
  columns: readonly DatasetColumn[],
  options: Pick<DetectOptions, 'columns' | 'prediction' | 'target'>,
): string[] {
  const wanted = wantedColumns(options);
  return columns.map((c) => c.name).filter((n) => !wanted || wanted.has(n));
}

function wantedColumns(options: Pick<DetectOptions, 'columns' | 'prediction' | 'target'>) {
  return options.columns
    ? new Set([...options.columns, options.prediction, options.target].filter((c) => c !== undefined))
    : undefined;
}

/** Counts, in one scan, the values of the columns of `dataset` that drift could compare. */
export function countDatasetSide(
  db: Database,
  dataset: Dataset,
  options: Pick<DetectOptions, 'columns' | 'prediction' | 'target'>,
  tablePrefix: string,
): Promise<SideCounts> {
  return countSide(db, dataset.view, driftColumns(dataset.columns, options), tablePrefix);
}

export async function detectDrift(
  db: Database,
  reference: ReferenceSide,
  current: Dataset,
  options: DetectOptions,
  log: Log,
  prepared: PreparedCounts = {},
): Promise<DetectResult> {
  const findings: Finding[] = [];
  const broken: string[] = [];
  const planned = planColumns(reference, current, options, findings, broken);

  // Counted here when the caller did not; dropped here only if counted here.
  const owned: SideCounts[] = [];
  const count = async (dataset: Dataset, prefix: string, side: 'reference' | 'current') => {
    const given = prepared[side];
    if (given) return given;
    const counts = await countDatasetSide(db, dataset, options, prefix);
    owned.push(counts);
    return counts;
  };
  try {
    const currentCounts = await count(current, 'drift_counts_current', 'current');
    const referenceCounts =
      reference.kind === 'dataset'
        ? await count(reference.dataset, 'drift_counts_reference', 'reference')
        : undefined;
    return await compareColumns(
      db,
      reference,
      planned,
      referenceCounts,
      currentCounts,
      options,
      findings,
      broken,
      log,
    );
  } finally {
    for (const counts of owned) await counts.drop();
  }
}

async function compareColumns(
  db: Database,
  reference: ReferenceSide,
  planned: Planned[],
  referenceCounts: SideCounts | undefined,
  currentCounts: SideCounts,
  options: DetectOptions,
  findings: Finding[],
  broken: string[],
  log: Log,
): Promise<DetectResult> {
  const currentStats = currentCounts.stats;
  const referenceStats = referenceCounts
    ? referenceCounts.stats
    : new Map(planned.map((p) => [p.name, profileSideStats(p.profile!)]));

  const columns: ColumnDrift[] = [];
  const identifiers: DetectResult['identifiers'] = [];
  let tableIndex = 0;
  for (const plan of planned) {
    const refStats = referenceStats.get(plan.name)!;
    const curStats = currentStats.get(plan.name)!;
    if (refStats.present === 0) {
      findings.push({
        kind: 'not_tested',
        column: plan.name,
        severity: 'warning',
        message: `Column '${plan.name}' has no values in the reference (all missing): nothing to compare against.`,
      });
      continue;
    }
    if (curStats.present === 0) {
      findings.push({
        kind: 'all_missing',
        column: plan.name,
        severity: 'error',
        message: `Column '${plan.name}' is entirely missing in the current data (${curStats.rows} rows, all null/NaN), while the reference has ${refStats.present} values: counted as drifted.`,
      });
      if (plan.role === 'feature') broken.push(plan.name);
      continue;
    }
    const identifier = await identifierOnReference(db, plan, referenceCounts, refStats, options);
    if (identifier) {
      identifiers.push({ column: plan.name, reason: identifier });
      findings.push({
        kind: 'identifier',
        column: plan.name,
        severity: 'info',
        message: `Column '${plan.name}' looks like an identifier in the reference (${identifier}): not compared, since every batch brings new values. Name it in 'columns' to compare it anyway.`,
      });
      continue;
    }
    log.debug(`drift: comparing column ${plan.name} (${plan.type})`);
    const column = await compareColumn(
      db,
      reference,
      referenceCounts,
      currentCounts,
      plan,
      refStats,
      curStats,
      options,
      findings,
      tableIndex++,
    );
    if (column) columns.push(column);
  }
  const sketched = referenceCounts ? columns.filter((c) => c.path === 'sketch') : [];
  if (sketched.length > 0) {
    findings.push({
      kind: 'sketch',
      severity: 'info',
      message: `${sketched.map((c) => c.name).join(', ')}: Wasserstein distance computed on the binned sketch of the data (marked ≈), each within its error_bound of the exact value (largest ${Math.max(...sketched.map((c) => c.error_bound ?? 0)).toPrecision(2)}); exact: true computes them exactly.`,
    });
  }
  return { columns, broken, findings, identifiers };
}

/**
 * Why a feature column is an identifier (column-kind.ts's one rule), judged on the reference: the
 * side that defines what the data looks like. A small current batch cannot show that a column is
 * near-unique (it has too few values), and a current batch that suddenly is near-unique in a
 * category column has drifted, which the comparison must report, not hide.
 */
async function identifierOnReference(
  db: Database,
  plan: Planned,
  referenceCounts: SideCounts | undefined,
  refStats: SideStats,
  options: DetectOptions,
): Promise<string | undefined> {
  if (!mayBeIdentifier(plan, options)) return undefined;
  const text = plan.type === 'categorical' && physicalKind(plan.referenceType) === 'text';
  let distinct = 0;
  if (text) {
    distinct = referenceCounts
      ? Number(
          (
            await db.all<{ n: bigint | number }>(
              `SELECT count(*) AS n FROM (${referenceCounts.categorySql(plan.name)})`,
            )
          )[0]!.n,
        )
      : plan.profile!.distinct;
  }
  return identifierReason(plan.name, text ? 'string' : plan.type, distinct, refStats.present);
}

function planColumns(
  reference: ReferenceSide,
  current: Dataset,
  options: DetectOptions,
  findings: Finding[],
  broken: string[],
): Planned[] {
  const refColumns =
    reference.kind === 'dataset'
      ? reference.dataset.columns.map((c) => ({
          name: c.name,
          duckType: c.type,
          type: driftTypeOfDuckType(c.type),
        }))
      : reference.profile.columns.map((c) => ({
          name: c.name,
          duckType: c.physical_type,
          type: driftTypeOfProfileColumn(c),
        }));
  const refByName = new Map(refColumns.map((c) => [c.name, c]));
  const curByName = new Map(current.columns.map((c) => [c.name, c]));
  const roles = new Map<string, ColumnRole>();
  if (options.prediction) roles.set(options.prediction, 'prediction');
  if (options.target) roles.set(options.target, 'target');

  for (const [name, input] of [
    [options.prediction, 'prediction'],
    [options.target, 'target'],
  ] as const) {
    if (name && !refByName.has(name) && !curByName.has(name)) {
      throw new UserError(`The ${input} column '${name}' is in neither the reference nor the current data.`, {
        input,
      });
    }
    if (input === 'prediction' && name && !refByName.has(name)) {
      throw new UserError(
        `The prediction column '${name}' is in the current data but not in the reference: there are no reference predictions to compare it with. Use a reference that has them (an earlier request log, or evaluate's predictions file), or leave prediction empty.`,
        { input },
      );
    }
  }
  if (options.columns) {
    for (const name of options.columns) {
      if (!refByName.has(name)) {
        throw new UserError(
          `Column '${name}' (from 'columns') is not in the reference; it has: ${[...refByName.keys()].join(', ')}.`,
          { input: 'columns' },
        );
      }
    }
  }
  const wanted = new Set(options.columns ?? refColumns.map((c) => c.name));
  for (const name of roles.keys()) if (refByName.has(name)) wanted.add(name);
  for (const name of options.exclude ?? []) if (!roles.has(name)) wanted.delete(name);

  for (const column of current.columns) {
    if (options.quietCurrent?.(column.name)) continue;
    if (!refByName.has(column.name) && !roles.has(column.name)) {
      findings.push({
        kind: 'new_column',
        column: column.name,
        severity: 'warning',
        message: `Column '${column.name}' is in the current data but not in the reference: not compared.`,
      });
    }
  }

  const planned: Planned[] = [];
  for (const ref of refColumns) {
    if (!wanted.has(ref.name)) continue;
    const role = roles.get(ref.name) ?? 'feature';
    const cur = curByName.get(ref.name);
    if (!cur) {
      // A target is allowed to be absent: labels arrive later than the features.
      if (role === 'target') continue;
      if (options.requestLog && role === 'feature' && !options.columns?.includes(ref.name)) {
        findings.push({
          kind: 'missing_column',
          column: ref.name,
          severity: 'warning',
          message: `Column '${ref.name}' is in the reference but not in the request log: not compared, not counted as drifted. A request log holds what clients sent (every model input: the server refuses a row without one) and the prediction, never the label; name the model in 'model' to compare exactly its inputs, or the column in 'columns' to count its absence as drift.`,
        });
        continue;
      }
      findings.push({
        kind: 'missing_column',
        column: ref.name,
        severity: 'error',
        message: `Column '${ref.name}' is in the reference but missing from the current data: counted as drifted.`,
      });
      if (role === 'feature') broken.push(ref.name);
      continue;
    }
    if (ref.type === null) {
      findings.push({
        kind: 'not_tested',
        column: ref.name,
        severity: 'info',
        message: `Column '${ref.name}' (${ref.duckType}) is not compared: drift-check compares numeric and categorical columns.`,
      });
      continue;
    }
    const curType = driftTypeOfDuckType(cur.type);
    if (curType !== ref.type) {
      findings.push({
        kind: 'type_changed',
        column: ref.name,
        severity: 'error',
        message: `Column '${ref.name}' changed type: ${ref.duckType} (${ref.type}) in the reference, ${cur.type} (${curType ?? 'not comparable'}) now: counted as drifted.`,
      });
      if (role === 'feature') broken.push(ref.name);
      continue;
    }
    const profile =
      reference.kind === 'profile' ? reference.profile.columns.find((c) => c.name === ref.name) : undefined;
    planned.push({
      name: ref.name,
      role,
      type: ref.type,
      referenceType: ref.duckType,
      currentType: cur.type,
      profile,
    });
  }
  return planned;
}

async function compareColumn(
  db: Database,
  reference: ReferenceSide,
  referenceCounts: SideCounts | undefined,
  current: SideCounts,
  plan: Planned,
  refStats: SideStats,
  curStats: SideStats,
  options: DetectOptions,
  findings: Finding[],
  index: number,
): Promise<ColumnDrift | null> {
  let sketchNote: string | undefined;
  if (plan.type === 'numeric' && referenceCounts && !options.exact) {
    const sketched = await sketchedWasserstein(
      db,
      referenceCounts,
      current,
      plan,
      refStats,
      curStats,
      options,
      findings,
    );
    if (sketched && 'column' in sketched) return sketched.column;
    sketchNote = sketched?.note;
  }
  const built =
    plan.type === 'numeric'
      ? await numericInputs(db, reference, referenceCounts, current, plan, refStats, index)
      : await categoricalInputs(db, reference, referenceCounts, current, plan, refStats);
  if (!built) {
    findings.push({
      kind: 'not_tested',
      column: plan.name,
      severity: 'warning',
      message:
        plan.type === 'numeric'
          ? `Column '${plan.name}': the reference profile keeps neither its values nor a histogram, so it cannot be compared.`
          : `Column '${plan.name}' has too many distinct values to compare as categories (an id or free text?): not compared.`,
    });
    return null;
  }
  try {
    const { inputs, referenceDistinct, approximate, chartBins } = built;
    const { method, threshold } = chooseMethod(plan, inputs.n, referenceDistinct, options, findings);
    const result = await runMethod(method, inputs);
    const bins = await chartBins();
    const drifted = isDrifted(method, result.statistic, threshold);
    const confirm = drifted ? noiseTest(plan, method, options) : undefined;
    const test =
      options.tfdv && METHOD_INFO[method].kind === 'distance'
        ? companionTest(plan.type, built.referenceDistinct)
        : confirm;
    const column: ColumnDrift = {
      name: plan.name,
      type: plan.type,
      role: plan.role,
      method,
      statistic: result.statistic,
      p_value: result.p_value,
      test_statistic: result.test_statistic,
      threshold,
      drifted,
      path: approximate ? 'sketch' : 'exact',
      error_bound: approximate ? null : 0,
      reference: summary(refStats, referenceDistinct, bins.reference),
      current: summary(curStats, built.currentDistinct, bins.current),
    };
    if (sketchNote) column.note = sketchNote;
    if (test) {
      const r = await runMethod(test, inputs);
      // A test that cannot judge (one category: no degrees of freedom) leaves the distance's verdict.
      if (!confirm || Number.isFinite(r.p_value))
        column.test = { method: test, p_value: r.p_value!, statistic: r.test_statistic };
      if (confirm && Number.isFinite(r.p_value)) {
        const over =
          confirm === 'chi2'
            ? `the two-sample chi-square over ${referenceDistinct} reference categories`
            : 'the two-sample Kolmogorov–Smirnov test';
        applyNoiseRule(
          column,
          confirm,
          `${over} gives p = ${r.p_value!.toPrecision(3)}`,
          r.p_value!,
          inputs.n,
          inputs.m,
          findings,
        );
      }
    }
    if (approximate) {
      column.approximate = true;
      column.note = 'reference from a stored profile: compared on its histogram bins / top values';
      if (method === 'wasserstein' && built.binWidth !== undefined) {
        // Both sides are moved to the lower edge of their bin of the profile's histogram: each
        // value moves less than one width, the same way on both sides (binned.ts's argument with
        // the bin's edges as its extremes), so the distance is within one bin width of the exact one.
        column.error_bound = built.binWidth / Math.max(refStats.std ?? 0, WASSERSTEIN_STD_FLOOR);
        if (reachesThreshold(result.statistic, threshold, column.error_bound)) {
          findings.push({
            kind: 'profile_limit',
            column: plan.name,
            severity: 'warning',
            message: `Column '${plan.name}': the distance ${result.statistic.toPrecision(4)} from the profile's histogram is within its error bound ${column.error_bound.toPrecision(2)} of the threshold ${threshold}: the verdict could go either way; compare against the reference data for an exact answer.`,
          });
        }
      }
    }
    return column;
  } finally {
    await built.dispose();
  }
}

/**
 * The normed Wasserstein distance of a numeric column from the binned sketch of both datasets
 * (binned.ts), reported with `path: 'sketch'` and its error bound. Null when the column takes the
 * exact path (another method, a single value, few distinct reference values); a note when the
 * sketch's value is within its bound of the threshold, so only the exact value can give the
 * verdict: the caller then computes it exactly and keeps the note.
 */
async function sketchedWasserstein(
  db: Database,
  referenceCounts: SideCounts,
  current: SideCounts,
  plan: Planned,
  refStats: SideStats,
  curStats: SideStats,
  options: DetectOptions,
  findings: Finding[],
): Promise<{ column: ColumnDrift } | { note: string } | null> {
  if (!mayBeWasserstein(plan, refStats.present, options)) return null;
  if (refStats.min === null || refStats.max === null || curStats.min === null || curStats.max === null)
    return null;
  const lo = Math.min(refStats.min, curStats.min);
  const hi = Math.max(refStats.max, curStats.max);
  const pair = await binnedPair(
    db,
    referenceCounts.weightedSql(plan.name),
    current.weightedSql(plan.name),
    lo,
    hi,
  );
  if (!pair) return null;
  // Evidently's choice on a lower bound of the distinct reference values: above 5 it is the same
  // choice as on the exact count; at or below, the exact path counts them.
  const { method, threshold } = chooseMethod(
    plan,
    refStats.present,
    pair.referenceDistinctAtLeast,
    options,
    [],
  );
  if (method !== 'wasserstein') return null;
  const { statistic, bound } = normedBinnedWasserstein(
    pair,
    Math.max(refStats.std ?? 0, WASSERSTEIN_STD_FLOOR),
  );
  if (reachesThreshold(statistic, threshold, bound)) {
    return {
      note: `computed exactly: the sketch gave ${statistic.toPrecision(6)} ± ${bound.toPrecision(2)}, which reaches across the threshold ${threshold}`,
    };
  }
  const drifted = isDrifted(method, statistic, threshold);
  const confirm = drifted ? noiseTest(plan, method, options) : undefined;
  // The noise rule's KS from the same sketch: D within [lower, upper], so p within the p-values
  // of those two (the p-value falls as D grows, n and m fixed). When that interval reaches across
  // the test's threshold, only the exact D can decide: the exact path computes it.
  let ks: { p: number; d: number; outcome: string; n: number; m: number } | undefined;
  if (confirm === 'ks') {
    const d = binnedKs(pair);
    const high = ksPValue(d.n, d.m, d.lower).pValue;
    const low = d.upper === d.lower ? high : ksPValue(d.n, d.m, d.upper).pValue;
    const alpha = METHOD_INFO.ks.threshold;
    if (isDrifted('ks', high, alpha) !== isDrifted('ks', low, alpha)) {
      return {
        note: `computed exactly: the sketch's KS statistic lies in [${d.lower.toPrecision(4)}, ${d.upper.toPrecision(4)}], p in [${low.toPrecision(3)}, ${high.toPrecision(3)}], which reaches across ${alpha}`,
      };
    }
    // Reported: the bound on the verdict's side (p at most `high` when it rejects, at least `low` when not).
    const rejects = isDrifted('ks', high, alpha);
    const p = rejects ? high : low;
    const range =
      d.upper === d.lower
        ? ''
        : ` (sketch: D in [${d.lower.toPrecision(4)}, ${d.upper.toPrecision(4)}], p ${rejects ? 'at most' : 'at least'} this)`;
    ks = {
      p,
      d: rejects ? d.lower : d.upper,
      outcome: `the two-sample Kolmogorov–Smirnov test gives p = ${p.toPrecision(3)}${range}`,
      n: d.n,
      m: d.m,
    };
  }
  const bins = sketchChartBins(pair, lo, hi, refStats.present, curStats.present);
  const column: ColumnDrift = {
    name: plan.name,
    type: plan.type,
    role: plan.role,
    method,
    statistic,
    p_value: null,
    test_statistic: null,
    threshold,
    drifted,
    path: 'sketch',
    error_bound: bound,
    reference: summary(refStats, null, bins.reference),
    current: summary(curStats, null, bins.current),
  };
  if (ks) {
    column.test = { method: 'ks', p_value: ks.p, statistic: ks.d };
    applyNoiseRule(column, 'ks', ks.outcome, ks.p, ks.n, ks.m, findings);
  }
  return { column };
}

/**
 * The chart of a sketched column as the exact path draws it: each value when both sides hold at
 * most 10 (every sketch bin then holds one value), else 10 equal-width bins, sums of whole sketch
 * bins (a value within rounding of a chart edge may land in the neighbouring bar).
 */
function sketchChartBins(
  pair: BinnedPair,
  lo: number,
  hi: number,
  n: number,
  m: number,
): { reference: Bin[]; current: Bin[] } {
  let table: CountTable;
  const { lo: binLo, hi: binHi } = pair.bins;
  if (pair.index.length <= CHART_BINS && Array.from(binLo).every((x, i) => x === binHi[i])) {
    table = {
      labels: Array.from(binLo, (x) => String(x)),
      reference: Array.from(pair.bins.referenceCount),
      current: Array.from(pair.bins.currentCount),
    };
  } else {
    table = { labels: binLabels(equalWidthEdges(lo, hi, CHART_BINS)), ...coarseCounts(pair, CHART_BINS) };
  }
  return {
    reference: table.labels.map((label, i) => ({ label, share: shares(table.reference, n)[i] })),
    current: table.labels.map((label, i) => ({ label, share: shares(table.current, m)[i] })),
  };
}

/**
 * The noise rule's verdict on a drifted column once its test ran (`noiseTest`): kept drifted when
 * the test rejects at its own threshold (KS p <= 0.05, chi-square p < 0.05), else not drifted,
 * with a note and a `within_noise` finding. `outcome` says which test gave which p-value.
 */
function applyNoiseRule(
  column: ColumnDrift,
  test: DriftMethod,
  outcome: string,
  pValue: number,
  n: number,
  m: number,
  findings: Finding[],
): void {
  const alpha = METHOD_INFO[test].threshold;
  if (!withinNoise(test, pValue)) return;
  column.drifted = false;
  column.note = `distance ${column.statistic.toPrecision(4)} >= ${column.threshold}, but ${outcome} ${test === 'ks' ? '>' : '>='} ${alpha}: within the sampling noise of ${n} and ${m} values, so not drifted (name method ${column.method} to judge by the distance alone)`;
  findings.push({
    kind: 'within_noise',
    column: column.name,
    severity: 'info',
    message: `Column '${column.name}': ${column.note}.`,
  });
}

function summary(stats: SideStats, distinct: number | null, bins: Bin[]): SideSummary {
  const out: SideSummary = { rows: stats.rows, missing: stats.rows - stats.present, distinct, bins };
  if (stats.mean !== null || stats.std !== null) {
    Object.assign(out, { mean: stats.mean, std: stats.std, min: stats.min, max: stats.max });
  }
  return out;
}

interface BuiltInputs {
  inputs: ColumnInputs;
  /** The width of the stored profile's histogram bins the numeric sides were compared on. */
  binWidth?: number;
  referenceDistinct: number;
  currentDistinct: number | null;
  approximate: boolean;
  chartBins(): Promise<{ reference: Bin[]; current: Bin[] }>;
  dispose(): Promise<void>;
}

const shares = (counts: number[], total: number) => counts.map((c) => (total > 0 ? c / total : 0));

function binLabels(edges: number[]): string[] {
  const fmt = (x: number) => String(Number(x.toPrecision(4)));
  return edges.slice(0, -1).map((lo, i) => `${fmt(lo)}–${fmt(edges[i + 1])}`);
}

async function numericInputs(
  db: Database,
  reference: ReferenceSide,
  referenceCounts: SideCounts | undefined,
  current: SideCounts,
  plan: Planned,
  refStats: SideStats,
  index: number,
): Promise<BuiltInputs | null> {
  let refSql: string;
  let curSql = current.numericSql(plan.name);
  let approximate = false;
  let binWidth: number | undefined;
  if (referenceCounts) {
    refSql = referenceCounts.numericSql(plan.name);
  } else {
    const relation = profileNumericRelation(plan.profile!);
    if (!relation) return null;
    refSql = relation.sql;
    if (!relation.exact) {
      approximate = true;
      binWidth = 2 ** relation.widthLog2;
      curSql = current.binnedSql(plan.name, relation.widthLog2);
    }
  }
  const ecdf = await MergedEcdf.build(db, `drift_ecdf_${index}`, refSql, curSql);
  const totals = await ecdf.totals();
  const { n, m } = totals;
  const equalWidth = async (bins: number): Promise<CountTable> => {
    const edges = equalWidthEdges(totals.min!, totals.max!, bins);
    const counts = await ecdf.binCounts(edges.slice(1, -1));
    return { labels: binLabels(edges), reference: counts.reference, current: counts.current };
  };
  const inputs: ColumnInputs = {
    type: 'numeric',
    n,
    m,
    ksStatistic: () => ecdf.ksStatistic(),
    wasserstein: () => ecdf.wasserstein(),
    referenceStd: async () => refStats.std ?? 0,
    psiCounts: async () => {
      const ranks = quantileRanks(n, PSI_QUANTILES);
      const order = await ecdf.referenceOrderStatistics(ranks);
      const edges = PSI_QUANTILES.map((q) => numpyQuantile(n, q, (rank) => order.get(rank)!));
      return ecdf.binCounts(edges);
    },
    binnedForDivergence: () =>
      totals.referenceDistinct > DIVERGENCE_CATEGORY_MAX_DISTINCT
        ? equalWidth(DIVERGENCE_BINS)
        : ecdf.categories(),
    categories: () => ecdf.categories(),
  };
  return {
    inputs,
    referenceDistinct: reference.kind === 'profile' ? plan.profile!.distinct : totals.referenceDistinct,
    currentDistinct: approximate ? null : totals.currentDistinct,
    approximate,
    binWidth,
    chartBins: async () => {
      const table =
        totals.unionDistinct <= CHART_BINS ? await ecdf.categories() : await equalWidth(CHART_BINS);
      return {
        reference: table.labels.map((label, i) => ({ label, share: shares(table.reference, n)[i] })),
        current: table.labels.map((label, i) => ({ label, share: shares(table.current, m)[i] })),
      };
    },
    dispose: () => ecdf.drop(),
  };
}

async function categoricalInputs(
  db: Database,
  reference: ReferenceSide,
  referenceCounts: SideCounts | undefined,
  current: SideCounts,
  plan: Planned,
  refStats: SideStats,
): Promise<BuiltInputs | null> {
  let refSql: string;
  const bound = new BoundValues();
  let approximate = false;
  let otherLabel: string | undefined;
  if (referenceCounts) {
    refSql = referenceCounts.categorySql(plan.name);
  } else {
    const profile = plan.profile!;
    const pairs = profile.top_values.map((t) => ({ value: String(t.value), count: t.count }));
    if (!profile.top_values_complete) {
      // Only the top values are known: the rest of the reference becomes one "(other)" bucket,
      // and current values outside the top list are folded into it below.
      approximate = true;
      otherLabel = '(other)';
      const listed = pairs.reduce((s, p) => s + p.count, 0);
      pairs.push({ value: otherLabel, count: Math.max(0, refStats.present - listed) });
    }
    refSql = literalCategoryCountsSql(pairs, bound);
  }
  let table = await categoryCounts(db, refSql, current.categorySql(plan.name), bound.values);
  if (!table) return null;
  if (otherLabel !== undefined) table = foldUnknown(table, otherLabel);
  const counts = table;
  const n = counts.reference.reduce((s, c) => s + c, 0);
  const m = counts.current.reduce((s, c) => s + c, 0);
  const notNumeric = async (): Promise<never> => {
    throw new UserError(`Column '${plan.name}' is categorical: KS, Wasserstein and PSI need numbers.`, {
      input: 'method',
    });
  };
  const referenceDistinct = counts.reference.filter((c) => c > 0).length;
  return {
    inputs: {
      type: 'categorical',
      n,
      m,
      ksStatistic: notNumeric,
      wasserstein: notNumeric,
      referenceStd: notNumeric,
      psiCounts: notNumeric,
      binnedForDivergence: async () => counts,
      categories: async () => counts,
    },
    referenceDistinct: reference.kind === 'profile' ? plan.profile!.distinct : referenceDistinct,
    currentDistinct: counts.current.filter((c) => c > 0).length,
    approximate,
    chartBins: async () => topCategoryBins(counts, n, m),
    dispose: async () => {},
  };
}

/** Current categories the reference profile did not list are counted in its "(other)" bucket. */
function foldUnknown(table: CountTable, otherLabel: string): CountTable {
  const out: CountTable = { labels: [], reference: [], current: [] };
  let otherCurrent = 0;
  let otherReference = 0;
  table.labels.forEach((label, i) => {
    if (label === otherLabel || table.reference[i] === 0) {
      otherCurrent += table.current[i];
      otherReference += table.reference[i];
    } else {
      out.labels.push(label);
      out.reference.push(table.reference[i]);
      out.current.push(table.current[i]);
    }
  });
  out.labels.push(otherLabel);
  out.reference.push(otherReference);
  out.current.push(otherCurrent);
  return out;
}

function topCategoryBins(table: CountTable, n: number, m: number): { reference: Bin[]; current: Bin[] } {
  const order = table.labels
    .map((_, i) => i)
    .sort((a, b) => table.reference[b] + table.current[b] - (table.reference[a] + table.current[a]));
  const top = order.slice(0, CHART_CATEGORIES);
  const rest = order.slice(CHART_CATEGORIES);
  const bins = (counts: number[], total: number): Bin[] => {
    const out: Bin[] = top.map((i) => ({ label: table.labels[i], share: total > 0 ? counts[i] / total : 0 }));
    if (rest.length > 0) {
      const other = rest.reduce((s, i) => s + counts[i], 0);
      out.push({ label: `(${rest.length} more)`, share: total > 0 ? other / total : 0, other: true });
    }
    return out;
  };
  return { reference: bins(table.reference, n), current: bins(table.current, m) };
}

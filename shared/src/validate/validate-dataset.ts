import { isNumericPhysical, type PhysicalKind, physicalKind } from '../data/column-kind.js';
import { BoundValues, type Database, sqlNumber as num, quoteIdent, quoteLiteral } from '../data/database.js';
import type { Dataset } from '../data/open-dataset.js';
import { countValues, type ValueCounts } from '../data/value-counts.js';
import { UserError } from '../errors/index.js';
import {
  beyondNoise,
  boundSeverity,
  exceedsShare,
  expectedOutsideShare,
  FAR_WIDTHS,
  farDistance,
  formatPValue,
  isSignificant,
  rangeTestPValue,
  rateTestPValue,
  TEST_ALPHA,
} from './sample-bounds.js';
import type { ColumnRules, DataSchema, SchemaLocations, SchemaValue, Severity } from './schema.js';

export const ANOMALY_KINDS = [
  'missing_column',
  'new_column',
  'wrong_type',
  'too_many_nulls',
  'out_of_range',
  'unexpected_value',
  'not_unique',
  'regex_mismatch',
  'row_count',
  'nan_or_inf',
  'skew',
  'drift',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export type ExampleValue = string | number | boolean | null;

export interface Anomaly {
  kind: AnomalyKind;
  /** null for table-level anomalies (row_count). */
  column: string | null;
  severity: Severity;
  expected: string;
  found: string;
  /** Offending rows (or values, for new/missing columns: 0; for skew/drift: the current values compared). */
  count: number;
  /** What `count` is out of (rows or non-null values), where the check is a rate. */
  of?: number;
  /**
   * The limit the count was judged against: the largest tolerated share (nulls, new categories),
   * the share of values expected outside an inferred range, or the distance threshold (skew, drift).
   */
  bound?: number;
  /**
   * How likely a count this high (or a distance this large) is by chance when the data still
   * follows the schema or the reference; null where the rule is a hard limit and nothing is tested.
   */
  p_value?: number | null;
  /** skew/drift: the distance (L-infinity or Jensen–Shannon divergence) to the reference. */
  statistic?: number;
  examples: ExampleValue[];
  /** One sentence for logs and annotations. */
  message: string;
  /** The schema.yaml line of the rule that was broken, when the schema came from a file. */
  rule: { file: string; line: number } | null;
}

export interface ValidateOptions {
  locations?: SchemaLocations;
  /** Example values kept per anomaly. */
  maxExamples?: number;
  /** The dataset's value counts, when the caller has taken them (else they are taken here). */
  counts?: ValueCounts;
  /**
   * Told of a batch above an inferred null bound by no more than its own sampling noise (not an
   * anomaly; see `beyondNoise`), with the sentence to say.
   */
  onWithinNoise?: (message: string) => void;
}

const MAX_EXAMPLE_LENGTH = 100;

interface Check {
  rules: ColumnRules;
  /** SQL of the raw value: `v` of the column's value counts. */
  col: string;
  physical: PhysicalKind;
  actualType: string;
  /** SQL of the value converted to the schema's type (TRY_CAST when the file's type differs). */
  value: string;
  /** SQL true for a non-null value that did not convert. */
  unconverted?: string;
}

/**
 * Checks a dataset against a schema and returns its anomalies: errors first, then by column
 * order. Every rule is a weighted aggregate over the column's value counts (value-counts.ts), so
 * a check costs one query per column over its distinct values (plus one small query per anomaly
 * that needs example values), never a scan of the rows.
 */
export async function validateDataset(
  db: Database,
  dataset: Dataset,
  schema: DataSchema,
  options: ValidateOptions = {},
): Promise<Anomaly[]> {
  const maxExamples = options.maxExamples ?? 5;
  const anomalies: Anomaly[] = [];
  const loc = options.locations;
  const ruleAt = (column: string | null, key: string): Anomaly['rule'] => {
    if (!loc) return null;
    const line =
      column === null
        ? (loc.table as Record<string, number | undefined>)[key]
        : (loc.columns[column]?.[key as '_'] ?? loc.columns[column]?._);
    return line === undefined ? null : { file: loc.file, line };
  };
  const add: AddAnomaly = Object.assign(
    (a: Omit<Anomaly, 'rule' | 'severity'> & { severity: Severity; key: string; rules?: ColumnRules }) => {
      const { key, rules, ...rest } = a;
      anomalies.push({ ...rest, severity: rules?.severity ?? rest.severity, rule: ruleAt(a.column, key) });
    },
    { withinNoise: options.onWithinNoise },
  );

  // Table.
  const { min_rows, max_rows } = schema.table;
  if (
    (min_rows !== undefined && dataset.rows < min_rows) ||
    (max_rows !== undefined && dataset.rows > max_rows)
  ) {
    const expected =
      min_rows !== undefined && max_rows !== undefined
        ? `between ${min_rows} and ${max_rows} rows`
        : min_rows !== undefined
          ? `at least ${min_rows} rows`
          : `at most ${max_rows} rows`;
    add({
      kind: 'row_count',
      column: null,
      severity: 'error',
      expected,
      found: `${dataset.rows} rows`,
      count: dataset.rows,
      examples: [],
      message: `The dataset has ${dataset.rows} rows; expected ${expected}.`,
      key: min_rows !== undefined && dataset.rows < min_rows ? 'min_rows' : 'max_rows',
    });
  }

  // Column set.
  const actual = new Map(dataset.columns.map((c) => [c.name, c.type]));
  const listed = new Set(schema.columns.map((c) => c.name));
  const checks: Check[] = [];
  for (const rules of schema.columns) {
    const type = actual.get(rules.name);
    if (type === undefined) {
      if (rules.required) {
        add({
          kind: 'missing_column',
          column: rules.name,
          severity: 'error',
          expected: 'column present',
          found: 'absent',
          count: 0,
          examples: [],
          message: `Column '${rules.name}' is required by the schema but missing from the data.`,
          key: 'required',
          rules,
        });
      }
      continue;
    }
    checks.push(planCheck(rules, type));
  }
  if (schema.table.extra_columns !== 'ignore') {
    for (const c of dataset.columns) {
      if (listed.has(c.name)) continue;
      anomalies.push({
        kind: 'new_column',
        column: c.name,
        severity: schema.table.extra_columns,
        expected: 'only the columns listed in the schema',
        found: `new column (${c.type})`,
        count: 0,
        examples: [],
        message: `Column '${c.name}' (${c.type}) is not in the schema.`,
        rule: loc?.table.extra_columns
          ? { file: loc.file, line: loc.table.extra_columns }
          : loc?.root.columns
            ? { file: loc.file, line: loc.root.columns }
            : null,
      });
    }
  }
  await checkRegexes(db, checks, loc);

  const owned = options.counts
    ? undefined
    : await countValues(
        db,
        dataset.view,
        checks.map((c) => c.rules.name),
        `${dataset.view}__validate`,
      );
  const counts = options.counts ?? owned!;
  try {
    await checkColumns(db, counts, checks, maxExamples, add, dataset.view);
  } finally {
    await owned?.drop();
  }

  const order = new Map(dataset.columns.map((c, i) => [c.name, i]));
  return anomalies
    .map((anomaly, index) => ({ anomaly, index }))
    .sort(
      (x, y) =>
        (x.anomaly.severity === 'error' ? 0 : 1) - (y.anomaly.severity === 'error' ? 0 : 1) ||
        (order.get(x.anomaly.column ?? '') ?? -1) - (order.get(y.anomaly.column ?? '') ?? -1) ||
        x.index - y.index,
    )
    .map((entry) => entry.anomaly);
}

type AddAnomaly = ((
  a: Omit<Anomaly, 'rule' | 'severity'> & { severity: Severity; key: string; rules?: ColumnRules },
) => void) & {
  /** `ValidateOptions.onWithinNoise`. */
  withinNoise?: (message: string) => void;
};

/**
 * The column rules, one query per column over its value counts `(v, n)`. Columns served as raw
 * rows of one relation (value-counts' `raw`) are judged together, in one scan of that relation:
 * the same aggregates, each row weighing 1.
 */
async function checkColumns(
  db: Database,
  counts: ValueCounts,
  checks: Check[],
  maxExamples: number,
  add: AddAnomaly,
  dataView: string,
): Promise<void> {
  const rows = counts.rows;
  const rawSource = counts.rawSource;
  const raw = rawSource ? checks.filter((c) => !counts.grouped(c.rules.name)) : [];
  const rawCounts = new Map<Check, Record<string, unknown>>();
  for (let start = 0; start < raw.length; start += RAW_COLUMNS_PER_QUERY) {
    const part = raw.slice(start, start + RAW_COLUMNS_PER_QUERY);
    const bound = new BoundValues();
    const items = part.flatMap(
      (c, i) =>
        ruleAggregates(planCheck(c.rules, c.actualType, quoteIdent(c.rules.name)), maxExamples, bound, {
          raw: true,
          prefix: `c${i}_`,
        }).counts,
    );
    const [row] = await db.all(`SELECT ${items.join(', ')} FROM ${rawSource}`, bound.values);
    part.forEach((c, i) => {
      const prefix = `c${i}_`;
      const own: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row!))
        if (key.startsWith(prefix)) own[key.slice(prefix.length)] = value;
      rawCounts.set(c, own);
    });
  }
  for (const c of checks) {
    const from = `${counts.relation(c.rules.name)} AS t`;
    let a = rawCounts.get(c);
    // A column with anomalies to illustrate is judged again on its own, examples included (its
    // counts come out the same).
    if (!a || needsExamples(a)) {
      const bound = new BoundValues();
      const { counts: items, examples } = ruleAggregates(c, maxExamples, bound);
      a = (await db.all(`SELECT ${[...items, ...examples].join(', ')} FROM ${from}`, bound.values))[0]!;
    }
    await reportColumn(db, from, c, a, rows, maxExamples, add, dataView);
  }
}

/** Raw columns judged in one query, at most (each brings a dozen aggregates). */
const RAW_COLUMNS_PER_QUERY = 64;

/**
 * The aggregates that judge a column's rules: weighted by `n`, as counts over its rows would be.
 * Example values are DISTINCT so that they are the same over a column's raw rows (value-counts'
 * `raw`) as over its grouped values. `over.raw`: the column itself is read, each row weighing 1
 * (raw columns judged together in `checkColumns`, their names prefixed with `over.prefix`); the
 * counts are then `count_if` and the extremes conditional `min`/`max`, which DuckDB runs several
 * times faster than a FILTER clause (300,000 x 50 columns: 0.7-1.4 s against 6-13 s). `examples`
 * are only needed when a count they illustrate is above zero (`needsExamples`).
 */
function ruleAggregates(
  c: Check,
  maxExamples: number,
  bound: BoundValues,
  over: { raw: boolean; prefix: string } = { raw: false, prefix: '' },
): { counts: string[]; examples: string[] } {
  const r = c.rules;
  const as = (name: string) => `AS "${over.prefix}${name}"`;
  const count = (condition: string, name: string) =>
    over.raw ? `count_if(${condition}) ${as(name)}` : `sum(n) FILTER (WHERE ${condition}) ${as(name)}`;
  const extreme = (fn: 'min' | 'max', x: string, condition: string, name: string) =>
    over.raw
      ? `${fn}(CASE WHEN ${condition} THEN ${x} END) ${as(name)}`
      : `${fn}(${x}) FILTER (WHERE ${condition}) ${as(name)}`;
  const counts: string[] = [count(`${c.col} IS NOT NULL`, 'nn')];
  const examples: string[] = [];
  if (c.unconverted) {
    counts.push(count(c.unconverted, 'bad'));
    examples.push(
      `min(DISTINCT CAST(${c.col} AS VARCHAR), ${maxExamples}) FILTER (WHERE ${c.unconverted}) ${as('badx')}`,
    );
  }
  const range = rangeCondition(c, bound);
  if (range) {
    counts.push(
      count(range, 'oor'),
      extreme('min', c.value, range, 'oormin'),
      extreme('max', c.value, range, 'oormax'),
    );
    examples.push(
      `min(DISTINCT ${c.value}, ${maxExamples}) FILTER (WHERE ${range}) ${as('oorlo')}`,
      `max(DISTINCT ${c.value}, ${maxExamples}) FILTER (WHERE ${range}) ${as('oorhi')}`,
    );
  }
  if (r.type === 'numeric' && !r.allow_nan_or_inf && (c.physical === 'float' || c.unconverted)) {
    counts.push(
      count(`isnan(${c.value})`, 'nan'),
      count(`isinf(${c.value}) AND ${c.value} > 0`, 'pinf'),
      count(`isinf(${c.value}) AND ${c.value} < 0`, 'ninf'),
    );
  }
  const domain = domainCondition(c, bound);
  if (domain) counts.push(count(domain, 'dom'));
  if (r.unique)
    counts.push(`count(DISTINCT ${c.value}) ${as('dist')}`, count(`${c.value} IS NOT NULL`, 'nnv'));
  if (r.regex !== undefined) {
    const miss = regexCondition(c);
    counts.push(count(miss, 'rx'));
    examples.push(
      `min(DISTINCT CAST(${c.col} AS VARCHAR), ${maxExamples}) FILTER (WHERE ${miss}) ${as('rxx')}`,
    );
  }
  return { counts, examples };
}

/**
 * The first value of a column that does not convert to its schema type, with its 1-based data row
 * (the row as evaluate counts it: the data's own order, header not counted), so the message points
 * at the line to fix. `c.unconverted` reads the value as `v`.
 */
async function firstUnconverted(
  db: Database,
  dataView: string,
  c: Check,
): Promise<{ value: string; row: number } | null> {
  const [hit] = await db.all<{ row: number | bigint; value: string }>(
    `SELECT "row", CAST(v AS VARCHAR) AS "value" FROM (SELECT row_number() OVER () AS "row", ${quoteIdent(c.rules.name)} AS v FROM ${quoteIdent(dataView)}) WHERE ${c.unconverted} ORDER BY "row" LIMIT 1`,
  );
  return hit ? { value: hit.value, row: Number(hit.row) } : null;
}

/** Whether a column's counts `a` show anomalies whose example values `reportColumn` lists. */
function needsExamples(a: Record<string, unknown>): boolean {
  return num(a.bad ?? 0) > 0 || num(a.oor ?? 0) > 0 || num(a.rx ?? 0) > 0;
}

/** Turns one column's rule aggregates `a` into anomalies, with example values where they need a query. */
async function reportColumn(
  db: Database,
  from: string,
  c: Check,
  a: Record<string, unknown>,
  rows: number,
  maxExamples: number,
  add: AddAnomaly,
  dataView: string,
): Promise<void> {
  const r = c.rules;
  const nonNull = num(a.nn);
  const name = r.name;

  if (c.unconverted !== undefined || !sameFamily(r.type, c.physical)) {
    const bad = num(a.bad ?? 0);
    const first = bad > 0 ? await firstUnconverted(db, dataView, c) : null;
    const where = first ? `, the first ${JSON.stringify(first.value)} at data row ${first.row}` : '';
    add({
      kind: 'wrong_type',
      column: name,
      severity: bad > 0 ? 'error' : 'warning',
      expected: r.type,
      found:
        bad > 0
          ? `${c.actualType} (${plural(bad, 'value')} not ${r.type})`
          : `${c.actualType} (all values convert)`,
      count: bad,
      examples: examples(a.badx, maxExamples),
      message:
        bad > 0
          ? `Column '${name}' should be ${r.type} but is ${c.actualType}: ${plural(bad, 'value')} not ${r.type}${where}.`
          : `Column '${name}' should be ${r.type} but is ${c.actualType}; its values convert, so the other checks ran on them.`,
      key: 'type',
      rules: r,
    });
  }

  const nulls = rows - nonNull;
  // An inferred bound is tested (sample-bounds.ts); a hand-written one is a hard limit.
  const nullP =
    r.max_null_fraction !== undefined && r.inferred_from && exceedsShare(nulls, rows, r.max_null_fraction)
      ? rateTestPValue(nulls, rows, r.max_null_fraction)
      : null;
  if (nullP !== null && !beyondNoise(nullP)) {
    // A random holdout is above the training sample's bound about one time in eight (trial3):
    // said, not an anomaly, so that `fail-on: warning` does not gate on noise.
    add.withinNoise?.(
      `Column '${name}' has ${nulls} nulls in ${rows} rows (${fraction(nulls / rows)}), above the ${r.max_null_fraction} inferred from ${r.inferred_from!.rows} rows but within this batch's sampling noise (p = ${formatPValue(nullP)}): not an anomaly.`,
    );
  } else if (r.max_null_fraction !== undefined && exceedsShare(nulls, rows, r.max_null_fraction)) {
    const p = nullP;
    add({
      kind: 'too_many_nulls',
      column: name,
      severity: boundSeverity(p),
      expected: `null fraction <= ${r.max_null_fraction}${p === null ? '' : ` (inferred from ${r.inferred_from!.rows} rows)`}`,
      found: `${fraction(nulls / rows)} (${nulls} of ${rows} rows)${p === null ? '' : `, p = ${formatPValue(p)}`}`,
      count: nulls,
      of: rows,
      bound: r.max_null_fraction,
      p_value: p,
      examples: [],
      message:
        p === null
          ? `Column '${name}' has ${nulls} nulls in ${rows} rows (${fraction(nulls / rows)}); the schema allows ${r.max_null_fraction}.`
          : `Column '${name}' has ${nulls} nulls in ${rows} rows (${fraction(nulls / rows)}), above the ${r.max_null_fraction} inferred from ${r.inferred_from!.rows} rows; ${significantText(p)}.`,
      key: 'max_null_fraction',
      rules: r,
    });
  }

  const outOfRange = num(a.oor ?? 0);
  if (outOfRange > 0) {
    const bounds = `[${r.min ?? '-inf'}, ${r.max ?? 'inf'}]`;
    const lo = a.oormin;
    const hi = a.oormax;
    const below = r.min !== undefined && lo !== null && lo !== undefined && compare(lo, r.min) < 0;
    const found = `${plural(outOfRange, 'value')} outside, from ${display(lo)} to ${display(hi)}`;
    const tested = rangeTest(r, outOfRange, nonNull, lo, hi);
    // An inferred training period is not a limit on new data (it is usually newer): it says where
    // a model's date features extrapolate. A hand-written datetime range stays a hard limit.
    const period = r.type === 'datetime' && r.inferred_from !== undefined;
    add({
      kind: 'out_of_range',
      column: name,
      severity: period || (tested && !tested.far && !isSignificant(tested.p)) ? 'warning' : 'error',
      expected: `within ${bounds}${tested ? ` (inferred from ${r.inferred_from!.values} values)` : ''}`,
      found: tested ? `${found}; ${tested.why}` : found,
      count: outOfRange,
      of: nonNull,
      ...(tested ? { bound: tested.share, p_value: tested.p } : { p_value: null }),
      examples: mixExamples(a.oorlo, a.oorhi, maxExamples),
      message: `Column '${name}' has ${plural(outOfRange, 'value')} outside ${bounds} (from ${display(lo)} to ${display(hi)})${tested ? `; ${tested.why}` : ''}${period ? `: ${PERIOD_WARNING}` : ''}.`,
      key: below ? 'min' : 'max',
      rules: r,
    });
  }

  const nan = num(a.nan ?? 0);
  const pinf = num(a.pinf ?? 0);
  const ninf = num(a.ninf ?? 0);
  if (nan + pinf + ninf > 0) {
    const parts = [nan && `${nan} NaN`, pinf && `${pinf} +inf`, ninf && `${ninf} -inf`]
      .filter(Boolean)
      .join(', ');
    add({
      kind: 'nan_or_inf',
      column: name,
      severity: 'error',
      expected: 'finite numbers',
      found: parts,
      count: nan + pinf + ninf,
      examples: [...(nan ? ['NaN'] : []), ...(pinf ? ['inf'] : []), ...(ninf ? ['-inf'] : [])],
      message: `Column '${name}' holds ${parts}; the schema does not allow NaN or infinities.`,
      key: 'allow_nan_or_inf',
      rules: r,
    });
  }

  const unexpected = num(a.dom ?? 0);
  const tolerated = r.max_new_category_fraction ?? 0;
  // An inferred domain reports every new value, and fails only on a share significantly above its
  // tolerated share (sample-bounds.ts); a hand-written one fails above its tolerated share.
  const p = r.inferred_from && unexpected > 0 ? rateTestPValue(unexpected, nonNull, tolerated) : null;
  if (unexpected > 0 && nonNull > 0 && (p !== null || exceedsShare(unexpected, nonNull, tolerated))) {
    const bound = new BoundValues();
    const outside = domainCondition(c, bound);
    const top = await db.all<{ v: unknown; n: unknown }>(
      `SELECT CAST(${c.value} AS VARCHAR) AS v, sum(n) AS n FROM ${from} WHERE ${outside} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${maxExamples}`,
      bound.values,
    );
    const distinct = num(
      (
        await db.all<{ d: unknown }>(
          `SELECT count(DISTINCT ${c.value}) AS d FROM ${from} WHERE ${outside}`,
          bound.values,
        )
      )[0]!.d,
    );
    const share = `${plural(distinct, 'new value')} in ${plural(unexpected, 'row')} (${fraction(unexpected / nonNull)})`;
    add({
      kind: 'unexpected_value',
      column: name,
      severity: boundSeverity(p),
      expected: `one of ${r.allowed_values!.length} allowed values${tolerated > 0 ? ` (new values up to ${tolerated})` : ''}`,
      found: p === null ? share : `${share}, p = ${formatPValue(p)}`,
      count: unexpected,
      of: nonNull,
      bound: tolerated,
      p_value: p,
      examples: top.map((t) => clip(t.v)),
      message: `Column '${name}' has ${plural(distinct, 'value')} not in allowed_values, in ${plural(unexpected, 'row')} (${fraction(unexpected / nonNull)}), e.g. ${top
        .slice(0, 3)
        .map((t) => `'${clip(t.v)}'`)
        .join(
          ', ',
        )}${p === null ? '' : `; new values may take up to ${tolerated} (inferred from ${r.inferred_from!.values} values): ${significantText(p)}`}.`,
      key: 'allowed_values',
      rules: r,
    });
  }

  if (r.unique) {
    const repeated = num(a.nnv) - num(a.dist);
    if (repeated > 0) {
      const dups = await db.all<{ v: unknown; n: unknown }>(
        `SELECT CAST(${c.value} AS VARCHAR) AS v, sum(n) AS n FROM ${from} WHERE ${c.value} IS NOT NULL GROUP BY 1 HAVING sum(n) > 1 ORDER BY 2 DESC, 1 LIMIT ${maxExamples}`,
      );
      add({
        kind: 'not_unique',
        column: name,
        severity: 'error',
        expected: 'unique values',
        found: `${plural(repeated, 'row')} repeat${repeated === 1 ? 's' : ''} a value`,
        count: repeated,
        examples: dups.map((d) => clip(d.v)),
        message: `Column '${name}' should be unique but ${plural(repeated, 'row')} repeat${repeated === 1 ? 's' : ''} an earlier value, e.g. ${dups
          .slice(0, 3)
          .map((d) => `'${clip(d.v)}' (${num(d.n)}x)`)
          .join(', ')}.`,
        key: 'unique',
        rules: r,
      });
    }
  }

  const mismatched = num(a.rx ?? 0);
  if (mismatched > 0) {
    add({
      kind: 'regex_mismatch',
      column: name,
      severity: 'error',
      expected: `matches ${r.regex}`,
      found: `${plural(mismatched, 'value')} not matching`,
      count: mismatched,
      examples: examples(a.rxx, maxExamples),
      message: `Column '${name}' has ${plural(mismatched, 'value')} that do${mismatched === 1 ? 'es' : ''} not match ${r.regex}.`,
      key: 'regex',
      rules: r,
    });
  }
}

/** Why a date outside an inferred training period is a warning. */
const PERIOD_WARNING =
  'dates outside the training period, where a model that uses this column as a feature extrapolates its date parts; a warning, since new data is usually newer';

/** "significant (p = …)" or "not significant (p = …), so a warning", at TEST_ALPHA. */
function significantText(p: number): string {
  return isSignificant(p)
    ? `significant (p = ${formatPValue(p)} < ${TEST_ALPHA})`
    : `not significant (p = ${formatPValue(p)} >= ${TEST_ALPHA}), so a warning`;
}

/**
 * An inferred numeric range, tested: the count outside against the share of new values expected
 * outside the extremes of the sample it came from, and whether any value is far outside.
 * Undefined for hand-written and datetime ranges (hard limits).
 */
function rangeTest(
  r: ColumnRules,
  outside: number,
  values: number,
  lowest: unknown,
  highest: unknown,
): { p: number; share: number; far: boolean; why: string } | undefined {
  if (!r.inferred_from || r.type !== 'numeric') return undefined;
  const n = r.inferred_from.values;
  const share = expectedOutsideShare(n);
  const p = rangeTestPValue(outside, values, n);
  const min = typeof r.min === 'number' ? r.min : undefined;
  const max = typeof r.max === 'number' ? r.max : undefined;
  let far = false;
  if (min !== undefined && max !== undefined) {
    const distance = farDistance(min, max);
    far =
      (lowest !== null && lowest !== undefined && num(lowest) < min - distance) ||
      (highest !== null && highest !== undefined && num(highest) > max + distance);
  }
  const expected = `about ${fraction(share)} of values fall outside by chance`;
  const why = far
    ? `a value lies more than ${FAR_WIDTHS}x the range's width (max - min) beyond it, far outside (${expected})`
    : `${expected}: ${significantText(p)}`;
  return { p, share, far, why };
}

function sameFamily(expected: ColumnRules['type'], physical: PhysicalKind): boolean {
  switch (expected) {
    case 'numeric':
      return isNumericPhysical(physical);
    case 'categorical':
    case 'string':
      return physical === 'text' || physical === 'other';
    case 'boolean':
      return physical === 'boolean';
    case 'datetime':
      return physical === 'datetime';
  }
}

/**
 * The SQL value of a column in the schema's type: TRY_CAST where the file holds another type.
 * `col`: the SQL of the raw value (`v` of the column's value counts, or the column itself).
 */
function planCheck(rules: ColumnRules, actualType: string, col = 'v'): Check {
  const physical = physicalKind(actualType);
  const check: Check = { rules, col, physical, actualType, value: col };
  if (sameFamily(rules.type, physical)) return check;
  const target = {
    numeric: 'DOUBLE',
    boolean: 'BOOLEAN',
    datetime: 'TIMESTAMP',
    categorical: 'VARCHAR',
    string: 'VARCHAR',
  }[rules.type];
  check.value = `TRY_CAST(${col} AS ${target})`;
  if (target !== 'VARCHAR') check.unconverted = `${col} IS NOT NULL AND ${check.value} IS NULL`;
  return check;
}

/** Data values (bounds, allowed values) are bound to `bound`'s parameters, never spelled in SQL. */
function rangeCondition(c: Check, bound: BoundValues): string | undefined {
  const { min, max, type } = c.rules;
  if (min === undefined && max === undefined) return undefined;
  const limit = (v: number | string) =>
    type === 'datetime'
      ? `CAST(CAST(${bound.add(String(v))} AS VARCHAR) AS TIMESTAMP)`
      : `CAST(${Number(v)} AS DOUBLE)`;
  const value = type === 'datetime' ? `CAST(${c.value} AS TIMESTAMP)` : c.value;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${value} < ${limit(min)}`);
  if (max !== undefined) parts.push(`${value} > ${limit(max)}`);
  // NaN and infinities are the nan_or_inf check's business (DuckDB orders NaN above every number).
  const finite = type === 'numeric' ? `isfinite(${value}) AND ` : '';
  return `(${finite}(${parts.join(' OR ')}))`;
}

function domainCondition(c: Check, bound: BoundValues): string | undefined {
  const values = c.rules.allowed_values;
  if (values === undefined) return undefined;
  if (values.length === 0) return `${c.value} IS NOT NULL`;
  const literal = (v: SchemaValue) => {
    if (c.rules.type === 'numeric') return `CAST(${Number(v)} AS DOUBLE)`;
    if (c.rules.type === 'boolean') return v === true || v === 'true' ? 'true' : 'false';
    return `CAST(${bound.add(String(v))} AS VARCHAR)`;
  };
  const value =
    c.rules.type === 'numeric' || c.rules.type === 'boolean' ? c.value : `CAST(${c.value} AS VARCHAR)`;
  return `(${value} IS NOT NULL AND ${value} NOT IN (${values.map(literal).join(', ')}))`;
}

function regexCondition(c: Check): string {
  return `(${c.col} IS NOT NULL AND NOT regexp_full_match(CAST(${c.col} AS VARCHAR), ${quoteLiteral(c.rules.regex!)}))`;
}

/** DuckDB uses RE2, which rejects some patterns JS accepts (lookaround, backreferences): say so at the rule's line. */
async function checkRegexes(db: Database, checks: Check[], loc: SchemaLocations | undefined): Promise<void> {
  for (const c of checks) {
    if (c.rules.regex === undefined) continue;
    try {
      await db.all(`SELECT regexp_full_match('', ${quoteLiteral(c.rules.regex)})`);
    } catch (error) {
      const line = loc?.columns[c.rules.name]?.regex;
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new UserError(
        `${loc ? `${loc.file}${line ? `:${line}` : ''}: ` : ''}regex of column '${c.rules.name}' is not a valid RE2 pattern: ${reason}`,
        { file: loc?.file, line, input: 'schema' },
      );
    }
  }
}

function clip(value: unknown): ExampleValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  const text = value instanceof Date ? value.toISOString() : String(value);
  return text.length > MAX_EXAMPLE_LENGTH ? `${text.slice(0, MAX_EXAMPLE_LENGTH)}…` : text;
}

function examples(list: unknown, max: number): ExampleValue[] {
  return Array.isArray(list) ? list.slice(0, max).map(clip) : [];
}

/** The most extreme offenders from both ends. */
function mixExamples(low: unknown, high: unknown, max: number): ExampleValue[] {
  const lo = examples(low, max);
  const hi = examples(high, max);
  const out: ExampleValue[] = [];
  for (let i = 0; out.length < max && (i < lo.length || i < hi.length); i++) {
    if (i < lo.length && !out.includes(lo[i]!)) out.push(lo[i]!);
    if (i < hi.length && out.length < max && !out.includes(hi[i]!)) out.push(hi[i]!);
  }
  return out;
}

function compare(a: unknown, b: number | string): number {
  if (typeof b === 'number') return num(a) - b;
  return Date.parse(String(a)) - Date.parse(b);
}

function display(value: unknown): string {
  const v = clip(value);
  return v === null ? 'null' : String(v);
}

/** '1 value', '3 values' (the plural takes an s). */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function fraction(x: number): string {
  return x === 0 ? '0' : x < 0.001 ? x.toExponential(1) : `${Number((x * 100).toFixed(2))}%`;
}

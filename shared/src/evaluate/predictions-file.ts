import { type Database, quoteIdent } from '../data/database.js';
import type { Dataset } from '../data/open-dataset.js';
import { UserError } from '../errors/index.js';
import { argmaxRows, checkFinite, checkProbabilities, type EvaluationInput, encodeLabels } from './input.js';
import { labelSql, sortLabels } from './labels.js';
import { FloatColumn, streamColumns } from './stream.js';

export type TaskOption = 'classification' | 'regression' | 'auto';

/**
 * Reads a predictions file (DESIGN.md §4): `y_true`, `y_pred`, and scores as `y_score` (binary:
 * probability of the positive class) or `y_score_<class>`; other columns can be slices.
 */
export async function readPredictions(
  db: Database,
  dataset: Dataset,
  options: { task: TaskOption; slices: string[] },
): Promise<EvaluationInput> {
  const types = new Map(dataset.columns.map((c) => [c.name, c.type]));
  const where = `the predictions file '${dataset.path}'`;
  if (!types.has('y_true')) {
    throw new UserError(
      `${where} has no 'y_true' column (columns: ${[...types.keys()].join(', ')}); expected y_true, y_pred and/or y_score / y_score_<class>.`,
      { input: 'predictions', file: dataset.path },
    );
  }
  const scoreColumns = [...types.keys()].filter((c) => c.startsWith('y_score_'));
  const binaryScore = types.has('y_score');
  const hasPred = types.has('y_pred');
  if (!hasPred && !binaryScore && scoreColumns.length === 0) {
    throw new UserError(`${where} has neither 'y_pred' nor score columns ('y_score' or 'y_score_<class>').`, {
      input: 'predictions',
      file: dataset.path,
    });
  }
  for (const s of options.slices) {
    if (!types.has(s))
      throw new UserError(`The slice column '${s}' is not in ${where}.`, { input: 'slices' });
  }
  const view = quoteIdent(dataset.view);
  const task =
    options.task === 'auto'
      ? await detectTask(db, dataset, binaryScore || scoreColumns.length > 0)
      : options.task;

  const sliceSql = options.slices.map((s) => `CAST(${quoteIdent(s)} AS VARCHAR)`);
  const slices: Record<string, (string | null)[]> = Object.fromEntries(options.slices.map((s) => [s, []]));
  const pushSlices = (columns: unknown[][], from: number, rows: number) => {
    options.slices.forEach((s, j) => {
      const values = columns[from + j];
      for (let r = 0; r < rows; r++) slices[s].push(values[r] as string | null);
    });
  };

  if (task === 'regression') {
    const yTrue = new FloatColumn();
    const yPred = new FloatColumn();
    if (!hasPred)
      throw new UserError(`${where} needs a 'y_pred' column for regression.`, { input: 'predictions' });
    const rows = await streamColumns(
      db,
      `SELECT TRY_CAST(y_true AS DOUBLE), TRY_CAST(y_pred AS DOUBLE)${sliceSql.map((s) => `, ${s}`).join('')} FROM ${view}`,
      (columns, n) => {
        for (let r = 0; r < n; r++) {
          yTrue.push((columns[0][r] as number | null) ?? Number.NaN);
          yPred.push((columns[1][r] as number | null) ?? Number.NaN);
        }
        pushSlices(columns, 2, n);
      },
    );
    const data = { yTrue: yTrue.toArray(), yPred: yPred.toArray() };
    checkFinite(data.yTrue, `y_true in ${where}`);
    checkFinite(data.yPred, `y_pred in ${where}`);
    return { task, data, rows, slices, ...(await ownRowIds(db, dataset, types)) };
  }

  const trueLabels: (string | null)[] = [];
  const predLabels: (string | null)[] = [];
  const scoreValues = new FloatColumn();
  const scoreSources = binaryScore ? ['y_score'] : scoreColumns;
  const select = [
    labelSql('y_true', types.get('y_true')!),
    hasPred ? labelSql('y_pred', types.get('y_pred')!) : 'NULL',
    ...scoreSources.map((c) => `TRY_CAST(${quoteIdent(c)} AS DOUBLE)`),
    ...sliceSql,
  ];
  const rows = await streamColumns(db, `SELECT ${select.join(', ')} FROM ${view}`, (columns, n) => {
    for (let r = 0; r < n; r++) {
      trueLabels.push(columns[0][r] as string | null);
      predLabels.push(columns[1][r] as string | null);
      for (let c = 0; c < scoreSources.length; c++)
        scoreValues.push((columns[2 + c][r] as number | null) ?? Number.NaN);
    }
    pushSlices(columns, 2 + scoreSources.length, n);
  });

  let classes: string[];
  let scores: Float64Array | null = null;
  if (scoreColumns.length > 0 && !binaryScore) {
    const named = scoreColumns.map((c) => c.slice('y_score_'.length));
    classes = sortLabels(named);
    const raw = scoreValues.toArray();
    const k = classes.length;
    // Reorder the file's score columns into sorted class order.
    const position = classes.map((c) => named.indexOf(c));
    scores = new Float64Array(rows * k);
    for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) scores[r * k + c] = raw[r * k + position[c]];
    if (k < 2)
      throw new UserError(
        `${where} has one score column; give y_score_<class> for every class, or y_score for binary.`,
      );
    checkProbabilities(scores, k, `the scores in ${where}`);
  } else {
    classes = binaryClasses(trueLabels, predLabels, binaryScore, where);
    if (binaryScore) {
      const positive = scoreValues.toArray();
      checkFinite(positive, `y_score in ${where}`);
      scores = new Float64Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        const p = positive[r];
        if (p < 0 || p > 1)
          throw new UserError(
            `y_score in ${where} is ${p} at row ${r + 1}; it must be a probability in [0, 1].`,
          );
        scores[r * 2] = 1 - p;
        scores[r * 2 + 1] = p;
      }
    }
  }
  const yTrue = encodeLabels(trueLabels, classes, `y_true in ${where}`);
  const yPred = hasPred
    ? encodeLabels(predLabels, classes, `y_pred in ${where}`)
    : argmaxRows(scores!, classes.length);
  return {
    task: 'classification',
    data: { classes, yTrue, yPred, scores },
    rows,
    slices,
    ...(await ownRowIds(db, dataset, types)),
  };
}

/**
 * A predictions file's own `row_id` column (evaluate writes one: each row's position in the data it
 * evaluated, with gaps where rows were left out), kept so that re-evaluating the file still joins
 * back to that data. Only whole numbers ≥ 0 on every row count as row ids; otherwise (or without
 * the column) each row's position in this file is its id.
 */
async function ownRowIds(
  db: Database,
  dataset: Dataset,
  types: Map<string, string>,
): Promise<{ rowIds?: Float64Array }> {
  if (!types.has('row_id')) return {};
  const ids = new FloatColumn();
  let usable = true;
  await streamColumns(
    db,
    `SELECT TRY_CAST(row_id AS DOUBLE) FROM ${quoteIdent(dataset.view)}`,
    (columns, n) => {
      for (let r = 0; r < n; r++) {
        const id = columns[0][r] as number | null;
        if (id === null || !Number.isInteger(id) || id < 0) usable = false;
        else ids.push(id);
      }
    },
  );
  return usable ? { rowIds: ids.toArray() } : {};
}

/** Classes from the labels seen; with `y_score`, exactly two, the second being positive. */
function binaryClasses(
  trueLabels: (string | null)[],
  predLabels: (string | null)[],
  binaryScore: boolean,
  where: string,
): string[] {
  const seen = new Set<string>();
  for (const l of trueLabels) if (l !== null) seen.add(l);
  for (const l of predLabels) if (l !== null) seen.add(l);
  if (!binaryScore) {
    const classes = sortLabels(seen);
    if (classes.length < 2)
      throw new UserError(`${where} has a single class (${classes[0] ?? 'none'}); metrics need two or more.`);
    return classes;
  }
  for (const pair of [
    ['0', '1'],
    ['false', 'true'],
  ]) {
    if ([...seen].every((l) => pair.includes(l))) return pair;
  }
  const classes = sortLabels(seen);
  if (classes.length !== 2) {
    throw new UserError(
      `${where} has 'y_score' (binary) but ${classes.length} distinct labels (${classes.slice(0, 5).join(', ')}); use y_score_<class> columns for more than two classes.`,
    );
  }
  return classes;
}

/**
 * `task: auto`: classification when there are scores, text or boolean labels, or few integral
 * label values (at most 20) with integral predictions; regression otherwise.
 */
async function detectTask(
  db: Database,
  dataset: Dataset,
  hasScores: boolean,
): Promise<'classification' | 'regression'> {
  if (hasScores) return 'classification';
  const type = dataset.columns.find((c) => c.name === 'y_true')!.type;
  if (
    !/^(DOUBLE|FLOAT|REAL|DECIMAL|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)/i.test(
      type,
    )
  ) {
    return 'classification';
  }
  // y_pred counts too: integral targets with fractional predictions are a regression.
  const predType = dataset.columns.find((c) => c.name === 'y_pred')?.type;
  const predIntegral =
    predType === undefined || !/^(DOUBLE|FLOAT|REAL|DECIMAL)/i.test(predType)
      ? 'true'
      : 'coalesce(bool_and(y_pred = round(y_pred)), true)';
  const [row] = await db.all<{ distinct: number; integral: boolean }>(
    `SELECT count(DISTINCT y_true) AS "distinct", coalesce(bool_and(y_true = round(y_true)), true) AND ${predIntegral} AS integral FROM ${quoteIdent(dataset.view)}`,
  );
  return row.integral && Number(row.distinct) <= 20 ? 'classification' : 'regression';
}

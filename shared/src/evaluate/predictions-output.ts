import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { finished } from 'node:stream/promises';
import { type Database, quoteLiteral } from '../data/database.js';
import { rowLogLoss } from '../metrics/index.js';
import type { EvaluationInput } from './input.js';

/**
 * The per-row file compare-baseline pairs on: `row_id` (the row's 0-based position in the evaluated
 * data, so it joins back to the data: rows left out, such as those with a null target, leave gaps),
 * `y_true`, `y_pred`, `y_score_<class>` per class, `correct` (0/1), `loss` (per-row log loss when
 * there are scores, else 1 − correct; regression: squared error), then the slice columns. It is
 * itself a valid `predictions` input. CSV or Parquet by extension.
 */
export async function writePredictions(
  db: Database,
  input: EvaluationInput,
  path: string,
): Promise<{ loss: string }> {
  await mkdir(dirname(path), { recursive: true });
  const parquet = extname(path).toLowerCase() === '.parquet';
  const csvPath = parquet ? `${path}.tmp-${process.pid}.csv` : path;
  const sliceNames = Object.keys(input.slices);
  const rowId = (i: number) => String(input.rowIds ? input.rowIds[i] : i);
  const header: [string, string][] = [['row_id', 'BIGINT']];
  let loss: string;
  const out = createWriteStream(csvPath, { encoding: 'utf8' });
  const lines: string[] = [];
  const flush = async (force = false) => {
    if (lines.length >= 8192 || (force && lines.length > 0)) {
      if (!out.write(`${lines.join('\n')}\n`))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      lines.length = 0;
    }
  };
  if (input.task === 'classification') {
    const { classes, yTrue, yPred, scores } = input.data;
    const k = classes.length;
    header.push(['y_true', 'VARCHAR'], ['y_pred', 'VARCHAR']);
    if (scores) for (const c of classes) header.push([`y_score_${c}`, 'DOUBLE']);
    header.push(['correct', 'INTEGER'], ['loss', 'DOUBLE']);
    const perRow = scores ? rowLogLoss(scores, yTrue, k) : null;
    loss = scores ? 'log_loss' : 'zero_one';
    for (const s of sliceNames) header.push([s, 'VARCHAR']);
    lines.push(header.map(([h]) => csvField(h)).join(','));
    for (let i = 0; i < input.rows; i++) {
      const correct = yTrue[i] === yPred[i] ? 1 : 0;
      const fields = [rowId(i), csvField(classes[yTrue[i]]), csvField(classes[yPred[i]])];
      if (scores) for (let c = 0; c < k; c++) fields.push(String(scores[i * k + c]));
      fields.push(String(correct), String(perRow ? perRow[i] : 1 - correct));
      for (const s of sliceNames) fields.push(csvField(input.slices[s][i]));
      lines.push(fields.join(','));
      await flush();
    }
  } else {
    const { yTrue, yPred } = input.data;
    header.push(['y_true', 'DOUBLE'], ['y_pred', 'DOUBLE'], ['loss', 'DOUBLE']);
    for (const s of sliceNames) header.push([s, 'VARCHAR']);
    loss = 'squared_error';
    lines.push(header.map(([h]) => csvField(h)).join(','));
    for (let i = 0; i < input.rows; i++) {
      const e = yTrue[i] - yPred[i];
      const fields = [rowId(i), String(yTrue[i]), String(yPred[i]), String(e * e)];
      for (const s of sliceNames) fields.push(csvField(input.slices[s][i]));
      lines.push(fields.join(','));
      await flush();
    }
  }
  await flush(true);
  out.end();
  await finished(out);
  if (parquet) {
    const columns = header.map(([h, t]) => `${quoteLiteral(h)}: ${quoteLiteral(t)}`).join(', ');
    try {
      await db.run(
        `COPY (SELECT * FROM read_csv(${quoteLiteral(csvPath)}, header = true, columns = {${columns}})) TO ${quoteLiteral(path)} (FORMAT parquet)`,
      );
    } finally {
      await rm(csvPath, { force: true });
    }
  }
  return { loss };
}

/** RFC 4180 field; empty for null (read back as NULL). */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\n\r]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}

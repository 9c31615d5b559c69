import { Database } from '../data/database.js';
import { openDataset } from '../data/open-dataset.js';
import type { EvaluationInput } from './input.js';
import { readPredictions, type TaskOption } from './predictions-file.js';

/**
 * Reads a per-row predictions file (the one evaluate writes, or any DESIGN.md §4 predictions
 * file) back into rows for `pairedBootstrapDelta`. Rows are in file order; evaluate's own files
 * have `row_id` 0..n-1 in that order.
 */
export async function readEvaluationRows(
  path: string,
  options: { task?: TaskOption } = {},
): Promise<EvaluationInput> {
  const db = await Database.open();
  try {
    const dataset = await openDataset(db, path, { name: 'paired_predictions' });
    return await readPredictions(db, dataset, { task: options.task ?? 'auto', slices: [] });
  } finally {
    db.close();
  }
}

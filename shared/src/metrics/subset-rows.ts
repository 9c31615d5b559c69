import type { EvaluationRows } from './bootstrap.js';

/** The given rows of an evaluation, in the given order (slices, fairness groups). */
export function subsetRows(input: EvaluationRows, rows: Int32Array): EvaluationRows {
  if (input.task === 'regression') {
    const { yTrue, yPred } = input.data;
    return { task: 'regression', data: { yTrue: gather(yTrue, rows, 1), yPred: gather(yPred, rows, 1) } };
  }
  const { classes, yTrue, yPred, scores } = input.data;
  return {
    task: 'classification',
    data: {
      classes,
      yTrue: gather(yTrue, rows, 1),
      yPred: gather(yPred, rows, 1),
      scores: scores ? gather(scores, rows, classes.length) : null,
    },
  };
}

function gather<T extends Int32Array | Float64Array>(values: T, rows: Int32Array, stride: number): T {
  const out = new (values.constructor as { new (n: number): T })(rows.length * stride);
  for (let i = 0; i < rows.length; i++) {
    for (let c = 0; c < stride; c++) out[i * stride + c] = values[rows[i] * stride + c];
  }
  return out;
}

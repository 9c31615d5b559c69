import { UserError } from '../errors/index.js';
import {
  bootstrapMetrics,
  checkRepeats,
  type FeatureImportance,
  isClassificationMetric,
  isRegressionMetric,
  metricDirection,
  PRIMARY_METRICS,
  permutationImportance,
  planFor,
  SCORE_METRICS,
} from '../metrics/index.js';
import { featureBlocks, inputWidth, type Preprocessing } from '../models/preprocessing.js';
import type { ModelAdapter } from '../models/types.js';
import { INFERENCE_BATCH_ROWS, modelOutcome } from './inference.js';
import type { EvaluationInput } from './input.js';

export interface ImportanceOptions {
  nRepeats: number;
  seed: number;
  /** A metric name; default the estimator's own score in scikit-learn: accuracy, or r2. */
  scoring?: string;
}

/** metrics.json `importance` (docs/schemas/metrics.schema.json). */
export interface ImportanceSection {
  /** The metric whose drop is measured; losses are negated so that a drop is always positive. */
  scoring: string;
  n_repeats: number;
  seed: number;
  /** The score on the data as it is. */
  baseline: number;
  /** Most important first. */
  features: Omit<FeatureImportance, 'repeats'>[];
  /** Model scorings done: 1 + features × repeats, each one inference pass over every row. */
  scorings: number;
}

export function defaultScoring(task: EvaluationInput['task']): string {
  return PRIMARY_METRICS[task][0];
}

/**
 * Permutation importance of the model's raw input columns on the evaluation rows: each column's
 * block of the model input is shuffled across rows and the model re-scored, through the same
 * output reading as the evaluation itself (`modelOutcome`) and the same metric definitions.
 */
export async function computeImportance(
  model: ModelAdapter,
  spec: Preprocessing,
  features: Float32Array,
  input: EvaluationInput,
  options: ImportanceOptions,
): Promise<ImportanceSection> {
  checkRepeats(options.nRepeats);
  const scoring = options.scoring?.trim() || defaultScoring(input.task);
  const known =
    input.task === 'classification' ? isClassificationMetric(scoring) : isRegressionMetric(scoring);
  if (!known) {
    throw new UserError(
      `importance-scoring '${scoring}' is not a ${input.task} metric of this suite (for example ${defaultScoring(input.task)}).`,
      { input: 'importance-scoring' },
    );
  }
  const width = inputWidth(spec);
  const rows = input.rows;
  const sign = metricDirection(scoring) === 'lower' ? -1 : 1;
  const yTrue = input.task === 'classification' ? input.data.yTrue : undefined;
  // Accuracy and the like need no scores: leaving them out spares the plan its ranking work.
  const needsScores = SCORE_METRICS.has(scoring);
  const targets = input.task === 'regression' ? input.data.yTrue : new Float64Array(0);
  const score = async (matrix: Float32Array | Float64Array): Promise<number> => {
    const batch = matrix instanceof Float32Array ? matrix : Float32Array.from(matrix);
    // Each batch's outputs go straight into the one float64 array the metrics read.
    let values = new Float64Array(0);
    let outputWidth = 0;
    for (let start = 0; start < rows; start += INFERENCE_BATCH_ROWS) {
      const n = Math.min(INFERENCE_BATCH_ROWS, rows - start);
      const result = await model.predict(batch.subarray(start * width, (start + n) * width), n, width);
      if (start === 0) {
        outputWidth = result.width;
        values = new Float64Array(rows * outputWidth);
      } else if (result.width !== outputWidth) {
        throw new Error(`model output width changed between batches: ${outputWidth}, then ${result.width}`);
      }
      values.set(result.values, start * outputWidth);
    }
    const outcome = modelOutcome(values, outputWidth, rows, spec, model.path, {
      labels: [],
      yTrue,
      targets,
      target: 'The evaluation target',
    });
    if (outcome.task === 'classification' && !needsScores) outcome.data.scores = null;
    const value = bootstrapMetrics(planFor(outcome, [scoring]), { resamples: 0, seed: 0, confidence: 0.95 })[
      scoring
    ].value;
    if (value === null) {
      throw new UserError(
        `importance-scoring '${scoring}' is undefined on these rows (e.g. one class only); choose another metric.`,
        { input: 'importance-scoring' },
      );
    }
    return sign * value;
  };
  const result = await permutationImportance({
    matrix: features,
    rows,
    width,
    blocks: featureBlocks(spec),
    score,
    nRepeats: options.nRepeats,
    seed: options.seed,
  });
  return {
    scoring: sign < 0 ? `neg_${scoring}` : scoring,
    n_repeats: options.nRepeats,
    seed: options.seed,
    baseline: result.baseline,
    features: result.features
      .map(({ feature, mean, std }) => ({ feature, mean, std }))
      .sort((a, b) => b.mean - a.mean),
    scorings: result.scorings,
  };
}

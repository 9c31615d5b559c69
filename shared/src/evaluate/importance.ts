import { UserError } from '../errors/index.js';
import {
  bootstrapMetrics,
  checkRepeats,
  confusionMatrixMetric,
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
import { classScores, INFERENCE_BATCH_ROWS, modelOutcome, modelOutputName } from './inference.js';
import { type EvaluationInput, tallyPredictions } from './input.js';

/**
 * Rows per model call while re-scoring: the evaluation's own batch. Bigger calls make each pass
 * (ours and the floor alike) a little faster; bench/importance.ts times 4096 and 16384.
 */
export const IMPORTANCE_BATCH_ROWS = INFERENCE_BATCH_ROWS;

export interface ImportanceOptions {
  nRepeats: number;
  seed: number;
  /** A metric name; default the estimator's own score in scikit-learn: accuracy, or r2. */
  scoring?: string;
  /** Rows per model call; default IMPORTANCE_BATCH_ROWS (the benchmark tries others). */
  batchRows?: number;
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
  const batchRows = options.batchRows ?? IMPORTANCE_BATCH_ROWS;
  const sign = metricDirection(scoring) === 'lower' ? -1 : 1;
  const yTrue = input.task === 'classification' ? input.data.yTrue : undefined;
  const classCount = input.task === 'classification' ? input.data.classes.length : 0;
  // Accuracy and the like read the confusion matrix alone: no scores, no plan (its ranking work
  // and per-row arrays), and the counts come straight from the predicted classes.
  const needsScores = SCORE_METRICS.has(scoring);
  const confusionOnly = input.task === 'classification' && !needsScores;
  const targets = input.task === 'regression' ? input.data.yTrue : new Float64Array(0);
  // Reused by every scoring (1 + features × repeats of them): the model's outputs for all rows
  // and the predicted classes (score metrics, regression), or the confusion counts (the others).
  let outputs = new Float32Array(0);
  let outputWidth = 0;
  const predicted = new Int32Array(input.task === 'classification' && !confusionOnly ? rows : 0);
  const what = modelOutputName(model.path);
  const counts = new Float64Array(classCount * classCount);
  const score = async (matrix: Float32Array | Float64Array): Promise<number> => {
    const batch = matrix instanceof Float32Array ? matrix : Float32Array.from(matrix);
    counts.fill(0);
    for (let start = 0; start < rows; start += batchRows) {
      const n = Math.min(batchRows, rows - start);
      const result = await model.predict(batch.subarray(start * width, (start + n) * width), n, width);
      if (outputWidth === 0) outputWidth = result.width;
      else if (result.width !== outputWidth) {
        throw new Error(`model output width changed between batches: ${outputWidth}, then ${result.width}`);
      }
      if (confusionOnly) {
        // The batch's confusion counts straight from its outputs, while they are in cache:
        // checked, argmax'd and tallied in one pass, no per-row classes (the same rules as
        // `modelOutcome`'s, see `tallyPredictions`).
        const scores = classScores(result.values, outputWidth, n, spec, what);
        tallyPredictions(scores, classCount, what, yTrue!.subarray(start, start + n), counts, start);
      } else {
        if (outputs.length === 0) outputs = new Float32Array(rows * outputWidth);
        outputs.set(result.values, start * outputWidth);
      }
    }
    const value = confusionOnly
      ? confusionMatrixMetric(counts, classCount, scoring as never)
      : bootstrapMetrics(
          planFor(
            modelOutcome(
              outputs,
              outputWidth,
              rows,
              spec,
              model.path,
              { labels: [], yTrue, targets, target: 'The evaluation target' },
              { predicted, scores: needsScores },
            ),
            [scoring],
          ),
          { resamples: 0, seed: 0, confidence: 0.95 },
        )[scoring].value;
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

/**
 * Everything scikit-learn derives from the confusion matrix, from (weighted) counts, with its
 * formulas and zero_division='warn' behaviour (0 where a ratio is 0/0).
 * `counts[t * k + p]` holds rows with true class t predicted as p.
 */
export interface ConfusionScores {
  accuracy: number;
  balanced_accuracy: number;
  /** Binary scores for the positive class (index 1); NaN for more than two classes. */
  precision: number;
  recall: number;
  f1: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  f1_micro: number;
  f1_weighted: number;
  matthews_corrcoef: number;
  cohen_kappa: number;
}

export function confusionScores(counts: Float64Array, k: number): ConfusionScores {
  const trueSum = new Float64Array(k);
  const predSum = new Float64Array(k);
  let correct = 0;
  let total = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = counts[t * k + p];
      trueSum[t] += c;
      predSum[p] += c;
      total += c;
    }
    correct += counts[t * k + t];
  }

  // Averages run over labels present in y_true or y_pred, as scikit-learn's default labels=None.
  let recallSum = 0;
  let recallCount = 0;
  let macroP = 0;
  let macroR = 0;
  let macroF = 0;
  let present = 0;
  let weightedF = 0;
  for (let c = 0; c < k; c++) {
    const tp = counts[c * k + c];
    if (trueSum[c] > 0) {
      recallSum += tp / trueSum[c];
      recallCount++;
    }
    if (trueSum[c] === 0 && predSum[c] === 0) continue;
    const { precision, recall, f1 } = prf(tp, predSum[c], trueSum[c]);
    macroP += precision;
    macroR += recall;
    macroF += f1;
    weightedF += f1 * trueSum[c];
    present++;
  }

  const binary = k === 2 ? prf(counts[3], predSum[1], trueSum[1]) : { precision: NaN, recall: NaN, f1: NaN };
  const micro = prf(correct, total, total);

  const dotTP = dot(trueSum, predSum);
  const covTP = correct * total - dotTP;
  const covPP = total * total - dot(predSum, predSum);
  const covTT = total * total - dot(trueSum, trueSum);
  const mcc = covPP * covTT === 0 ? 0 : covTP / Math.sqrt(covTT * covPP);

  // Cohen's kappa as scikit-learn: 1 - Σ(off-diagonal observed) / Σ(off-diagonal expected).
  let observedOff = 0;
  let expectedOff = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      if (t === p) continue;
      observedOff += counts[t * k + p];
      expectedOff += (predSum[t] * trueSum[p]) / total;
    }
  }

  return {
    accuracy: correct / total,
    balanced_accuracy: recallCount === 0 ? NaN : recallSum / recallCount,
    precision: binary.precision,
    recall: binary.recall,
    f1: binary.f1,
    precision_macro: present === 0 ? NaN : macroP / present,
    recall_macro: present === 0 ? NaN : macroR / present,
    f1_macro: present === 0 ? NaN : macroF / present,
    f1_micro: micro.f1,
    // No true row at all cannot happen with total > 0, so scikit-learn's weights.sum() == 0 branch never applies.
    f1_weighted: total === 0 ? NaN : weightedF / total,
    matthews_corrcoef: mcc,
    cohen_kappa: 1 - observedOff / expectedOff,
  };
}

/** Precision, recall and F1 for one label, in scikit-learn's operation order. */
function prf(
  tp: number,
  predicted: number,
  actual: number,
): { precision: number; recall: number; f1: number } {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = actual === 0 ? 0 : tp / actual;
  const denominator = precision + recall;
  const f1 = denominator === 0 ? 0 : (2 * precision * recall) / denominator;
  return { precision, recall, f1 };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

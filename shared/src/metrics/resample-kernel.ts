/**
 * Everything one bootstrap resample runs: drawing the row multiplicities, one pass over the rows
 * that feeds every metric's sufficient statistics (confusion counts, compensated sums of per-row
 * log loss and Brier score, per-bin calibration gaps, label weights per tie group of the score
 * column rows are sorted by), one pass per further score column ranking metrics need, and the
 * metrics computed from those statistics.
 *
 * This module imports nothing, and its functions refer to nothing but each other and JavaScript
 * built-ins (no module-level constants): `bootstrap-workers.ts` ships their source text to worker
 * threads, so the threads run the very same code as the main thread, from source (tsx, Vitest)
 * and from the ncc bundle alike.
 */

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
export function prf(
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

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * ROC AUC and average precision from per-group label weights, `groupLabels[g * k + label]`: the
 * curves are walked over groups of tied scores, not rows; group sums are integers, so the result
 * does not depend on the order rows were added in.
 *
 * Area under the ROC curve with ties counted half: for each group of tied scores (ascending),
 * positives × (negatives below + tied negatives / 2). Equal to scikit-learn's trapezoid over
 * distinct thresholds. Negatives are rows labelled `negative`, or every other label when it is -1.
 * NaN when one side is empty (scikit-learn raises there).
 */
export function rocAucFromGroups(
  groupLabels: Int32Array,
  groups: number,
  k: number,
  positive: number,
  negative: number,
): number {
  let negativesBelow = 0;
  let positives = 0;
  let area = 0;
  for (let g = 0; g < groups; g++) {
    const base = g * k;
    const groupPositive = groupLabels[base + positive];
    let groupNegative = 0;
    if (negative >= 0) groupNegative = groupLabels[base + negative];
    else for (let l = 0; l < k; l++) if (l !== positive) groupNegative += groupLabels[base + l];
    area += groupPositive * (negativesBelow + groupNegative / 2);
    negativesBelow += groupNegative;
    positives += groupPositive;
  }
  if (positives === 0 || negativesBelow === 0) return Number.NaN;
  return area / (positives * negativesBelow);
}

/**
 * Average precision, step-wise (scikit-learn's definition, no interpolation): Σ (ΔTP / P) ×
 * precision over distinct thresholds from the highest score down. 0 when there is no positive,
 * as scikit-learn 1.2 returns (it sets recall to 1 for every threshold). Negatives: every label
 * but `positive`.
 */
export function averagePrecisionFromGroups(
  groupLabels: Int32Array,
  groups: number,
  k: number,
  positive: number,
): number {
  let truePositives = 0;
  let falsePositives = 0;
  let sum = 0;
  for (let g = groups - 1; g >= 0; g--) {
    const base = g * k;
    const groupPositive = groupLabels[base + positive];
    let groupNegative = 0;
    for (let l = 0; l < k; l++) if (l !== positive) groupNegative += groupLabels[base + l];
    truePositives += groupPositive;
    falsePositives += groupNegative;
    if (groupPositive > 0) sum += (groupPositive * truePositives) / (truePositives + falsePositives);
  }
  return truePositives === 0 ? 0 : sum / truePositives;
}

/** Rows sorted by one score column, cut into groups of tied scores. */
export interface RankingView {
  column: number;
  /** Plan row at each sorted position; null when plan rows are already in this order. */
  order: Int32Array | null;
  /** True label at each sorted position. */
  labels: Int32Array;
  /** Exclusive end position of each group of tied scores, ascending. */
  groupEnds: Int32Array;
}

/** Everything a resample reads, in plan row order; nothing here changes between resamples. */
export interface ClassificationArrays {
  k: number;
  names: readonly string[];
  /** yTrue × k + yPred: the confusion-matrix cell of each row. */
  cells: Int32Array;
  logLoss: Float64Array | null;
  brier: Float64Array | null;
  /** Calibration bin and (confidence − correct) of each row; null unless ECE is wanted. */
  calibrationBins: Uint8Array | null;
  calibrationGaps: Float64Array | null;
  calibrationBinCount: number;
  /** One per score column ranking metrics need; at most the first has `order` null. */
  views: RankingView[];
}

/** Per-resample accumulators, allocated once per plan (or per worker). */
export interface ClassificationScratch {
  counts: Float64Array;
  calibrationSums: Float64Array;
  calibrationCompensations: Float64Array;
  /** Per view: `groupLabels[g * k + label]`, the resample's weight of rows with that label in group g. */
  groupLabels: Int32Array[];
}

export function classificationScratch(arrays: ClassificationArrays): ClassificationScratch {
  return {
    counts: new Float64Array(arrays.k * arrays.k),
    calibrationSums: new Float64Array(arrays.calibrationBinCount),
    calibrationCompensations: new Float64Array(arrays.calibrationBinCount),
    groupLabels: arrays.views.map((view) => new Int32Array(view.groupEnds.length * arrays.k)),
  };
}

/** Writes metric `names[j]` into `out[j]` (NaN where undefined) for rows weighted by `weights`. */
export function classificationPass(
  arrays: ClassificationArrays,
  weights: Int32Array,
  out: Float64Array,
  scratch: ClassificationScratch,
): void {
  const { k, cells, logLoss, brier, calibrationBins, calibrationGaps, views } = arrays;
  const n = cells.length;
  const { counts, calibrationSums, calibrationCompensations } = scratch;
  counts.fill(0);
  calibrationSums.fill(0);
  calibrationCompensations.fill(0);
  const inPlanOrder = views.length > 0 && views[0].order === null;
  const ends = inPlanOrder ? views[0].groupEnds : null;
  const labels = inPlanOrder ? views[0].labels : null;
  const groupLabels = inPlanOrder ? scratch.groupLabels[0] : null;
  if (groupLabels !== null) groupLabels.fill(0);
  const groups = ends === null ? 1 : ends.length;
  let total = 0;
  // Neumaier-compensated sums, added row by row in plan order.
  let logLossSum = 0;
  let logLossCompensation = 0;
  let brierSum = 0;
  let brierCompensation = 0;
  let i = 0;
  // The calibration bin's sums stay in locals while consecutive rows share a bin (rows sorted by
  // score mostly do), so the compensated sums do not wait on memory; additions per bin keep their order.
  let bin = 0;
  let binSum = 0;
  let binCompensation = 0;
  for (let g = 0; g < groups; g++) {
    const end = ends === null ? n : ends[g];
    const base = g * k;
    for (; i < end; i++) {
      const w = weights[i];
      // A third of a resample's rows are not drawn; every sum below would add an exact zero.
      if (w === 0) continue;
      counts[cells[i]] += w;
      if (groupLabels !== null) groupLabels[base + labels![i]] += w;
      if (logLoss !== null) {
        const term = w * logLoss[i];
        const t = logLossSum + term;
        logLossCompensation +=
          Math.abs(logLossSum) >= Math.abs(term) ? logLossSum - t + term : term - t + logLossSum;
        logLossSum = t;
      }
      if (brier !== null) {
        const term = w * brier[i];
        const t = brierSum + term;
        brierCompensation += Math.abs(brierSum) >= Math.abs(term) ? brierSum - t + term : term - t + brierSum;
        brierSum = t;
      }
      if (calibrationBins !== null) {
        const b = calibrationBins[i];
        if (b !== bin) {
          calibrationSums[bin] = binSum;
          calibrationCompensations[bin] = binCompensation;
          bin = b;
          binSum = calibrationSums[b];
          binCompensation = calibrationCompensations[b];
        }
        const term = w * calibrationGaps![i];
        const t = binSum + term;
        binCompensation += Math.abs(binSum) >= Math.abs(term) ? binSum - t + term : term - t + binSum;
        binSum = t;
      }
    }
  }
  calibrationSums[bin] = binSum;
  calibrationCompensations[bin] = binCompensation;
  for (let c = 0; c < counts.length; c++) total += counts[c];
  for (let v = inPlanOrder ? 1 : 0; v < views.length; v++) {
    const { order, labels: viewLabels, groupEnds } = views[v];
    const sums = scratch.groupLabels[v];
    sums.fill(0);
    let j = 0;
    for (let g = 0; g < groupEnds.length; g++) {
      const end = groupEnds[g];
      const base = g * k;
      for (; j < end; j++) sums[base + viewLabels[j]] += weights[order![j]];
    }
  }

  const confusion = confusionScores(counts, k) as unknown as Record<string, number>;
  // Two classes: roc_auc, roc_auc_ovr and roc_auc_ovo are one number, computed once.
  let binaryAuc = Number.NaN;
  let binaryAucDone = false;
  for (let m = 0; m < arrays.names.length; m++) {
    const name = arrays.names[m];
    let value = Number.NaN;
    if (name === 'roc_auc' || name === 'roc_auc_ovr' || name === 'roc_auc_ovo') {
      if (k === 2) {
        if (!binaryAucDone) {
          binaryAuc = rocAucFromGroups(scratch.groupLabels[0], views[0].groupEnds.length, 2, 1, 0);
          binaryAucDone = true;
        }
        value = binaryAuc;
      } else if (name === 'roc_auc_ovr') {
        // Macro average over classes; NaN if any class's AUC is undefined (scikit-learn raises there).
        let sum = 0;
        for (let c = 0; c < k; c++) {
          sum += rocAucFromGroups(scratch.groupLabels[c], views[c].groupEnds.length, k, c, -1);
        }
        value = sum / k;
      } else if (name === 'roc_auc_ovo') {
        // Hand & Till (2001) as scikit-learn: mean over class pairs of the two one-way AUCs' mean.
        let sum = 0;
        let pairs = 0;
        for (let a = 0; a < k; a++) {
          for (let b = a + 1; b < k; b++) {
            const aOverB = rocAucFromGroups(scratch.groupLabels[a], views[a].groupEnds.length, k, a, b);
            const bOverA = rocAucFromGroups(scratch.groupLabels[b], views[b].groupEnds.length, k, b, a);
            sum += (aOverB + bOverA) / 2;
            pairs++;
          }
        }
        value = sum / pairs;
      }
    } else if (name === 'average_precision') {
      if (k === 2) {
        value = averagePrecisionFromGroups(scratch.groupLabels[0], views[0].groupEnds.length, 2, 1);
      } else {
        let sum = 0;
        for (let c = 0; c < k; c++) {
          sum += averagePrecisionFromGroups(scratch.groupLabels[c], views[c].groupEnds.length, k, c);
        }
        value = sum / k;
      }
    } else if (name === 'log_loss') {
      value = (logLossSum + logLossCompensation) / total;
    } else if (name === 'brier_score') {
      value = (brierSum + brierCompensation) / total;
    } else if (name === 'expected_calibration_error') {
      let ece = 0;
      for (let b = 0; b < calibrationSums.length; b++) {
        ece += Math.abs(calibrationSums[b] + calibrationCompensations[b]);
      }
      value = ece / total;
    } else {
      value = confusion[name];
    }
    out[m] = value;
  }
}

/**
 * xoshiro128** (Blackman & Vigna) state, seeded through splitmix32. Stream 0 is the generator
 * `Xoshiro128(seed)` has always been; bootstrap replicate r uses stream r + 1, which moves the
 * last two state words to another stretch of the splitmix sequence, so every replicate has its
 * own generator and does not depend on which thread draws it, or in which order.
 */
export function xoshiroSeed(seed: number, stream: number): Int32Array {
  const state = new Int32Array(4);
  let s = seed | 0;
  for (let j = 0; j < 4; j++) {
    if (j === 2) s = (s + Math.imul(stream | 0, 0x2545f491)) | 0;
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    state[j] = z ^ (z >>> 16);
  }
  return state;
}

/** The next uniform 32-bit unsigned integer of a xoshiro128** state. */
export function xoshiroNext(state: Int32Array): number {
  const a = state[0];
  const b = state[1];
  const x = Math.imul(b, 5);
  const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
  const t = b << 9;
  const c = state[2] ^ a;
  const d = state[3] ^ b;
  state[1] = b ^ c;
  state[0] = a ^ d;
  state[2] = c ^ t;
  state[3] = (d << 11) | (d >>> 21);
  return result;
}

/**
 * Sets `counts` to the multiplicities of `draws` indices drawn uniformly from [0, counts.length):
 * one bootstrap resample. Up to 2^21 rows a 32-bit draw times n stays an exact double (Lemire's
 * multiply-shift, bias < n / 2^32); beyond that 53-bit floats (two draws) are used. The fast path
 * repeats `xoshiroNext`'s step on locals: a draw per row is a third of a resample's time, and
 * state kept in memory costs a load and store per word per draw.
 */
export function xoshiroFillCounts(state: Int32Array, counts: Int32Array, draws: number): void {
  const n = counts.length;
  counts.fill(0);
  if (n > 2097152) {
    for (let i = 0; i < draws; i++) {
      const hi = xoshiroNext(state) >>> 5;
      const lo = xoshiroNext(state) >>> 6;
      counts[Math.floor(((hi * 67108864 + lo) / 9007199254740992) * n)]++;
    }
    return;
  }
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  for (let i = 0; i < draws; i++) {
    const x = Math.imul(b, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    counts[Math.floor((result * n) / 4294967296)]++;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

/**
 * Shared bookkeeping of one bootstrap run. `control[0]`: next unclaimed replicate; `control[1]`:
 * replicates finished; `control[2]`: replicates finished by worker threads. `finished[r]` is 1
 * once replicate r's metrics are in `results[r * m ..]`.
 */
export interface ReplicateJob {
  seed: number;
  resamples: number;
  control: Int32Array;
  finished: Int32Array;
  results: Float64Array;
}

/** Draws replicate r's multiplicities (stream r + 1 of the seed) and stores its metrics. */
export function computeReplicate(
  job: ReplicateJob,
  r: number,
  pass: (arrays: never, weights: Int32Array, out: Float64Array, scratch: never) => void,
  arrays: unknown,
  scratch: unknown,
  weights: Int32Array,
  out: Float64Array,
  byWorker: boolean,
): void {
  xoshiroFillCounts(xoshiroSeed(job.seed, r + 1), weights, weights.length);
  pass(arrays as never, weights, out, scratch as never);
  job.results.set(out, r * out.length);
  Atomics.store(job.finished, r, 1);
  if (byWorker) Atomics.add(job.control, 2, 1);
  Atomics.add(job.control, 1, 1);
  Atomics.notify(job.control, 1);
}

/** Claims and computes replicates until none are left or `limit` are done; returns how many. */
export function claimReplicates(
  job: ReplicateJob,
  limit: number,
  pass: (arrays: never, weights: Int32Array, out: Float64Array, scratch: never) => void,
  arrays: unknown,
  scratch: unknown,
  weights: Int32Array,
  out: Float64Array,
  byWorker: boolean,
): number {
  let count = 0;
  while (count < limit) {
    const r = Atomics.add(job.control, 0, 1);
    if (r >= job.resamples) break;
    computeReplicate(job, r, pass, arrays, scratch, weights, out, byWorker);
    count++;
  }
  return count;
}

/** Regression rows in plan order (sorted by absolute error when the median is wanted). */
export interface RegressionArrays {
  names: readonly string[];
  yTrue: Float64Array;
  /** yTrue − yPred. */
  error: Float64Array;
  absoluteError: Float64Array;
}

/** Compensated sums of a regression resample: `sums[2s]` the sum, `sums[2s + 1]` its Neumaier compensation. */
export function regressionScratch(): Float64Array {
  return new Float64Array(14);
}

/** Adds `term` to compensated sum `slot` of `sums` (Neumaier). */
export function addCompensated(sums: Float64Array, slot: number, term: number): void {
  const s = sums[2 * slot];
  const t = s + term;
  sums[2 * slot + 1] += Math.abs(s) >= Math.abs(term) ? s - t + term : term - t + s;
  sums[2 * slot] = t;
}

/**
 * Regression metrics with scikit-learn 1.2.1 definitions: RMSE = √MSE; R² and explained variance
 * with force_finite (constant target: 1 if the predictions are perfect, else 0); MAPE divides by
 * max(|y|, eps = 2^-52, numpy's float64 eps as scikit-learn); median absolute error is the median
 * of |y − ŷ| (mean of the two middle values for an even count).
 */
export function regressionPass(
  arrays: RegressionArrays,
  weights: Int32Array,
  out: Float64Array,
  sums: Float64Array,
): void {
  const { yTrue, error, absoluteError, names } = arrays;
  const n = yTrue.length;
  // Slots: 0 Σy, 1 Σe, 2 Σe², 3 Σ|e|, 4 Σ|e|/|y|, 5 Σ(y − ȳ)², 6 Σ(e − ē)².
  sums.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (w === 0) continue;
    total += w;
    const e = error[i];
    addCompensated(sums, 0, w * yTrue[i]);
    addCompensated(sums, 1, w * e);
    addCompensated(sums, 2, w * e * e);
    addCompensated(sums, 3, w * absoluteError[i]);
    // MAPE_EPS of regression.ts, written out: worker programs hold only this module's functions.
    addCompensated(sums, 4, (w * absoluteError[i]) / Math.max(Math.abs(yTrue[i]), 2.220446049250313e-16));
  }
  const meanY = (sums[0] + sums[1]) / total;
  const meanE = (sums[2] + sums[3]) / total;
  // Second pass for centred sums: Σ(y − ȳ)² from Σy² − (Σy)²/n loses every digit on large offsets.
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (w === 0) continue;
    const dy = yTrue[i] - meanY;
    const de = error[i] - meanE;
    addCompensated(sums, 5, w * dy * dy);
    addCompensated(sums, 6, w * de * de);
  }
  const sse = sums[4] + sums[5];
  const centredY = sums[10] + sums[11];
  const centredE = sums[12] + sums[13];
  for (let j = 0; j < names.length; j++) {
    let value = Number.NaN;
    switch (names[j]) {
      case 'mae':
        value = (sums[6] + sums[7]) / total;
        break;
      case 'mse':
        value = sse / total;
        break;
      case 'rmse':
        value = Math.sqrt(sse / total);
        break;
      case 'mape':
        value = (sums[8] + sums[9]) / total;
        break;
      case 'r2':
        value = forceFinite(sse, centredY);
        break;
      case 'explained_variance':
        value = forceFinite(centredE / total, centredY / total);
        break;
      case 'median_absolute_error':
        value = sortedWeightedMedian(absoluteError, weights, total);
        break;
    }
    out[j] = value;
  }
}

/** 1 − numerator / denominator, with scikit-learn's force_finite for a zero denominator. */
export function forceFinite(numerator: number, denominator: number): number {
  if (denominator !== 0) return 1 - numerator / denominator;
  return numerator === 0 ? 1 : 0;
}

/** Median of a multiset of ascending values with integer multiplicities (numpy's median). */
export function sortedWeightedMedian(values: Float64Array, weights: Int32Array, total: number): number {
  const lowRank = Math.floor((total - 1) / 2);
  const highRank = Math.floor(total / 2);
  let seen = 0;
  let low = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i];
    if (w === 0) continue;
    const next = seen + w;
    if (Number.isNaN(low) && lowRank < next) low = values[i];
    if (highRank < next) return (low + values[i]) / 2;
    seen = next;
  }
  return Number.NaN;
}

/** `weights` (per input row) in a plan's row order (`order[i]` = input row of plan row i), into `into`. */
export function gatherWeights(weights: Int32Array, order: Int32Array, into: Int32Array): Int32Array {
  for (let i = 0; i < order.length; i++) into[i] = weights[order[i]];
  return into;
}

/** One side of a paired bootstrap: its plan's kernel arrays and row order (null: input order). */
export interface PairedSide {
  task: 'classification' | 'regression';
  arrays: ClassificationArrays | RegressionArrays;
  rowOrder: Int32Array | null;
}

export interface PairedArrays {
  current: PairedSide;
  baseline: PairedSide;
}

export interface PairedScratch {
  current: ClassificationScratch | Float64Array;
  baseline: ClassificationScratch | Float64Array;
  weights: Int32Array;
  value: Float64Array;
}

export function pairedScratch(arrays: PairedArrays): PairedScratch {
  const side = (s: PairedSide) =>
    s.task === 'classification'
      ? classificationScratch(s.arrays as ClassificationArrays)
      : regressionScratch();
  const n = arrays.current.rowOrder?.length ?? arrays.baseline.rowOrder?.length ?? 0;
  return {
    current: side(arrays.current),
    baseline: side(arrays.baseline),
    weights: new Int32Array(n),
    value: new Float64Array(1),
  };
}

/**
 * `out[0]` = the one metric of the current side − that of the baseline side, both on the rows
 * weighted by `weights` (per input row: row i of both sides is the same example).
 */
export function pairedPass(
  arrays: PairedArrays,
  weights: Int32Array,
  out: Float64Array,
  scratch: PairedScratch,
): void {
  let difference = 0;
  for (let s = 0; s < 2; s++) {
    const side = s === 0 ? arrays.current : arrays.baseline;
    const sideScratch = s === 0 ? scratch.current : scratch.baseline;
    const planWeights =
      side.rowOrder === null ? weights : gatherWeights(weights, side.rowOrder, scratch.weights);
    if (side.task === 'classification') {
      classificationPass(
        side.arrays as ClassificationArrays,
        planWeights,
        scratch.value,
        sideScratch as ClassificationScratch,
      );
    } else {
      regressionPass(
        side.arrays as RegressionArrays,
        planWeights,
        scratch.value,
        sideScratch as Float64Array,
      );
    }
    difference = s === 0 ? scratch.value[0] : difference - scratch.value[0];
  }
  out[0] = difference;
}

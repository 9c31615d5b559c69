/**
 * Expected calibration error (Guo et al., 2017), as most libraries compute it: confidence = the
 * highest class probability, prediction = its class (the first on ties, like argmax); 15
 * equal-width bins (i/15, (i+1)/15], edges as `numpy.linspace(0, 1, 16)`;
 * ECE = Σ_bins (rows in bin / rows) × |accuracy in bin − mean confidence in bin|,
 * computed as Σ_bins |Σ_rows in bin (confidence − correct)| / rows: the same quantity without
 * subtracting two nearly equal means, and with compensated sums, so a million rows keep every digit.
 */
export const ECE_BINS = 15;

const EDGES = Array.from({ length: ECE_BINS + 1 }, (_, i) => (i === ECE_BINS ? 1 : i * (1 / ECE_BINS)));

/** The bin of a confidence in (0, 1]: the b with EDGES[b] < confidence <= EDGES[b + 1]. */
export function calibrationBin(confidence: number): number {
  let b = Math.min(ECE_BINS - 1, Math.max(0, Math.ceil(confidence * ECE_BINS) - 1));
  while (b > 0 && confidence <= EDGES[b]) b--;
  while (b < ECE_BINS - 1 && confidence > EDGES[b + 1]) b++;
  return b;
}

/** Per-row inputs of the ECE, computed once from the scores. */
export interface CalibrationRows {
  bin: Uint8Array;
  /** confidence − (1 if the top class is the true class else 0). */
  gap: Float64Array;
}

export function calibrationRows(scores: Float64Array, labels: Int32Array, k: number): CalibrationRows {
  const n = labels.length;
  const bin = new Uint8Array(n);
  const gap = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let top = scores[i * k];
    for (let c = 1; c < k; c++) {
      if (scores[i * k + c] > top) {
        top = scores[i * k + c];
        best = c;
      }
    }
    bin[i] = calibrationBin(top);
    gap[i] = top - (best === labels[i] ? 1 : 0);
  }
  return { bin, gap };
}

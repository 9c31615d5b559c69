import type { EvaluationRows } from '../metrics/bootstrap.js';
import {
  precisionRecallCurve,
  type RegressionBin,
  type ReliabilityBin,
  regressionBins,
  reliabilityBins,
  rocCurve,
} from '../metrics/curves.js';
import { type CurveSeries, curveChart, escapeHtml, formatNumber, htmlPage, table } from './html.js';

/** What the evaluation report shows; structurally the parts of metrics.json it reads. */
export interface EvaluationReportFile {
  task: 'classification' | 'regression';
  created_at: string;
  model: { name: string } | null;
  dataset: { path: string; rows: number };
  metrics: Record<string, { value: number | null; ci: [number, number] | null; note?: string }>;
  bootstrap: { resamples: number; confidence: number };
  slices: {
    column: string;
    value: string | null;
    n: number;
    small: boolean;
    metrics: Record<string, { value: number | null }>;
  }[];
  confusion_matrix: { labels: string[]; matrix: number[][] } | null;
  fairness?: {
    sensitive_features: string[];
    min_group_size: number;
    features: {
      columns: string[];
      groups: {
        values: (string | null)[];
        n: number;
        gated: boolean;
        metrics: Record<string, number | null>;
      }[];
      disparities: Record<string, { value: number | null; ci: [number, number] | null }>;
    }[];
  } | null;
  importance?: {
    scoring: string;
    n_repeats: number;
    features: { feature: string; mean: number; std: number }[];
  } | null;
  notes: string[];
}

/** Curves drawn from the rows: ROC, PR and reliability for scored classification; bins for regression. */
export interface EvaluationCurves {
  roc: CurveSeries[];
  pr: CurveSeries[];
  reliability: ReliabilityBin[];
  regression: RegressionBin[];
}

/** Classes drawn one-vs-rest at most; more would be an unreadable tangle of lines. */
const MAX_CURVE_CLASSES = 8;

export function evaluationCurves(rows: EvaluationRows): EvaluationCurves | null {
  if (rows.task === 'regression') {
    const bins = regressionBins(rows.data.yTrue, rows.data.yPred);
    return bins.length > 0 ? { roc: [], pr: [], reliability: [], regression: bins } : null;
  }
  if (!rows.data.scores) return null;
  const { classes, yTrue, scores } = rows.data;
  const k = classes.length;
  const shown = k === 2 ? [1] : classes.map((_, c) => c).slice(0, MAX_CURVE_CLASSES);
  const roc: CurveSeries[] = [];
  const pr: CurveSeries[] = [];
  for (const c of shown) {
    const score = new Float64Array(yTrue.length);
    const positive = new Uint8Array(yTrue.length);
    for (let i = 0; i < yTrue.length; i++) {
      score[i] = scores[i * k + c];
      positive[i] = yTrue[i] === c ? 1 : 0;
    }
    const label = k === 2 ? `${classes[c]} (positive class)` : `${classes[c]} vs rest`;
    const r = rocCurve(score, positive);
    if (r) roc.push({ label, x: r.fpr, y: r.tpr });
    const p = precisionRecallCurve(score, positive);
    if (p) pr.push({ label, x: p.recall, y: p.precision });
  }
  return { roc, pr, reliability: reliabilityBins(scores, yTrue, k), regression: [] };
}

function interval(ci: [number, number] | null): string {
  return ci ? `[${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : '';
}

/**
 * evaluate's report: one self-contained page (inline CSS and SVG, no scripts, no network), every
 * text from the data escaped.
 */
export function renderEvaluationHtml(file: EvaluationReportFile, curves: EvaluationCurves | null): string {
  const level = Math.round(file.bootstrap.confidence * 100);
  const sections: string[] = [];
  sections.push(
    `<h2>Metrics</h2>${table(
      ['metric', 'value', `${level}% CI`],
      Object.entries(file.metrics).map(([name, m]) => [
        name,
        m.note ? `${formatNumber(m.value)} (⚠ ${m.note})` : formatNumber(m.value),
        interval(m.ci),
      ]),
    )}`,
  );
  if (file.confusion_matrix) {
    const { labels, matrix } = file.confusion_matrix;
    sections.push(
      `<h2>Confusion matrix</h2><p>Rows: true class; columns: predicted class.</p>${table(
        ['true \\ predicted', ...labels],
        matrix.map((row, i) => [labels[i], ...row.map(String)]),
      )}`,
    );
  }
  if (curves) {
    if (curves.roc.length > 0)
      sections.push(
        `<h2>ROC curve</h2>${curveChart(curves.roc, { x: 'false positive rate', y: 'true positive rate', title: 'ROC curve', diagonal: true })}`,
      );
    if (curves.pr.length > 0)
      sections.push(
        `<h2>Precision-recall curve</h2>${curveChart(curves.pr, { x: 'recall', y: 'precision', title: 'precision-recall curve' })}`,
      );
    if (curves.reliability.length > 0)
      sections.push(
        `<h2>Calibration</h2><p>Top-class probability against the share of correct predictions, per bin of the expected calibration error (15 equal-width bins).</p>${curveChart(
          [
            {
              label: 'model',
              x: curves.reliability.map((b) => b.confidence),
              y: curves.reliability.map((b) => b.accuracy),
            },
          ],
          {
            x: 'mean confidence',
            y: 'accuracy',
            title: 'reliability diagram',
            diagonal: true,
            markers: true,
          },
        )}${table(
          ['bin up to', 'rows', 'mean confidence', 'accuracy'],
          curves.reliability.map((b) => [
            formatNumber(b.upper),
            String(b.rows),
            formatNumber(b.confidence),
            formatNumber(b.accuracy),
          ]),
        )}`,
      );
    if (curves.regression.length > 0) {
      const bins = curves.regression;
      const values = bins.flatMap((b) => [b.predicted, b.actual]);
      sections.push(
        `<h2>Predicted against actual</h2><p>Rows sorted by prediction and cut into ${bins.length} bins of equal size; each point is a bin's mean prediction and mean actual target. Points below the diagonal are bins where the model over-predicts.</p>${curveChart(
          [{ label: 'model', x: bins.map((b) => b.predicted), y: bins.map((b) => b.actual) }],
          {
            x: 'mean prediction',
            y: 'mean actual',
            title: 'predicted against actual',
            diagonal: true,
            markers: true,
            domain: [Math.min(...values), Math.max(...values)],
          },
        )}${table(
          ['predictions from', 'to', 'rows', 'mean prediction', 'mean actual', 'mean residual'],
          bins.map((b) => [
            formatNumber(b.from),
            formatNumber(b.to),
            String(b.rows),
            formatNumber(b.predicted),
            formatNumber(b.actual),
            formatNumber(b.actual - b.predicted),
          ]),
        )}`,
      );
    }
  }
  if (file.slices.length > 0) {
    const names = Object.keys(file.metrics).slice(0, 4);
    sections.push(
      `<h2>Slices</h2>${table(
        ['column', 'value', 'rows', ...names, ''],
        file.slices.map((s) => [
          s.column,
          s.value ?? 'missing',
          String(s.n),
          ...names.map((n) => formatNumber(s.metrics[n]?.value ?? null)),
          s.small ? 'small slice' : '',
        ]),
      )}`,
    );
  }
  if (file.fairness) {
    const f = file.fairness;
    const headline = Object.keys(f.features[0]?.groups[0]?.metrics ?? {})[0];
    sections.push(
      `<h2>Fairness</h2><p>Sensitive features: ${escapeHtml(f.sensitive_features.join(', '))}. Fairlearn's definitions; groups under ${f.min_group_size} rows are shown but left out of the disparities.</p>${table(
        ['feature', 'disparity', 'value', `${level}% CI`],
        f.features.flatMap((feature) =>
          Object.entries(feature.disparities).map(([name, m]) => [
            feature.columns.join(' × '),
            name,
            formatNumber(m.value),
            interval(m.ci),
          ]),
        ),
      )}${table(
        ['feature', 'group', 'rows', headline ?? '', 'gated'],
        f.features.flatMap((feature) =>
          feature.groups.map((g) => [
            feature.columns.join(' × '),
            g.values.map((v) => v ?? 'missing').join(' × '),
            String(g.n),
            formatNumber(headline ? (g.metrics[headline] ?? null) : null),
            g.gated ? 'yes' : 'no (small)',
          ]),
        ),
      )}`,
    );
  }
  if (file.importance) {
    const imp = file.importance;
    sections.push(
      `<h2>Feature importance</h2><p>Permutation importance: the drop in ${escapeHtml(imp.scoring)} when one column is shuffled, ${imp.n_repeats} repeats.</p>${table(
        ['feature', 'importance (mean)', 'std'],
        imp.features.map((x) => [x.feature, formatNumber(x.mean), formatNumber(x.std)]),
      )}`,
    );
  }
  if (file.notes.length > 0)
    sections.push(`<h2>Notes</h2><ul>${file.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  const subject = file.model ? `model ${file.model.name}` : 'predictions';
  return htmlPage(
    `Evaluation of ${subject}`,
    `${file.task}, ${file.dataset.rows} rows of ${file.dataset.path}; generated ${file.created_at}`,
    sections,
  );
}

import type { GpuUsageSummary } from '../gpu/nvidiaSmi.js';
import { escapeMarkdown, markdownTable } from '../report/markdown.js';
import type { EpochRecord } from './tabularTrainer.js';
import type { SlurmRunRecord } from './trainingMetrics.js';

export interface TrainSummaryInput {
  mode: 'builtin' | 'command';
  final: Record<string, number>;
  evaluatedOn: string;
  history: EpochRecord[];
  durationSeconds: number;
  backend: string;
  gpu: { count: number; names: string[]; usage?: GpuUsageSummary };
  cacheHit: boolean;
  resumedFromEpoch: number;
  stoppedEarly: boolean;
  artifact?: { name: string; id: string };
  /** The built-in trainer's feature contract: each column's kind, why, and its model inputs. */
  features?: { name: string; kind: string; why: string; inputs: number; fill?: string }[];
  /** Missing values filled in the training rows, per column. */
  missingFilled?: Record<string, number>;
  /** Set when the training ran as a Slurm job. */
  slurm?: SlurmRunRecord;
}

/** Charts stay readable (and comments small) with at most this many points per line. */
const MAX_CHART_POINTS = 60;

/**
 * The step summary / PR comment block: final metrics, the learning curve as a Mermaid
 * `xychart-beta` (GitHub renders it natively), duration, backend, GPU use and cache hit.
 * Metric names can come from the user's program, so they are escaped; the chart only holds
 * numbers and names we choose.
 */
export function renderTrainSummary(input: TrainSummaryInput): string {
  const parts: string[] = ['### Training'];
  const metricRows = Object.entries(input.final).map(([name, value]) => [
    escapeMarkdown(name),
    formatNumber(value),
  ]);
  if (metricRows.length > 0) {
    parts.push(
      `Final metrics (${escapeMarkdown(input.evaluatedOn)}):`,
      markdownTable(['metric', { header: 'value', align: 'right' }], metricRows),
    );
  } else {
    parts.push('_No metrics were reported._');
  }
  const chart = learningCurve(input.history);
  if (chart) parts.push(chart);
  const gpuText =
    input.gpu.count === 0
      ? 'none'
      : `${input.gpu.count} × ${escapeMarkdown([...new Set(input.gpu.names)].join(', '))}${gpuUsageText(input.gpu.usage)}`;
  const facts: string[][] = [
    ['mode', input.mode === 'builtin' ? 'built-in trainer' : 'user command'],
    ['duration', `${formatNumber(input.durationSeconds)} s`],
    ['backend', escapeMarkdown(input.backend)],
    ['GPU', gpuText],
    ['cache hit', input.cacheHit ? 'yes' : 'no'],
    [
      'epochs',
      `${input.history.length}${input.stoppedEarly ? ' (stopped early)' : ''}${input.resumedFromEpoch > 0 ? `, resumed after epoch ${input.resumedFromEpoch}` : ''}`,
    ],
  ];
  if (input.artifact)
    facts.push([
      'artifact',
      `${escapeMarkdown(input.artifact.name)} (id ${escapeMarkdown(input.artifact.id)})`,
    ]);
  if (input.slurm) {
    facts.push([
      'Slurm job',
      `${escapeMarkdown(input.slurm.job_id)} (${escapeMarkdown(input.slurm.state)}) on ${escapeMarkdown(input.slurm.node_list || 'no node')}, ran ${formatNumber(input.slurm.elapsed_seconds)} s`,
    ]);
  }
  parts.push(markdownTable(['', ''], facts));
  if (input.features && input.features.length > 0) {
    parts.push(
      'Features (written to `preprocessing.json`; set `features.types` in mlops.yml to override):',
      markdownTable(
        [
          'column',
          'type',
          'why',
          { header: 'model inputs', align: 'right' },
          { header: 'missing filled', align: 'right' },
          'filled with',
        ],
        input.features.map((f) => [
          escapeMarkdown(f.name),
          escapeMarkdown(f.kind),
          escapeMarkdown(f.why),
          f.inputs > 0 ? String(f.inputs) : 'dropped',
          String(input.missingFilled?.[f.name] ?? 0),
          f.fill === undefined ? '' : escapeMarkdown(f.fill),
        ]),
      ),
    );
  }
  return `${parts.join('\n\n')}\n`;
}

function gpuUsageText(usage: GpuUsageSummary | undefined): string {
  if (!usage || usage.samples === 0) return '';
  const bits: string[] = [];
  if (usage.utilizationPercent) {
    bits.push(
      `utilisation mean ${formatNumber(usage.utilizationPercent.mean)} %, peak ${formatNumber(usage.utilizationPercent.peak)} %`,
    );
  }
  if (usage.memoryUsedMiB) {
    bits.push(
      `memory mean ${formatNumber(usage.memoryUsedMiB.mean)} MiB, peak ${formatNumber(usage.memoryUsedMiB.peak)} MiB`,
    );
  }
  return bits.length > 0 ? `; ${bits.join('; ')}` : '';
}

/**
 * Loss (and validation loss when present) per epoch. xychart-beta has no legend, so the series
 * are named in a line under the chart.
 */
export function learningCurve(history: EpochRecord[]): string | undefined {
  const series = ['loss', 'val_loss'].filter((name) => history.some((row) => Number.isFinite(row[name])));
  if (history.length < 2 || series.length === 0) return undefined;
  const step = Math.ceil(history.length / MAX_CHART_POINTS);
  const rows = history.filter((_, i) => i % step === 0 || i === history.length - 1);
  const lines = series.map(
    (name) => `    line [${rows.map((row) => formatNumber(row[name] ?? Number.NaN, true)).join(', ')}]`,
  );
  const chart = [
    '```mermaid',
    'xychart-beta',
    '    title "Learning curve"',
    `    x-axis "epoch" [${rows.map((row) => row.epoch).join(', ')}]`,
    '    y-axis "loss"',
    ...lines,
    '```',
  ].join('\n');
  const legend =
    series.length === 2 ? 'Lines: training loss (first), validation loss (second).' : `Line: ${series[0]}.`;
  return `${chart}\n\n${legend}`;
}

function formatNumber(value: number, forChart = false): string {
  // Mermaid needs a number in every slot; a missing value repeats as 0 rather than breaking the chart.
  if (!Number.isFinite(value)) return forChart ? '0' : String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

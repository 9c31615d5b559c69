/**
 * The stdout line format a user's training program can print to report metrics live:
 *
 *     mlops-metric epoch=3 loss=0.412 val_accuracy=0.91
 *
 * The line starts with `mlops-metric` and a space, followed by `name=value` pairs separated by
 * spaces; values are numbers (`nan`/`inf` are rejected). `epoch` (or `step`) says which row of the
 * learning curve the values belong to; without it the line is a new row after the last one.
 * Deliberately NOT a `::workflow-command::`: the runner would interpret those itself.
 */
export const METRIC_LINE_PREFIX = 'mlops-metric ';

export interface MetricLine {
  values: Record<string, number>;
  /** Names whose value was not a finite number, so the caller can warn once. */
  rejected: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

/** Parses one stdout line; undefined when it is not a metric line. */
export function parseMetricLine(line: string): MetricLine | undefined {
  const trimmed = line.replace(/\r$/, '');
  if (!trimmed.startsWith(METRIC_LINE_PREFIX)) return undefined;
  const values: Record<string, number> = {};
  const rejected: string[] = [];
  for (const pair of trimmed.slice(METRIC_LINE_PREFIX.length).split(/\s+/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : pair;
    const raw = eq > 0 ? pair.slice(eq + 1) : '';
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!NAME.test(name) || !Number.isFinite(value)) {
      rejected.push(pair);
      continue;
    }
    values[name] = value;
  }
  return { values, rejected };
}

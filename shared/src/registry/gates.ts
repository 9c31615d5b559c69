import { parse as parseYaml } from 'yaml';
import { UserError } from '../errors/index.js';
import type { GateResult } from './record.js';

export type GateOperator = GateResult['operator'];
export interface Gate {
  metric: string;
  operator: GateOperator;
  threshold: number;
}

const INLINE_GATE =
  /^([A-Za-z][A-Za-z0-9_.-]*)\s*(>=|<=|==|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$/;

function parseInlineGate(text: string): Gate {
  const match = INLINE_GATE.exec(text.trim());
  if (match === null) {
    throw new UserError(
      `Cannot read the requirement ${JSON.stringify(text.trim())}: expected '<metric> <op> <number>' with op one of >=, <=, >, <, == (e.g. 'accuracy>=0.9').`,
      { input: 'require' },
    );
  }
  return { metric: match[1], operator: match[2] as GateOperator, threshold: Number(match[3]) };
}

function numberAt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new UserError(`In 'require', ${where} must be a finite number, got ${JSON.stringify(value)}.`, {
      input: 'require',
    });
  }
  return value;
}

/**
 * Reads the `require` input. Accepted forms, all inclusive like Azure ML's metrics_min/metrics_max:
 * - inline: `accuracy>=0.9, log_loss<=0.4` (commas or newlines);
 * - a YAML list of such strings;
 * - YAML `metrics_min: {accuracy: 0.9}` / `metrics_max: {log_loss: 0.4}` (Azure ML's keys);
 * - YAML `accuracy: {min: 0.9}` / `log_loss: {max: 0.4}` (the thresholds shape of DESIGN.md §4).
 */
export function parseRequire(text: string | undefined): Gate[] {
  if (text === undefined || text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    // Not YAML: the inline comma form can contain characters YAML objects to; read it as such.
    doc = text;
  }
  if (typeof doc === 'string') {
    // Split the original text: YAML folds a multi-line plain scalar into one line.
    return text
      .split(/[,\n]/)
      .filter((part) => part.trim() !== '')
      .map(parseInlineGate);
  }
  if (Array.isArray(doc)) {
    return doc.map((item, index) => {
      if (typeof item !== 'string') {
        throw new UserError(`In 'require', list item ${index + 1} must be a string like 'accuracy>=0.9'.`, {
          input: 'require',
        });
      }
      return parseInlineGate(item);
    });
  }
  if (doc === null || typeof doc !== 'object') {
    throw new UserError(`Cannot read 'require': expected 'metric>=value' pairs or a YAML mapping.`, {
      input: 'require',
    });
  }
  const gates: Gate[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (key === 'metrics_min' || key === 'metrics_max') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new UserError(`In 'require', ${key} must map metric names to numbers.`, { input: 'require' });
      }
      for (const [metric, bound] of Object.entries(value as Record<string, unknown>)) {
        gates.push({
          metric,
          operator: key === 'metrics_min' ? '>=' : '<=',
          threshold: numberAt(bound, `${key}.${metric}`),
        });
      }
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [bound, threshold] of Object.entries(value as Record<string, unknown>)) {
        if (bound !== 'min' && bound !== 'max') {
          throw new UserError(`In 'require', ${key}.${bound} is not known: expected 'min' or 'max'.`, {
            input: 'require',
          });
        }
        gates.push({
          metric: key,
          operator: bound === 'min' ? '>=' : '<=',
          threshold: numberAt(threshold, `${key}.${bound}`),
        });
      }
    } else {
      throw new UserError(
        `In 'require', ${key} must be {min: x} / {max: y}, or use metrics_min / metrics_max mappings.`,
        { input: 'require' },
      );
    }
  }
  return gates;
}

/** A metric's value from a `mlops-metrics/v1` object (`metrics.<name>.value`), or null when absent. */
export function metricValue(metrics: Record<string, unknown> | null, name: string): number | null {
  const table = metrics?.['metrics'];
  if (table === null || typeof table !== 'object') return null;
  const entry = (table as Record<string, unknown>)[name];
  const value = typeof entry === 'number' ? entry : (entry as { value?: unknown } | undefined)?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function holds(value: number, operator: GateOperator, threshold: number): boolean {
  switch (operator) {
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
    case '==':
      return value === threshold;
  }
}

/** Like TFMA, a gate on a metric that is missing (or NaN) fails rather than passing silently. */
export function evaluateGates(gates: readonly Gate[], metrics: Record<string, unknown> | null): GateResult[] {
  return gates.map((gate) => {
    const value = metricValue(metrics, gate.metric);
    return { ...gate, value, passed: value !== null && holds(value, gate.operator, gate.threshold) };
  });
}

export function describeGate(result: GateResult): string {
  const found = result.value === null ? 'missing' : String(result.value);
  return `${result.metric} ${result.operator} ${result.threshold} (found ${found})`;
}

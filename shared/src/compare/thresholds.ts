import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { readConfigText, YAML_MAX_ALIASES } from '../config/yaml-source.js';
import { UserError } from '../errors/index.js';
import { metricDirection } from '../metrics/names.js';

export type Direction = 'higher' | 'lower';

/** One metric's gate, in DESIGN §4 terms. Tolerances are allowed worsening, never negative. */
export interface MetricThreshold {
  direction: Direction;
  /** Inclusive value bounds. */
  min?: number;
  max?: number;
  /** Allowed worsening against the baseline in the metric's own units. */
  tolerance?: number;
  /** Allowed relative worsening in percent of |baseline|. */
  tolerancePct?: number;
}

export type Thresholds = Record<string, MetricThreshold>;

const KEYS = new Set(['direction', 'min', 'max', 'tolerance', 'tolerance-pct', 'tolerance_pct']);

/** A metric's direction when the thresholds do not give one: names.ts's one rule. */
export function defaultDirection(metric: string): Direction {
  return metricDirection(metric);
}

/**
 * Thresholds from the `thresholds` input (YAML/JSON text, or a path to such a file) over those from
 * mlops.yml `metrics:`. A metric named in the input replaces its whole mlops.yml entry, so a
 * workflow can loosen a gate without inheriting a bound it did not write.
 */
export function loadThresholds(
  input: string | undefined,
  configThresholds: Record<string, unknown> | undefined,
  workingDirectory: string,
): Thresholds {
  const fromConfig = configThresholds ? parseThresholdObject(configThresholds, 'mlops.yml metrics') : {};
  if (input === undefined || input.trim() === '') return fromConfig;
  const fromInput = parseThresholdsInput(input, workingDirectory);
  return { ...fromConfig, ...fromInput };
}

export function parseThresholdsInput(input: string, workingDirectory: string): Thresholds {
  const candidate = isAbsolute(input.trim()) ? input.trim() : resolve(workingDirectory, input.trim());
  const looksLikePath = !input.includes('\n') && !/[{:]/.test(input);
  if (looksLikePath || (existsSync(candidate) && statSync(candidate).isFile())) {
    if (!existsSync(candidate)) {
      throw new UserError(`thresholds file ${input.trim()} does not exist (resolved to ${candidate})`, {
        input: 'thresholds',
      });
    }
    const text = readConfigText(candidate, `thresholds file ${input.trim()}`, { input: 'thresholds' });
    return parseThresholdsText(text, candidate);
  }
  return parseThresholdsText(input, 'input thresholds');
}

/** Parses YAML or JSON text; errors carry the line and column of the offending key. */
export function parseThresholdsText(text: string, source: string): Thresholds {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  const file = source === 'input thresholds' ? undefined : source;
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const position = first.linePos?.[0];
    throw new UserError(`${source}: invalid YAML/JSON: ${first.message.split('\n')[0]}`, {
      file,
      line: position?.line,
      column: position?.col,
      input: 'thresholds',
    });
  }
  let value: unknown;
  try {
    // An alias bomb is refused before it expands (same limit as mlops.yml).
    value = document.toJS({ maxAliasCount: YAML_MAX_ALIASES });
  } catch (error) {
    throw new UserError(`${source}: ${error instanceof Error ? error.message : String(error)}`, {
      file,
      input: 'thresholds',
    });
  }
  // mlops.yml's own `metrics:` section may be pasted as is.
  const prefix =
    isObject(value) && Object.keys(value).length === 1 && isObject(value.metrics) ? ['metrics'] : [];
  if (prefix.length > 0) value = (value as Record<string, unknown>).metrics;
  return parseThresholdObject(value, source, (path) => {
    const offset = findKeyNode(document.contents, [...prefix, ...path])?.range?.[0];
    if (offset === undefined) return { file };
    const position = lineCounter.linePos(offset);
    return { file, line: position.line, column: position.col };
  });
}

function findKeyNode(contents: unknown, path: string[]): { range?: [number, number, number] } | undefined {
  let node = contents;
  let keyNode: { range?: [number, number, number] } | undefined;
  for (const key of path) {
    if (!isMap(node)) return keyNode;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (!pair) return keyNode;
    keyNode = pair.key as { range?: [number, number, number] };
    node = pair.value;
  }
  return keyNode;
}

type Locator = (path: string[]) => { file?: string; line?: number; column?: number };

export function parseThresholdObject(
  value: unknown,
  source: string,
  locate: Locator = () => ({}),
): Thresholds {
  const fail = (path: string[], what: string): never => {
    throw new UserError(`${source}: ${path.join('.')}: ${what}`, { ...locate(path), input: 'thresholds' });
  };
  if (value === null || value === undefined) return {};
  if (!isObject(value))
    return fail([], 'expected a mapping of metric name -> {direction, min, max, tolerance, tolerance-pct}');
  const out: Thresholds = {};
  for (const [metric, raw] of Object.entries(value)) {
    if (raw === null) {
      out[metric] = { direction: defaultDirection(metric) };
      continue;
    }
    if (!isObject(raw)) return fail([metric], 'expected {direction, min, max, tolerance, tolerance-pct}');
    for (const key of Object.keys(raw)) {
      if (!KEYS.has(key)) {
        fail([metric, key], `unknown key "${key}"; allowed: direction, min, max, tolerance, tolerance-pct`);
      }
    }
    const number = (key: string): number | undefined => {
      const v = raw[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v))
        return fail([metric, key], `expected a finite number, found ${JSON.stringify(v)}`);
      return v;
    };
    let direction: Direction = defaultDirection(metric);
    if (raw.direction !== undefined) {
      if (raw.direction !== 'higher' && raw.direction !== 'lower') {
        return fail(
          [metric, 'direction'],
          `expected "higher" or "lower", found ${JSON.stringify(raw.direction)}`,
        );
      }
      direction = raw.direction;
    }
    const threshold: MetricThreshold = { direction };
    const min = number('min');
    const max = number('max');
    const tolerance = number('tolerance');
    const pctKey = raw['tolerance-pct'] !== undefined ? 'tolerance-pct' : 'tolerance_pct';
    const tolerancePct = number(pctKey);
    if (min !== undefined && max !== undefined && min > max)
      fail([metric, 'min'], `min ${min} is above max ${max}`);
    if (tolerance !== undefined && tolerance < 0) {
      fail(
        [metric, 'tolerance'],
        `must be >= 0 (the allowed worsening); found ${tolerance}. Direction is set by "direction"`,
      );
    }
    if (tolerancePct !== undefined && tolerancePct < 0) {
      fail([metric, pctKey], `must be >= 0 (the allowed worsening in percent); found ${tolerancePct}`);
    }
    if (min !== undefined) threshold.min = min;
    if (max !== undefined) threshold.max = max;
    if (tolerance !== undefined) threshold.tolerance = tolerance;
    if (tolerancePct !== undefined) threshold.tolerancePct = tolerancePct;
    out[metric] = threshold;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written from the format's
 * specification (https://prometheus.io/docs/instrumenting/exposition_formats/) so tests can check
 * the server's /metrics independently of the code that writes it. It throws on anything the
 * format does not allow: a sample before its TYPE, a malformed label set, a bad value, a family
 * declared twice, histogram buckets that are not cumulative or lack +Inf = _count.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`line ${line}: bad value '${text}'`);
  return Number(text);
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without '='`);
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name '${name}'`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value must be quoted`);
    let j = eq + 2;
    let value = '';
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') {
        const next = text[j + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`line ${line}: bad escape \\${next}`);
        j += 2;
      } else value += text[j++];
    }
    if (text[j] !== '"') throw new Error(`line ${line}: unterminated label value`);
    if (name in labels) throw new Error(`line ${line}: duplicate label ${name}`);
    labels[name] = value;
    j++;
    if (text[j] === ',') j++;
    else if (j < text.length) throw new Error(`line ${line}: expected ',' after label`);
    i = j;
  }
  return labels;
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, MetricFamily>();
  const familyOf = (sample: string): MetricFamily | undefined => {
    if (families.has(sample)) return families.get(sample);
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (sample.endsWith(suffix)) {
        const family = families.get(sample.slice(0, -suffix.length));
        if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
      }
    }
    return undefined;
  };
  text
    .slice(0, -1)
    .split('\n')
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') return;
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (meta) {
        const [, kind, name, rest] = meta;
        if (!NAME.test(name!)) throw new Error(`line ${line}: bad metric name '${name}'`);
        const family = families.get(name!) ?? { type: 'untyped' as const, samples: [] };
        if (kind === 'TYPE') {
          if (families.get(name!)?.samples.length)
            throw new Error(`line ${line}: TYPE after samples of ${name}`);
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!))
            throw new Error(`line ${line}: bad type '${rest}'`);
          family.type = rest as MetricFamily['type'];
        } else family.help = rest;
        families.set(name!, family);
        return;
      }
      if (raw.startsWith('#')) return;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(raw);
      if (!match) throw new Error(`line ${line}: not a sample: ${raw}`);
      const family = familyOf(match[1]!);
      if (!family) throw new Error(`line ${line}: sample ${match[1]} has no TYPE`);
      family.samples.push({
        name: match[1]!,
        labels: match[3] ? parseLabels(match[3], line) : {},
        value: parseValue(match[4]!, line),
      });
    });
  for (const [name, family] of families) {
    if (family.type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const sample of family.samples) {
      const { le, ...rest } = sample.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      series.set(key, [...(series.get(key) ?? []), sample]);
    }
    for (const samples of series.values()) {
      const buckets = samples.filter((s) => s.name === `${name}_bucket`);
      const count = samples.find((s) => s.name === `${name}_count`);
      if (!count || !samples.some((s) => s.name === `${name}_sum`))
        throw new Error(`${name}: histogram series without _sum/_count`);
      let previousLe = Number.NEGATIVE_INFINITY;
      let previousCount = 0;
      for (const bucket of buckets) {
        const le = parseValue(bucket.labels.le ?? '', 0);
        if (!(le > previousLe)) throw new Error(`${name}: buckets not in increasing le order`);
        if (bucket.value < previousCount) throw new Error(`${name}: buckets not cumulative`);
        previousLe = le;
        previousCount = bucket.value;
      }
      if (previousLe !== Number.POSITIVE_INFINITY || previousCount !== count.value)
        throw new Error(`${name}: +Inf bucket missing or != _count`);
    }
  }
  return families;
}

import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import { readConfigText } from '../config/yaml-source.js';
import type { ColumnKind } from '../data/column-kind.js';
import { UserError } from '../errors/index.js';
import { didYouMean } from '../text/nearest.js';
import { RANGE_MARGIN } from './infer-schema.js';
import { FAR_WIDTHS, TEST_ALPHA } from './sample-bounds.js';
import {
  COLUMN_KEYS,
  COLUMN_TYPES,
  type ColumnRules,
  DATA_SCHEMA_ID,
  type DataSchema,
  DEFAULT_DISTRIBUTION_THRESHOLD,
  EXTRA_COLUMN_POLICIES,
  type ExtraColumnPolicy,
  ROOT_KEYS,
  type SchemaLocations,
  type SchemaValue,
  type Severity,
  TABLE_KEYS,
} from './schema.js';

export interface RenderOptions {
  /** What the schema was inferred from, for the header comment. */
  source?: { path: string; rows: number };
  now?: Date;
}

/** The schema as YAML with a header that explains every key, ready to commit and edit. */
export function renderSchemaYaml(schema: DataSchema, options: RenderOptions = {}): string {
  const lines: string[] = [
    `# Data schema for the data-validate step (${DATA_SCHEMA_ID}).`,
    ...(options.source
      ? [
          `# Inferred from ${oneLine(options.source.path)} (${options.source.rows} rows) on ${(options.now ?? new Date()).toISOString().slice(0, 10)}.`,
          `# Ranges were widened by ${RANGE_MARGIN * 100}% of the observed range on each side. The bounds of a`,
          '# column with inferred_from are estimates from that sample, and are tested: values outside them',
          `# are a warning, an error only when their share is significantly above the bound (alpha ${TEST_ALPHA})`,
          `# or a value lies more than ${FAR_WIDTHS}x the range's width beyond it. Delete inferred_from to make`,
          '# them hard limits. A datetime range with inferred_from is the training period: a date outside it',
          '# is always a warning (new data is usually newer; date features extrapolate). Review, edit, commit.',
        ]
      : []),
    '#',
    '# table:   min_rows, max_rows, extra_columns (error | warning | ignore: columns not listed below)',
    `# columns: <name>: type (${COLUMN_TYPES.join(', ')}), required (true/false),`,
    '#          max_null_fraction (0..1) or nullable: false, min, max (inclusive), allowed_values,',
    '#          max_new_category_fraction (0..1), unique, regex (RE2, whole value), allow_nan_or_inf,',
    '#          severity (error | warning: overrides the default of every check on the column),',
    '#          inferred_from ({rows, values}: the sample the bounds were estimated from),',
    `#          skew_threshold, drift_threshold (distance to the reference's distribution; default ${DEFAULT_DISTRIBUTION_THRESHOLD})`,
    `schema: ${DATA_SCHEMA_ID}`,
    'table:',
  ];
  if (schema.table.min_rows !== undefined) lines.push(`  min_rows: ${schema.table.min_rows}`);
  if (schema.table.max_rows !== undefined) lines.push(`  max_rows: ${schema.table.max_rows}`);
  else lines.push('  # max_rows: 1000000');
  lines.push(`  extra_columns: ${schema.table.extra_columns}`);
  lines.push('columns:');
  for (const c of schema.columns) {
    lines.push(`  ${yamlScalar(c.name)}:`);
    lines.push(`    type: ${c.type}`);
    lines.push(`    required: ${c.required}`);
    const why = (key: keyof NonNullable<ColumnRules['derivation']>) => {
      const text = c.derivation?.[key];
      if (text) for (const line of wrapComment(oneLine(text))) lines.push(`    # ${line}`);
    };
    if (c.max_null_fraction !== undefined) {
      why('max_null_fraction');
      lines.push(`    max_null_fraction: ${c.max_null_fraction}`);
    }
    if (c.min !== undefined || c.max !== undefined) why('range');
    if (c.min !== undefined) lines.push(`    min: ${yamlScalar(c.min)}`);
    if (c.max !== undefined) lines.push(`    max: ${yamlScalar(c.max)}`);
    if (c.allowed_values !== undefined) {
      why('allowed_values');
      const flow = `[${c.allowed_values.map(yamlScalar).join(', ')}]`;
      if (flow.length <= 80) lines.push(`    allowed_values: ${flow}`);
      else {
        lines.push('    allowed_values:');
        for (const v of c.allowed_values) lines.push(`      - ${yamlScalar(v)}`);
      }
    }
    if (c.max_new_category_fraction !== undefined)
      lines.push(`    max_new_category_fraction: ${c.max_new_category_fraction}`);
    if (c.unique !== undefined) lines.push(`    unique: ${c.unique}`);
    if (c.regex !== undefined) lines.push(`    regex: ${yamlScalar(c.regex)}`);
    if (c.allow_nan_or_inf !== undefined) lines.push(`    allow_nan_or_inf: ${c.allow_nan_or_inf}`);
    if (c.severity !== undefined) lines.push(`    severity: ${c.severity}`);
    if (c.inferred_from !== undefined)
      lines.push(`    inferred_from: {rows: ${c.inferred_from.rows}, values: ${c.inferred_from.values}}`);
    if (c.skew_threshold !== undefined) lines.push(`    skew_threshold: ${c.skew_threshold}`);
    if (c.drift_threshold !== undefined) lines.push(`    drift_threshold: ${c.drift_threshold}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Splits a comment into lines of at most about 96 characters, at spaces. */
function wrapComment(text: string, width = 96): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * A YAML scalar that reads back as the same value: plain when unambiguous, else double-quoted
 * (JSON string syntax is valid YAML double-quoted syntax).
 */
function yamlScalar(value: SchemaValue): string {
  if (typeof value !== 'string') return String(value);
  const plainSafe =
    /^[A-Za-z_][A-Za-z0-9_ ()./-]*$/.test(value) &&
    !/ $/.test(value) &&
    !/^(true|false|yes|no|on|off|null|y|n|~)$/i.test(value) &&
    !value.includes(' #') &&
    !value.includes(': ');
  return plainSafe ? value : JSON.stringify(value);
}

export interface LoadedSchema {
  schema: DataSchema;
  /** Absent for a schema that exists only in memory (inferred and not written). */
  locations?: SchemaLocations;
}

/** Reads and checks a schema.yaml file. */
export function loadSchemaFile(file: string, displayName = file): LoadedSchema {
  let text: string;
  try {
    // Committed YAML is small: a huge file, a device or a FIFO is refused before it is read.
    text = readConfigText(file, `Schema file '${displayName}'`, { file: displayName, input: 'schema' });
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Schema file '${displayName}' does not exist or cannot be read.`, {
      file: displayName,
      input: 'schema',
    });
  }
  return parseSchemaYaml(text, displayName);
}

interface Problem {
  message: string;
  line?: number;
  column?: number;
}

/**
 * Parses schema.yaml text. Every problem found (YAML syntax, unknown keys with the nearest valid
 * one, wrong value types, contradictory rules) is listed in one `UserError` located at the first.
 */
export function parseSchemaYaml(text: string, file: string): LoadedSchema {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = [];
  const at = (node: Node | null | undefined): { line?: number; column?: number } => {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const lineOf = (node: Node | null | undefined) => at(node).line;
  const problem = (message: string, node?: Node | null) => problems.push({ message, ...at(node) });

  for (const error of doc.errors) {
    const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    problems.push({ message: error.message.split('\n')[0]!, line: pos.line, column: pos.col });
  }
  const locations: SchemaLocations = { file, root: {}, table: {}, columns: {} };
  const schema: DataSchema = { schema: DATA_SCHEMA_ID, table: { extra_columns: 'warning' }, columns: [] };

  const root = doc.contents;
  if (problems.length === 0 && !isMap(root))
    problem(`expected a mapping with keys ${ROOT_KEYS.join(', ')}`, root as Node);
  if (problems.length === 0 && isMap(root)) {
    for (const pair of pairs(root)) {
      const key = keyText(pair);
      const keyNode = pair.key as Node;
      if (!(ROOT_KEYS as readonly string[]).includes(key)) {
        problem(
          `unknown key '${key}'.${didYouMean(key, ROOT_KEYS)} Valid keys: ${ROOT_KEYS.join(', ')}`,
          keyNode,
        );
        continue;
      }
      locations.root[key as (typeof ROOT_KEYS)[number]] = lineOf(keyNode);
      const value = pair.value as Node | null;
      if (key === 'schema') {
        if (!isScalar(value) || value.value !== DATA_SCHEMA_ID)
          problem(`'schema' must be ${DATA_SCHEMA_ID}`, value ?? keyNode);
      } else if (key === 'table') {
        readTable(value, keyNode);
      } else {
        readColumns(value, keyNode);
      }
    }
    if (locations.root.columns === undefined)
      problem("missing 'columns': list the dataset's columns under it", root);
  }

  function readTable(node: Node | null, keyNode: Node) {
    if (node === null || (isScalar(node) && node.value === null)) return;
    if (!isMap(node))
      return problem(`'table' must be a mapping of ${TABLE_KEYS.join(', ')}`, node ?? keyNode);
    for (const pair of pairs(node)) {
      const key = keyText(pair);
      const k = pair.key as Node;
      const value = pair.value as Node | null;
      if (!(TABLE_KEYS as readonly string[]).includes(key)) {
        problem(
          `unknown key 'table.${key}'.${didYouMean(key, TABLE_KEYS)} Valid keys: ${TABLE_KEYS.join(', ')}`,
          k,
        );
        continue;
      }
      locations.table[key as (typeof TABLE_KEYS)[number]] = lineOf(k);
      if (key === 'extra_columns') {
        const v = scalarOf(value);
        if (typeof v !== 'string' || !(EXTRA_COLUMN_POLICIES as readonly string[]).includes(v)) {
          problem(`'table.extra_columns' must be one of ${EXTRA_COLUMN_POLICIES.join(', ')}`, value ?? k);
        } else schema.table.extra_columns = v as ExtraColumnPolicy;
      } else {
        const v = scalarOf(value);
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
          problem(`'table.${key}' must be a whole number >= 0`, value ?? k);
        else schema.table[key as 'min_rows' | 'max_rows'] = v;
      }
    }
    const { min_rows, max_rows } = schema.table;
    if (min_rows !== undefined && max_rows !== undefined && min_rows > max_rows)
      problem("'table.min_rows' is larger than 'table.max_rows'", node);
  }

  function readColumns(node: Node | null, keyNode: Node) {
    if (!isMap(node))
      return problem("'columns' must be a mapping from column name to its rules", node ?? keyNode);
    for (const pair of pairs(node)) {
      const name = keyText(pair);
      const nameNode = pair.key as Node;
      locations.columns[name] = { _: lineOf(nameNode) };
      const rules = readColumn(name, pair.value as Node | null, nameNode);
      if (rules) schema.columns.push(rules);
    }
  }

  function readColumn(name: string, node: Node | null, nameNode: Node): ColumnRules | undefined {
    const where = `column '${name}'`;
    if (!isMap(node)) {
      problem(`${where} must be a mapping of rules (at least 'type')`, node ?? nameNode);
      return undefined;
    }
    const rules: Partial<ColumnRules> & { name: string } = { name, required: true };
    const lines = locations.columns[name]!;
    let nullable: boolean | undefined;
    for (const pair of pairs(node)) {
      const key = keyText(pair);
      const k = pair.key as Node;
      const value = pair.value as Node | null;
      if (!(COLUMN_KEYS as readonly string[]).includes(key)) {
        problem(
          `unknown key '${key}' in ${where}.${didYouMean(key, COLUMN_KEYS)} Valid keys: ${COLUMN_KEYS.join(', ')}`,
          k,
        );
        continue;
      }
      lines[key as (typeof COLUMN_KEYS)[number]] = lineOf(k);
      const v = scalarOf(value);
      const bad = (expected: string) => problem(`'${key}' of ${where} must be ${expected}`, value ?? k);
      switch (key) {
        case 'type':
          if (typeof v === 'string' && (COLUMN_TYPES as readonly string[]).includes(v))
            rules.type = v as ColumnKind;
          else
            bad(
              `one of ${COLUMN_TYPES.join(', ')}${typeof v === 'string' ? `, not '${v}'.${didYouMean(v, COLUMN_TYPES)}` : ''}`,
            );
          break;
        case 'required':
        case 'unique':
        case 'allow_nan_or_inf':
          if (typeof v === 'boolean') rules[key] = v;
          else bad('true or false');
          break;
        case 'nullable':
          if (typeof v === 'boolean') nullable = v;
          else bad('true or false');
          break;
        case 'max_null_fraction':
        case 'max_new_category_fraction':
          if (typeof v === 'number' && v >= 0 && v <= 1) rules[key] = v;
          else bad('a number from 0 to 1');
          break;
        case 'min':
        case 'max':
          if (typeof v === 'number' && Number.isFinite(v)) rules[key] = v;
          else if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) rules[key] = v;
          else if (v instanceof Date) rules[key] = v.toISOString();
          else bad('a number (or an ISO date for datetime columns)');
          break;
        case 'allowed_values': {
          if (!isSeq(value)) {
            bad('a list of values');
            break;
          }
          const values: SchemaValue[] = [];
          for (const item of value.items) {
            const s = scalarOf(item as Node);
            if (typeof s === 'string' || typeof s === 'number' || typeof s === 'boolean') values.push(s);
            else
              problem(
                `'allowed_values' of ${where} must hold plain values (text, numbers, true/false)`,
                item as Node,
              );
          }
          rules.allowed_values = values;
          break;
        }
        case 'regex':
          if (typeof v !== 'string' || v === '') bad('a non-empty pattern');
          else {
            try {
              new RegExp(v);
              rules.regex = v;
            } catch (error) {
              bad(`a valid pattern (${(error as Error).message})`);
            }
          }
          break;
        case 'severity':
          if (v === 'error' || v === 'warning') rules.severity = v as Severity;
          else bad('error or warning');
          break;
        case 'skew_threshold':
        case 'drift_threshold':
          if (typeof v === 'number' && v > 0 && Number.isFinite(v)) rules[key] = v;
          else bad('a number above 0');
          break;
        case 'inferred_from': {
          const sample = isMap(value) ? value.toJSON() : undefined;
          const whole = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
          if (
            sample &&
            Object.keys(sample).every((k) => k === 'rows' || k === 'values') &&
            whole(sample.rows) &&
            whole(sample.values) &&
            sample.values <= sample.rows
          )
            rules.inferred_from = { rows: sample.rows, values: sample.values };
          else bad('{rows: <whole number>, values: <whole number, at most rows>}');
          break;
        }
      }
    }
    if (rules.type === undefined) {
      problem(`${where} has no 'type' (one of ${COLUMN_TYPES.join(', ')})`, nameNode);
      return undefined;
    }
    if (nullable === false) {
      if (rules.max_null_fraction !== undefined && rules.max_null_fraction > 0) {
        problem(
          `${where} says 'nullable: false' and 'max_null_fraction: ${rules.max_null_fraction}': keep one`,
          node,
        );
      }
      rules.max_null_fraction = 0;
      lines.max_null_fraction ??= lines.nullable;
    }
    const numericBounds = typeof rules.min === 'number' || typeof rules.max === 'number';
    if (numericBounds && rules.type !== 'numeric')
      problem(`${where}: numeric 'min'/'max' need type numeric, not ${rules.type}`, node);
    if ((typeof rules.min === 'string' || typeof rules.max === 'string') && rules.type !== 'datetime') {
      problem(`${where}: 'min'/'max' of type ${rules.type} must be numbers`, node);
    }
    if (rules.min !== undefined && rules.max !== undefined && compareBounds(rules.min, rules.max) > 0) {
      problem(`${where}: 'min' (${rules.min}) is larger than 'max' (${rules.max})`, node);
    }
    return rules as ColumnRules;
  }

  if (problems.length > 0) {
    const first = problems[0]!;
    const list = problems.map(
      (p) => `${file}${p.line ? `:${p.line}` : ''}${p.column ? `:${p.column}` : ''}: ${p.message}`,
    );
    throw new UserError(`Invalid schema file '${file}':\n${list.join('\n')}`, {
      file,
      line: first.line,
      column: first.column,
      input: 'schema',
    });
  }
  return { schema, locations };
}

function pairs(map: YAMLMap): Pair[] {
  return map.items as Pair[];
}

function keyText(pair: Pair): string {
  const key = pair.key;
  return isScalar(key) ? String(key.value) : String(key);
}

function scalarOf(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

function compareBounds(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Date.parse(String(a)) - Date.parse(String(b));
}
